//! The fonts a document may use: the bundled Liberation Serif, plus any fonts a
//! deployment adds (a licensed Times New Roman, which the templates prefer).

use std::path::Path;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// The bundled faces, compiled in.
pub const BUNDLED: [&[u8]; 4] = [
    include_bytes!("../../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// Loaded fonts and what they can draw.
pub struct Fonts {
    /// Every face, in book order.
    pub fonts: Vec<Font>,
    /// typst's index of the faces.
    pub book: LazyHash<FontBook>,
    /// The family the body text is set in (the first the templates list that is present).
    pub family: String,
    /// Faces of `family`: a character must be in all of them to be printable.
    body_faces: Vec<usize>,
}

/// Families the templates ask for, in order of preference.
pub const FAMILIES: [&str; 2] = ["Times New Roman", "Liberation Serif"];

impl Fonts {
    /// The bundled fonts plus every .ttf/.otf/.ttc in `extra_dir` (if given).
    pub fn load(extra_dir: Option<&Path>) -> std::io::Result<Fonts> {
        let mut fonts: Vec<Font> = Vec::new();
        if let Some(dir) = extra_dir {
            let mut paths: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
                if matches!(ext.as_str(), "ttf" | "otf" | "ttc") {
                    fonts.extend(Font::iter(Bytes::new(std::fs::read(&path)?)));
                }
            }
        }
        for data in BUNDLED {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        let book = FontBook::from_fonts(&fonts);
        let family = FAMILIES
            .iter()
            .find(|f| fonts.iter().any(|font| font.info().family.eq_ignore_ascii_case(f)))
            .map(|f| f.to_string())
            .unwrap_or_else(|| FAMILIES[1].to_owned());
        let body_faces = fonts
            .iter()
            .enumerate()
            .filter(|(_, f)| f.info().family.eq_ignore_ascii_case(&family))
            .map(|(i, _)| i)
            .collect();
        Ok(Fonts { fonts, book: LazyHash::new(book), family, body_faces })
    }

    /// The faces of the body family (a character must be in each to print).
    pub fn body_faces(&self) -> Vec<Font> {
        self.body_faces.iter().map(|i| self.fonts[*i].clone()).collect()
    }

    /// Whether every face of the body family can draw `c`.
    pub fn covers(&self, c: char) -> bool {
        self.body_faces.iter().all(|i| self.fonts[*i].info().coverage.contains(c as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_serif_draws_every_vietnamese_letter() {
        let fonts = Fonts::load(None).unwrap();
        assert_eq!(fonts.family, "Liberation Serif");
        let letters = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệfghiìỉĩíịjklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvwxyỳỷỹýỵz";
        for c in letters.chars().chain(letters.to_uppercase().chars()) {
            assert!(fonts.covers(c), "{c} (U+{:04X})", c as u32);
        }
        assert!(fonts.covers('≥') && fonts.covers('–') && fonts.covers('“'));
        assert!(!fonts.covers('漢'), "no CJK in Liberation Serif");
    }
}
