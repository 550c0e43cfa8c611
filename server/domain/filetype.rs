//! What an uploaded file really is, from its first bytes (the name and the
//! client's content type are not trusted). Documents, images and archives are
//! accepted; executables and anything unknown are refused.

/// Every type [`sniff`] accepts (the OpenAPI document lists them for downloads).
pub const ACCEPTED: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/zip",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/msword",
    "application/vnd.rar",
    "application/x-7z-compressed",
    "application/gzip",
];

/// The verdict on a file's first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// An accepted type, with its MIME type.
    Accepted(&'static str),
    /// A program or script.
    Executable,
    /// Nothing we recognise.
    Unknown,
}

/// Classifies a file by its first bytes (a few KiB suffice); `name` only tells the
/// old Office formats apart, which share one container.
pub fn sniff(head: &[u8], name: &str) -> Sniffed {
    let starts = |magic: &[u8]| head.starts_with(magic);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if starts(b"MZ")
        || starts(b"\x7fELF")
        || starts(b"#!")
        || [b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe"]
            .iter()
            .any(|m| starts(*m))
    {
        return Sniffed::Executable;
    }
    let t = if starts(b"%PDF-") {
        "application/pdf"
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        "image/webp"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "image/tiff"
    } else if starts(b"PK\x03\x04") {
        zip_kind(head)
    } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        match ext.as_str() {
            "xls" => "application/vnd.ms-excel",
            "ppt" => "application/vnd.ms-powerpoint",
            _ => "application/msword",
        }
    } else if starts(b"Rar!\x1a\x07") {
        "application/vnd.rar"
    } else if starts(b"7z\xbc\xaf\x27\x1c") {
        "application/x-7z-compressed"
    } else if starts(b"\x1f\x8b") {
        "application/gzip"
    } else {
        return Sniffed::Unknown;
    };
    Sniffed::Accepted(t)
}

/// Office Open XML and OpenDocument files are zip archives; their first entries say which.
fn zip_kind(head: &[u8]) -> &'static str {
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"application/vnd.oasis.opendocument.text") {
        "application/vnd.oasis.opendocument.text"
    } else if has(b"application/vnd.oasis.opendocument.spreadsheet") {
        "application/vnd.oasis.opendocument.spreadsheet"
    } else if has(b"word/") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if has(b"xl/") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if has(b"ppt/") {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    } else {
        "application/zip"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_bytes_and_name_are_sniffed_without_panicking(
            head in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            name in "\\PC{0,40}",
        ) {
            let _ = sniff(&head, &name);
        }
    }

    #[test]
    fn documents_images_and_archives_are_recognised_from_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "x.exe"), Sniffed::Accepted("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....", "a.pdf"), Sniffed::Accepted("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0", "a"), Sniffed::Accepted("image/jpeg"));
        assert_eq!(
            sniff(b"PK\x03\x04....[Content_Types].xml....word/document.xml", "a.docx"),
            Sniffed::Accepted("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        assert_eq!(
            sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "bang.xls"),
            Sniffed::Accepted("application/vnd.ms-excel")
        );
        assert_eq!(sniff(b"PK\x03\x04data", "a.zip"), Sniffed::Accepted("application/zip"));
    }

    #[test]
    fn programs_and_unknown_bytes_are_refused() {
        assert_eq!(sniff(b"MZ\x90\x00", "bao-cao.pdf"), Sniffed::Executable);
        assert_eq!(sniff(b"\x7fELF\x02", "a.png"), Sniffed::Executable);
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /", "a.txt"), Sniffed::Executable);
        assert_eq!(sniff(b"hello", "a.txt"), Sniffed::Unknown);
        assert_eq!(sniff(b"", "a.pdf"), Sniffed::Unknown);
    }
}
