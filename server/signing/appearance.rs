//! What a signature shows on the page: text stamped into the blanks a signed
//! draft leaves (number, day, month, year), the seal image, and the agency's
//! text for a separately attached file. Text is set in a subset of the bundled
//! Liberation Serif, embedded with a ToUnicode map so it can be searched and copied.

use std::collections::BTreeMap;
use std::io::Write as _;

use sha2::{Digest, Sha256};

use super::SignError;
use super::pdf::{Dict, Obj, Update, name};

/// A face used for stamped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Face {
    /// Liberation Serif, upright.
    Regular,
    /// Liberation Serif Italic.
    Italic,
}

impl Face {
    fn data(self) -> &'static [u8] {
        match self {
            Face::Regular => crate::render::BUNDLED[0],
            Face::Italic => crate::render::BUNDLED[2],
        }
    }
}

/// An embedded subset font: its object and how to encode text for it.
pub struct EmbeddedFont {
    /// Number of the Type0 font object, for a /Font resource.
    pub object: u32,
    codes: BTreeMap<char, (u16, f64)>,
    /// Height above the baseline, as a fraction of the font size.
    pub ascent: f64,
    /// Depth below the baseline (negative), as a fraction of the font size.
    pub descent: f64,
}

impl EmbeddedFont {
    /// The text as a hex string operand of `Tj`, and its width at `size`.
    pub fn encode(&self, text: &str, size: f64) -> (String, f64) {
        let mut hex = String::from("<");
        let mut width = 0.0;
        for c in text.chars() {
            let (code, w) = self.codes.get(&c).copied().unwrap_or((0, 0.0));
            hex.push_str(&format!("{code:04X}"));
            width += w * size / 1000.0;
        }
        hex.push('>');
        (hex, width)
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Embeds the glyphs of `text` from `face` as a Type0/Identity-H font.
pub fn embed_font(up: &mut Update, face: Face, text: &str) -> Result<EmbeddedFont, SignError> {
    let data = face.data();
    let parsed = ttf_parser::Face::parse(data, 0).map_err(|e| SignError::Internal(format!("font: {e}")))?;
    let upem = parsed.units_per_em() as f64;
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut codes = BTreeMap::new();
    for c in text.chars() {
        if codes.contains_key(&c) {
            continue;
        }
        let gid = parsed.glyph_index(c).ok_or_else(|| SignError::Internal(format!("no glyph for {c:?}")))?;
        let new = remapper.remap(gid.0);
        let adv = parsed.glyph_hor_advance(gid).unwrap_or(0) as f64 * 1000.0 / upem;
        codes.insert(c, (new, adv));
    }
    let subset =
        subsetter::subset(data, 0, &remapper).map_err(|e| SignError::Internal(format!("font subset: {e:?}")))?;
    let tag: String = Sha256::digest(text.as_bytes()).iter().take(6).map(|b| (b'A' + b % 26) as char).collect();
    let base = format!("{tag}+LiberationSerif{}", if face == Face::Italic { "-Italic" } else { "" });

    let file = up.reserve();
    let mut fd = Dict::default();
    fd.set("Filter", name("FlateDecode"));
    fd.set("Length1", Obj::Int(subset.len() as i64));
    up.put_stream(file, fd, &deflate(&subset));

    let scale = |v: i16| (v as f64 * 1000.0 / upem).round() as i64;
    let bbox = parsed.global_bounding_box();
    let descriptor = up.reserve();
    let mut d = Dict::default();
    d.set("Type", name("FontDescriptor"));
    d.set("FontName", name(&base));
    d.set("Flags", Obj::Int(if face == Face::Italic { 34 + 64 } else { 34 }));
    d.set(
        "FontBBox",
        Obj::Array(vec![
            Obj::Int(scale(bbox.x_min)),
            Obj::Int(scale(bbox.y_min)),
            Obj::Int(scale(bbox.x_max)),
            Obj::Int(scale(bbox.y_max)),
        ]),
    );
    d.set("ItalicAngle", Obj::Real(parsed.italic_angle() as f64));
    d.set("Ascent", Obj::Int(scale(parsed.ascender())));
    d.set("Descent", Obj::Int(scale(parsed.descender())));
    d.set("CapHeight", Obj::Int(scale(parsed.capital_height().unwrap_or(parsed.ascender()))));
    d.set("StemV", Obj::Int(80));
    d.set("FontFile2", Obj::Ref(file, 0));
    up.put_obj(descriptor, &Obj::Dict(d));

    let cid = up.reserve();
    let mut widths = Vec::new();
    for (code, w) in codes.values() {
        widths.push(Obj::Int(*code as i64));
        widths.push(Obj::Array(vec![Obj::Real(*w)]));
    }
    let mut cf = Dict::default();
    cf.set("Type", name("Font"));
    cf.set("Subtype", name("CIDFontType2"));
    cf.set("BaseFont", name(&base));
    let mut info = Dict::default();
    info.set("Registry", Obj::Str(b"Adobe".to_vec()));
    info.set("Ordering", Obj::Str(b"Identity".to_vec()));
    info.set("Supplement", Obj::Int(0));
    cf.set("CIDSystemInfo", Obj::Dict(info));
    cf.set("FontDescriptor", Obj::Ref(descriptor, 0));
    cf.set("W", Obj::Array(widths));
    cf.set("CIDToGIDMap", name("Identity"));
    up.put_obj(cid, &Obj::Dict(cf));

    let to_unicode = up.reserve();
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = codes.iter().collect();
    for chunk in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (c, (code, _)) in chunk {
            let mut buf = [0u16; 2];
            let units: String = c.encode_utf16(&mut buf).iter().map(|u| format!("{u:04X}")).collect();
            cmap.push_str(&format!("<{code:04X}> <{units}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    up.put_stream(to_unicode, Dict::default(), cmap.as_bytes());

    let object = up.reserve();
    let mut t0 = Dict::default();
    t0.set("Type", name("Font"));
    t0.set("Subtype", name("Type0"));
    t0.set("BaseFont", name(&base));
    t0.set("Encoding", name("Identity-H"));
    t0.set("DescendantFonts", Obj::Array(vec![Obj::Ref(cid, 0)]));
    t0.set("ToUnicode", Obj::Ref(to_unicode, 0));
    up.put_obj(object, &Obj::Dict(t0));
    Ok(EmbeddedFont {
        object,
        codes,
        ascent: parsed.ascender() as f64 / upem,
        descent: parsed.descender() as f64 / upem,
    })
}

/// A PNG as an image XObject (RGB, with its alpha as a soft mask): (object, width, height).
pub fn embed_png(up: &mut Update, png: &[u8]) -> Result<(u32, u32, u32), SignError> {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|e| SignError::Internal(format!("seal image: {e}")))?
        .to_rgba8();
    let (w, h) = img.dimensions();
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    let mut alpha = Vec::with_capacity((w * h) as usize);
    for p in img.pixels() {
        rgb.extend_from_slice(&p.0[..3]);
        alpha.push(p.0[3]);
    }
    let image_dict = |space: &str| {
        let mut d = Dict::default();
        d.set("Type", name("XObject"));
        d.set("Subtype", name("Image"));
        d.set("Width", Obj::Int(w as i64));
        d.set("Height", Obj::Int(h as i64));
        d.set("ColorSpace", name(space));
        d.set("BitsPerComponent", Obj::Int(8));
        d.set("Filter", name("FlateDecode"));
        d
    };
    let mask = up.reserve();
    up.put_stream(mask, image_dict("DeviceGray"), &deflate(&alpha));
    let obj = up.reserve();
    let mut d = image_dict("DeviceRGB");
    d.set("SMask", Obj::Ref(mask, 0));
    up.put_stream(obj, d, &deflate(&rgb));
    Ok((obj, w, h))
}

/// A form XObject of `w`×`h` points drawing `content` with `resources`.
pub fn form(up: &mut Update, w: f64, h: f64, resources: Dict, content: &str) -> u32 {
    let n = up.reserve();
    let mut d = Dict::default();
    d.set("Type", name("XObject"));
    d.set("Subtype", name("Form"));
    d.set("BBox", Obj::Array(vec![Obj::Int(0), Obj::Int(0), Obj::Real(w), Obj::Real(h)]));
    d.set("Resources", Obj::Dict(resources));
    up.put_stream(n, d, content.as_bytes());
    n
}
