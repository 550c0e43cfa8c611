//! Just enough PDF to sign one: find a file's objects with hayro-syntax (classic
//! tables, cross-reference and object streams, damaged files), parse the few
//! dictionaries signing changes into values it can edit, and append an incremental
//! update — with a table or a cross-reference stream, like the section it follows.
//! Reading never panics on malformed input; it says why.
//!
//! The values and their syntax are in `pdf_syntax`, the reader in `pdf_read`, the
//! incremental writer in `pdf_write`; this module is their one public path.

pub use super::pdf_read::Document;
pub use super::pdf_syntax::{Dict, Obj, Parser, PdfError, decode_text, name, text, write_dict, write_obj};
pub use super::pdf_write::Update;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_read_back_as_written() {
        let src = b"<</A [1 2.5 (a\\(b\\)) <414243> /N#20x 3 0 R true null] /B<</C -4>>>>";
        let o = Parser::new(src, 0).object().unwrap();
        let d = o.as_dict().unwrap();
        let Obj::Array(a) = d.get("A").unwrap() else { panic!() };
        assert_eq!(a[2], Obj::Str(b"a(b)".to_vec()));
        assert_eq!(a[3], Obj::Str(b"ABC".to_vec()));
        assert_eq!(a[4], Obj::Name(b"N x".to_vec()));
        assert_eq!(a[5], Obj::Ref(3, 0));
        let mut out = Vec::new();
        write_obj(&mut out, &o);
        assert_eq!(Parser::new(&out, 0).object().unwrap(), o);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_parse_to_an_error_or_a_document_never_a_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            tokens in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<<", ">>", "[", "]", "(", ")", "/N", "1 0 obj", "endobj", "1 0 R", "xref\n0 2\n", "trailer",
                    "startxref\n0\n%%EOF", "stream\n", "endstream", "/ByteRange [0 1 2 3]", "/Contents <00>",
                    "%PDF-1.7\n", "9999999999", "-1", "\\", "#", "/Type /XRef /W [1 2 1] /Index [0 3]",
                    "/Type /ObjStm /N 2 /First 8", "/Filter /FlateDecode", "/XRefStm 0", "/Prev 0",
                ]),
                0..64,
            ),
        ) {
            let _ = Document::parse(&bytes);
            let _ = Parser::new(&bytes, 0).object();
            let joined = tokens.concat();
            let _ = Document::parse(joined.as_bytes());
            let _ = Parser::new(joined.as_bytes(), 0).object();
            let _ = crate::signing::verify(joined.as_bytes(), &crate::signing::keys::TrustStore::default());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn a_damaged_libreoffice_file_is_an_error_or_a_document_never_a_panic(
            flips in proptest::collection::vec((0usize..31_172, proptest::prelude::any::<u8>()), 1..16),
            cut in 0usize..31_172,
        ) {
            let mut bytes = include_bytes!("../../tests/fixtures/libreoffice/phu-luc.pdf").to_vec();
            for (at, b) in flips {
                if let Some(slot) = bytes.get_mut(at) {
                    *slot = b;
                }
            }
            for candidate in [&bytes[..], &bytes[..cut.min(bytes.len())]] {
                if let Ok(doc) = Document::parse(candidate) {
                    let _ = doc.pages();
                    let _ = doc.catalog();
                }
                let _ = crate::signing::verify(candidate, &crate::signing::keys::TrustStore::default());
            }
        }
    }

    #[test]
    fn a_file_made_of_signature_lookalikes_reports_at_most_the_cap() {
        let trust = crate::signing::keys::TrustStore::default();
        let dicts = b"1 0 obj << /ByteRange [0 1 2 3] >>\nendobj\n".repeat(20_000);
        let reports = crate::signing::verify(&dicts, &trust);
        assert_eq!(reports.len(), crate::signing::MAX_SIGNATURES);
        assert!(reports.iter().all(|r| !r.intact && r.problem.is_some()));
        assert!(crate::signing::verify(&b"/ByteRange ".repeat(50_000), &trust).is_empty());
        for hostile in [&b"<< /A [1 2 3] /ByteRange "[..], b"<< /ByteRange (", b"<< /ByteRange <0"] {
            assert!(crate::signing::verify(&hostile.repeat(20_000), &trust).len() <= crate::signing::MAX_SIGNATURES);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for b in [&b""[..], b"%PDF-1.7\n", b"startxref\n99999\n%%EOF", b"<<", b"[[[[", b"(unterminated", b"xref\n0 1"] {
            let _ = Document::parse(b);
            let _ = Parser::new(b, 0).object();
        }
        let deep = "[".repeat(10_000);
        assert!(Parser::new(deep.as_bytes(), 0).object().is_err());
    }

    #[test]
    fn vietnamese_text_strings_are_utf16_with_a_bom() {
        let Obj::Str(b) = text("Phê duyệt") else { panic!() };
        assert_eq!(&b[..2], &[0xFE, 0xFF]);
        assert_eq!(decode_text(&b), "Phê duyệt");
        assert_eq!(decode_text(b"plain"), "plain");
    }
}
