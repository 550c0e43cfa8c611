//! The restricted Markdown of narratives and proposals, parsed into a few node
//! kinds the document templates draw: paragraphs (optionally led by "- ", "+ " or
//! "1."), bold, italic and footnotes. Anything else Markdown would interpret
//! (headings, links, code, HTML…) is kept as the literal text the user typed.
//!
//! Nothing here recurses as deep as its input: bold and italic nest at most
//! [`MAX_NESTING`] levels (deeper marks are dropped, their text kept), and a
//! footnote's own text never resolves further footnotes.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// How deep bold and italic may nest; deeper marks keep their text only.
pub const MAX_NESTING: usize = 3;

/// How many footnotes one text may carry; later references stay literal.
pub const MAX_NOTES: usize = 50;

/// An inline run of text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", content = "c", rename_all = "snake_case")]
pub enum Inline {
    /// Plain text, printed as is.
    Text(String),
    /// Bold.
    Strong(Vec<Inline>),
    /// Italic.
    Emph(Vec<Inline>),
    /// A footnote: its mark goes here, its text to the foot of the page.
    Note(Vec<Inline>),
}

/// A paragraph, with the leading mark the user wrote ("-", "+", "1.") if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// "-", "+", "1." … or `None` for a plain paragraph.
    pub marker: Option<String>,
    /// Its content.
    pub inlines: Vec<Inline>,
}

/// Parses restricted Markdown into blocks; never fails.
pub fn parse(src: &str) -> Vec<Block> {
    let mut p = State { src, ..Default::default() };
    let parser = Parser::new_ext(src, Options::ENABLE_FOOTNOTES).into_offset_iter();
    for (event, range) in parser {
        p.event(event, range);
    }
    p.flush();
    let notes = std::mem::take(&mut p.notes);
    let mut used = Vec::new();
    p.blocks.into_iter().map(|b| Block { marker: b.marker, inlines: resolve(b.inlines, &notes, &mut used) }).collect()
}

/// The plain text of inlines (for checks and search), footnotes left out.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) => out.push_str(t),
            Inline::Strong(c) | Inline::Emph(c) => out.push_str(&plain_text(c)),
            Inline::Note(_) => {}
        }
    }
    out
}

/// A footnote reference before its definition is known.
const NOTE_REF: &str = "\u{0}note:";

/// Puts each footnote's text at its first reference. A label referenced again, a
/// label with no definition, or one past [`MAX_NOTES`] stays as the literal
/// `[^label]`; references inside a footnote's own text are not followed.
fn resolve(inlines: Vec<Inline>, notes: &HashMap<String, Vec<Inline>>, used: &mut Vec<String>) -> Vec<Inline> {
    inlines
        .into_iter()
        .map(|i| match i {
            Inline::Text(t) => match t.strip_prefix(NOTE_REF) {
                Some(label) => match notes.get(label) {
                    Some(n) if used.len() < MAX_NOTES && !used.iter().any(|u| u == label) => {
                        used.push(label.to_owned());
                        Inline::Note(literal_refs(n.clone()))
                    }
                    _ => Inline::Text(format!("[^{label}]")),
                },
                None => Inline::Text(t),
            },
            Inline::Strong(c) => Inline::Strong(resolve(c, notes, used)),
            Inline::Emph(c) => Inline::Emph(resolve(c, notes, used)),
            Inline::Note(c) => Inline::Note(c),
        })
        .collect()
}

/// A footnote's text with the references inside it turned back into literal text.
fn literal_refs(inlines: Vec<Inline>) -> Vec<Inline> {
    inlines
        .into_iter()
        .map(|i| match i {
            Inline::Text(t) => match t.strip_prefix(NOTE_REF) {
                Some(label) => Inline::Text(format!("[^{label}]")),
                None => Inline::Text(t),
            },
            Inline::Strong(c) => Inline::Strong(literal_refs(c)),
            Inline::Emph(c) => Inline::Emph(literal_refs(c)),
            Inline::Note(c) => Inline::Note(c),
        })
        .collect()
}

#[derive(Default)]
struct State<'a> {
    src: &'a str,
    blocks: Vec<Block>,
    notes: HashMap<String, Vec<Inline>>,
    current: Option<Block>,
    spans: Vec<Vec<Inline>>,
    lists: Vec<Option<u64>>,
    marker: Option<String>,
    note: Option<String>,
    skip_depth: usize,
    /// Bold/italic marks opened past [`MAX_NESTING`]: their ends are ignored too.
    flattened: usize,
}

impl State<'_> {
    fn push(&mut self, inline: Inline) {
        if let Some(top) = self.spans.last_mut() {
            top.push(inline);
            return;
        }
        let marker = self.marker.take();
        let block = self.current.get_or_insert_with(|| Block { marker, inlines: Vec::new() });
        if let (Inline::Text(t), Some(Inline::Text(prev))) = (&inline, block.inlines.last_mut())
            && !t.starts_with(NOTE_REF)
            && !prev.starts_with(NOTE_REF)
        {
            prev.push_str(t);
            return;
        }
        block.inlines.push(inline);
    }

    fn flush(&mut self) {
        while let Some(span) = self.spans.pop() {
            for i in span {
                self.push(i);
            }
        }
        if let Some(block) = self.current.take().filter(|b| !b.inlines.is_empty()) {
            match &self.note {
                Some(label) => {
                    let note = self.notes.entry(label.clone()).or_default();
                    if !note.is_empty() {
                        note.push(Inline::Text(" ".into()));
                    }
                    note.extend(block.inlines);
                }
                None => self.blocks.push(block),
            }
        }
    }

    fn literal(&mut self, range: Range<usize>) {
        let text = self.src[range].split_whitespace().collect::<Vec<_>>().join(" ");
        self.push(Inline::Text(text));
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if self.skip_depth > 0 {
            match event {
                Event::Start(_) => self.skip_depth += 1,
                Event::End(_) => self.skip_depth -= 1,
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Paragraph) => {
                if self.current.as_ref().is_some_and(|b| !b.inlines.is_empty()) {
                    self.flush();
                }
            }
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => self.flush(),
            Event::Start(Tag::List(start)) => self.lists.push(start),
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                self.flush();
                self.marker = Some(match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}.");
                        *n += 1;
                        m
                    }
                    _ => self.src[range.start..].chars().next().unwrap_or('-').to_string(),
                });
            }
            Event::Start(Tag::Strong) | Event::Start(Tag::Emphasis) => {
                if self.spans.len() >= MAX_NESTING {
                    self.flattened += 1;
                } else {
                    self.spans.push(Vec::new());
                }
            }
            Event::End(TagEnd::Strong) | Event::End(TagEnd::Emphasis) if self.flattened > 0 => self.flattened -= 1,
            Event::End(TagEnd::Strong) => {
                let inner = self.spans.pop().unwrap_or_default();
                self.push(Inline::Strong(inner));
            }
            Event::End(TagEnd::Emphasis) => {
                let inner = self.spans.pop().unwrap_or_default();
                self.push(Inline::Emph(inner));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.flush();
                self.note = Some(label.to_string());
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                self.flush();
                self.note = None;
            }
            Event::FootnoteReference(label) => self.push(Inline::Text(format!("{NOTE_REF}{label}"))),
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => self.push(Inline::Text(t.to_string())),
            Event::SoftBreak | Event::HardBreak => self.push(Inline::Text(" ".into())),
            Event::Code(_) | Event::InlineMath(_) | Event::DisplayMath(_) => self.literal(range),
            Event::Rule => {
                self.flush();
                self.literal(range);
                self.flush();
            }
            Event::Start(tag) => {
                // Anything the restricted format does not know: the user's own text.
                let block_level =
                    matches!(tag, Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::BlockQuote(_) | Tag::HtmlBlock);
                if block_level {
                    self.flush();
                }
                self.literal(range);
                if block_level {
                    self.flush();
                }
                self.skip_depth = 1;
            }
            Event::End(_) | Event::TaskListMarker(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn paragraphs_keep_their_dash_and_plus_marks() {
        let blocks = parse("Mở đầu.\n\n- Một (**đạt**)\n\n+ **Nhãn:** hai.");
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0], Block { marker: None, inlines: vec![t("Mở đầu.")] });
        assert_eq!(blocks[1].marker.as_deref(), Some("-"));
        assert_eq!(blocks[1].inlines, vec![t("Một ("), Inline::Strong(vec![t("đạt")]), t(")")]);
        assert_eq!(blocks[2].marker.as_deref(), Some("+"));
        assert_eq!(blocks[2].inlines[0], Inline::Strong(vec![t("Nhãn:")]));
    }

    #[test]
    fn a_footnote_is_placed_at_its_reference() {
        let blocks = parse("Giải ngân 9,36% (**không đạt**[^1]). Tiếp.\n\n[^1]: Do nguồn vốn *quá lớn*.");
        assert_eq!(blocks.len(), 1);
        let note = blocks[0].inlines.iter().find_map(|i| match i {
            Inline::Note(c) => Some(c.clone()),
            _ => None,
        });
        assert_eq!(note, Some(vec![t("Do nguồn vốn "), Inline::Emph(vec![t("quá lớn")]), t(".")]));
        assert_eq!(plain_text(&blocks[0].inlines), "Giải ngân 9,36% (không đạt). Tiếp.");
    }

    #[test]
    fn what_the_format_does_not_know_stays_literal() {
        let blocks = parse("# Tiêu đề\n\nXem [trang](http://x) và `mã` <b>đậm</b> $x$");
        assert_eq!(plain_text(&blocks[0].inlines), "# Tiêu đề");
        assert_eq!(plain_text(&blocks[1].inlines), "Xem [trang](http://x) và `mã` <b>đậm</b> $x$");
        let typst_like = parse("#read(\"/etc/passwd\") #panic() ] $ @ < 5 * 3");
        assert_eq!(plain_text(&typst_like[0].inlines), "#read(\"/etc/passwd\") #panic() ] $ @ < 5 * 3");
    }

    #[test]
    fn numbered_lines_keep_their_numbers_and_unknown_notes_stay_literal() {
        let blocks = parse("1. Một\n2. Hai\n\nXem [^9].");
        assert_eq!(blocks[0].marker.as_deref(), Some("1."));
        assert_eq!(blocks[1].marker.as_deref(), Some("2."));
        assert_eq!(plain_text(&blocks[2].inlines), "Xem [^9].");
    }

    fn depth(xs: &[Inline]) -> usize {
        // Iterative, like everything that walks user input.
        let mut max = 0;
        let mut stack: Vec<(&[Inline], usize)> = vec![(xs, 0)];
        while let Some((xs, d)) = stack.pop() {
            max = max.max(d);
            for x in xs {
                match x {
                    Inline::Strong(c) | Inline::Emph(c) | Inline::Note(c) => stack.push((c, d + 1)),
                    Inline::Text(_) => {}
                }
            }
        }
        max
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_with_bounded_nesting(src in "[*_\\[\\]^:\n a-zđ#>`1.+-]{0,300}|\\PC{0,200}") {
            let blocks = parse(&src);
            for b in &blocks {
                proptest::prop_assert!(depth(&b.inlines) <= MAX_NESTING + 1, "{:?}", b);
                let _ = plain_text(&b.inlines);
            }
        }
    }

    #[test]
    fn deeply_nested_marks_are_flattened_and_keep_their_text() {
        let src = format!("{}x{}", "*".repeat(20_000), "*".repeat(20_000));
        let blocks = parse(&src);
        assert!(blocks.iter().all(|b| depth(&b.inlines) <= MAX_NESTING), "nesting bounded");
        assert!(blocks.iter().any(|b| plain_text(&b.inlines).contains('x')));
        let nested = format!("{}chữ{}", "***".repeat(500), "***".repeat(500));
        assert!(parse(&nested).iter().all(|b| depth(&b.inlines) <= MAX_NESTING));
        let blocks = parse("**đậm *nghiêng* đậm**");
        assert_eq!(plain_text(&blocks[0].inlines), "đậm nghiêng đậm");
    }

    #[test]
    fn a_footnote_that_refers_to_itself_or_repeats_stays_literal() {
        let blocks = parse("A[^1] B[^1]\n\n[^1]: xem [^1] và [^2]\n\n[^2]: hai");
        let notes: Vec<_> = blocks[0].inlines.iter().filter(|i| matches!(i, Inline::Note(_))).collect();
        assert_eq!(notes.len(), 1, "{blocks:?}");
        assert!(plain_text(&blocks[0].inlines).contains("B[^1]"));
        let Inline::Note(c) = notes[0] else { unreachable!() };
        assert_eq!(plain_text(c), "xem [^1] và [^2]");
        let many: String = (0..200).map(|i| format!("t[^{i}] ")).collect::<String>()
            + &(0..200).map(|i| format!("\n\n[^{i}]: n{i}")).collect::<String>();
        let notes = parse(&many)[0].inlines.iter().filter(|i| matches!(i, Inline::Note(_))).count();
        assert_eq!(notes, MAX_NOTES);
    }
}
