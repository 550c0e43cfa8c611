//! Reading a PDF to sign it: the newest trailer and cross-reference section, and
//! any object by its number through hayro-syntax (classic tables, cross-reference
//! and object streams, damaged files), the catalog and the pages in order.
//!
//! The cross-reference forms read are those qpdf, Word and LibreOffice write.

use super::pdf_syntax::{Dict, Obj, Parser, PdfError, err};

/// A parsed file: its bytes, its objects (found by hayro-syntax, which reads
/// classic tables, cross-reference streams, object streams and damaged files), and
/// the newest trailer.
pub struct Document<'a> {
    /// The whole file.
    pub bytes: &'a [u8],
    objects: hayro_syntax::Pdf,
    /// The newest trailer: the cross-reference stream's dictionary when it is one.
    pub trailer: Dict,
    /// Offset of the newest cross-reference section.
    pub startxref: usize,
    /// The newest cross-reference section is a stream: an update must add one too.
    pub xref_stream: bool,
}

/// The offset after the last `startxref`.
fn find_startxref(b: &[u8]) -> Result<usize, PdfError> {
    let tail_from = b.len().saturating_sub(2048);
    let at = memchr::memmem::rfind(&b[tail_from..], b"startxref").ok_or_else(|| PdfError("no startxref".into()))?;
    let mut p = Parser::new(b, tail_from + at + 9);
    match p.object()? {
        Obj::Int(i) if i >= 0 && (i as usize) < b.len() => Ok(i as usize),
        _ => err("startxref does not point into the file"),
    }
}

impl<'a> Document<'a> {
    /// Reads `bytes` as a PDF; an encrypted file is refused.
    pub fn parse(bytes: &'a [u8]) -> Result<Document<'a>, PdfError> {
        let startxref = find_startxref(bytes)?;
        let mut p = Parser::new(bytes, startxref);
        let (trailer, xref_stream) = if p.eat(b"xref") {
            // Past the table to its trailer: subsections of fixed 20-byte entries.
            loop {
                p.skip_ws();
                if p.eat(b"trailer") {
                    break;
                }
                let (Obj::Int(start), Obj::Int(count)) = (p.object()?, p.object()?) else {
                    return err("bad cross-reference subsection");
                };
                if start < 0 || !(0..=10_000_000).contains(&count) {
                    return err("bad cross-reference subsection");
                }
                for _ in 0..count * 3 {
                    p.skip_ws();
                    p.word();
                }
            }
            let Obj::Dict(t) = p.object()? else { return err("trailer is not a dictionary") };
            (t, false)
        } else {
            // A cross-reference stream: its dictionary is the trailer.
            let (Obj::Int(_), Obj::Int(_)) = (p.object()?, p.object()?) else {
                return err("startxref points at neither a table nor a stream");
            };
            if !p.eat(b"obj") {
                return err("startxref points at neither a table nor a stream");
            }
            match p.object()? {
                Obj::Dict(d) if d.get("Type").and_then(Obj::as_name) == Some(b"XRef") => (d, true),
                _ => return err("startxref points at neither a table nor a stream"),
            }
        };
        if trailer.get("Encrypt").is_some() {
            return err("encrypted files cannot be signed");
        }
        let objects = hayro_syntax::Pdf::new(std::sync::Arc::new(bytes.to_vec()))
            .map_err(|e| PdfError(format!("unreadable: {e:?}")))?;
        Ok(Document { bytes, objects, trailer, startxref, xref_stream })
    }

    /// The highest object number plus one.
    pub fn size(&self) -> u32 {
        let from_trailer = self.trailer.get("Size").and_then(Obj::as_int).unwrap_or(0).clamp(0, 8_388_607) as u32;
        from_trailer.max(self.objects.len().min(8_388_607) as u32)
    }

    /// Object `num` of generation 0.
    pub fn get(&self, num: u32) -> Result<Obj, PdfError> {
        self.get_gen(num, 0)
    }

    /// Object `num` of generation `generation`, wherever it is stored (in the file or
    /// in an object stream). Dictionaries and arrays are read from their own bytes.
    fn get_gen(&self, num: u32, generation: u16) -> Result<Obj, PdfError> {
        use hayro_syntax::object::{Object, ObjectIdentifier};
        let id = ObjectIdentifier::new(num.min(i32::MAX as u32) as i32, i32::from(generation));
        let parse = |raw: &[u8]| Parser::new(raw, 0).object();
        match self.objects.xref().get::<Object<'_>>(id) {
            None => err(format!("object {num} is missing")),
            Some(Object::Null(_)) => Ok(Obj::Null),
            Some(Object::Boolean(b)) => Ok(Obj::Bool(b)),
            Some(Object::Number(n)) => {
                let v = n.as_f64();
                Ok(if v.fract() == 0.0 && v.abs() < 9e15 { Obj::Int(v as i64) } else { Obj::Real(v) })
            }
            Some(Object::String(s)) => Ok(Obj::Str(s.as_ref().to_vec())),
            Some(Object::Name(n)) => Ok(Obj::Name(n.as_ref().to_vec())),
            Some(Object::Dict(d)) => parse(d.data()),
            Some(Object::Array(a)) => parse(a.data()),
            Some(Object::Stream(s)) => match parse(s.dict().data())? {
                Obj::Dict(d) => Ok(Obj::Stream(d)),
                _ => err(format!("object {num} is a stream without a dictionary")),
            },
        }
    }

    /// Follows a reference; other objects are returned as they are.
    pub fn resolve(&self, o: &Obj) -> Result<Obj, PdfError> {
        match o {
            Obj::Ref(n, g) => self.get_gen(*n, *g),
            other => Ok(other.clone()),
        }
    }

    /// The catalog's object number and dictionary.
    pub fn catalog(&self) -> Result<(u32, Dict), PdfError> {
        let Some(Obj::Ref(n, _)) = self.trailer.get("Root") else { return err("no document catalog") };
        match self.get(*n)? {
            Obj::Dict(d) => Ok((*n, d)),
            _ => err("the catalog is not a dictionary"),
        }
    }

    /// Page objects in order: (object number, dictionary).
    pub fn pages(&self) -> Result<Vec<(u32, Dict)>, PdfError> {
        let (_, cat) = self.catalog()?;
        let Some(Obj::Ref(root, _)) = cat.get("Pages") else { return err("no page tree") };
        let mut out = Vec::new();
        let mut stack = vec![*root];
        let mut visited = 0;
        while let Some(n) = stack.pop() {
            visited += 1;
            if visited > 100_000 {
                return err("page tree too large or cyclic");
            }
            let Obj::Dict(d) = self.get(n)? else { return err("page tree node is not a dictionary") };
            match d.get("Type").and_then(Obj::as_name) {
                Some(b"Pages") => {
                    if let Some(Obj::Array(kids)) = d.get("Kids") {
                        for k in kids.iter().rev() {
                            if let Obj::Ref(r, _) = k {
                                stack.push(*r);
                            }
                        }
                    }
                }
                _ => out.push((n, d)),
            }
        }
        Ok(out)
    }
}
