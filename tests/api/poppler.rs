//! Reading PDFs the way a user's tools do: poppler's pdftotext, pdfinfo, pdffonts.
//! When poppler is absent the calling test says so and skips (tests/run.sh installs it).

use std::io::Write;
use std::process::Command;

/// Runs a poppler tool on `pdf`; `None` (with a printed reason) when it is not installed.
pub fn run(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
    if Command::new(tool).arg("-v").output().is_err() {
        crate::helpers::skip(&format!("`{tool}` (poppler-utils); tests/run.sh installs it"));
        return None;
    }
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(pdf).expect("write pdf");
    let path = file.path().to_str().unwrap().to_owned();
    let mut full: Vec<&str> = args.to_vec();
    full.push(&path);
    if tool == "pdftotext" {
        full.push("-");
    }
    let out = Command::new(tool).args(&full).output().expect("run poppler");
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).expect("UTF-8 output"))
}

/// The text a reader sees, in content order (`pdftotext -raw`), as one line:
/// page-number lines dropped, a line broken after "-" or "/" joined back, runs of
/// white space folded, and no space before closing punctuation.
pub fn reading_text(pdf: &[u8]) -> Option<String> {
    let raw = run("pdftotext", &["-raw", "-enc", "UTF-8"], pdf)?;
    let mut text = String::new();
    for line in raw.lines().map(str::trim) {
        if line.is_empty() || line.chars().all(|c| c.is_ascii_digit() || c == '\u{c}') {
            continue;
        }
        let glued = (text.ends_with('-') || text.ends_with('/')) && !text[..text.len() - 1].ends_with(' ');
        if !text.is_empty() && !glued {
            text.push(' ');
        }
        text.push_str(line);
    }
    Some(normalise(&text))
}

/// Folds white space and drops a space before closing punctuation.
pub fn normalise(s: &str) -> String {
    let folded = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if matches!(c, ')' | ',' | '.' | ';' | ':') && out.ends_with(' ') {
            out.pop();
        }
        out.push(c);
    }
    out
}

/// One word's box on a page, in points from the top left.
#[derive(Debug, Clone)]
pub struct Word {
    pub x_min: f64,
    pub y_min: f64,
    pub x_max: f64,
    pub y_max: f64,
    pub text: String,
}

/// A page's size and its words, from `pdftotext -bbox-layout`.
#[derive(Debug)]
pub struct Page {
    pub width: f64,
    pub height: f64,
    pub lines: Vec<Vec<Word>>,
}

fn attr(tag: &str, name: &str) -> f64 {
    let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
    let end = start + tag[start..].find('"').expect("closing quote");
    tag[start..end].parse().expect("number")
}

/// Every page with its lines of words.
pub fn layout(pdf: &[u8]) -> Option<Vec<Page>> {
    let html = run("pdftotext", &["-bbox-layout", "-enc", "UTF-8"], pdf)?;
    let mut pages = Vec::new();
    for chunk in html.split("<page ").skip(1) {
        let head = &chunk[..chunk.find('>').unwrap()];
        let mut page = Page { width: attr(head, "width"), height: attr(head, "height"), lines: Vec::new() };
        for line in chunk.split("<line ").skip(1) {
            let mut words = Vec::new();
            for w in line.split("<word ").skip(1) {
                let tag_end = w.find('>').unwrap();
                let tag = &w[..tag_end];
                let text = &w[tag_end + 1..w.find("</word>").unwrap()];
                words.push(Word {
                    x_min: attr(tag, "xMin"),
                    y_min: attr(tag, "yMin"),
                    x_max: attr(tag, "xMax"),
                    y_max: attr(tag, "yMax"),
                    text: text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\""),
                });
            }
            page.lines.push(words);
        }
        pages.push(page);
    }
    Some(pages)
}

impl Page {
    /// The line's text.
    pub fn line_text(line: &[Word]) -> String {
        line.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The first line containing `needle`.
    pub fn find_line(&self, needle: &str) -> Option<&Vec<Word>> {
        self.lines.iter().find(|l| Self::line_text(l).contains(needle))
    }
}
