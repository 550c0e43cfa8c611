//! What pages show, made from records: lines, numbers, dates, Vietnamese halves of
//! the services' bilingual messages, API models inside a page's view, restricted
//! Markdown as HTML, and the small shapes many views share (a choice in a list, a
//! vocabulary value with its wording).

use serde::{Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::vocab::Vocabulary;

/// An API model inside a page's view, shown as the API sends it.
pub(crate) struct Api<'a, T>(pub &'a T);

impl<T: poem_openapi::types::ToJSON> Serialize for Api<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.to_json().unwrap_or(Value::Null).serialize(s)
    }
}

/// A closed vocabulary's value on a page: its code (for classes and form values)
/// and its one Vietnamese wording (`domain::vocab`).
#[derive(Serialize, Clone, Copy)]
pub(crate) struct Word {
    pub code: &'static str,
    pub label: &'static str,
}

impl Word {
    /// The value `v` as a page shows it.
    pub fn of<V: Vocabulary>(v: V) -> Word {
        Word { code: v.code(), label: v.label() }
    }

    /// Every value of a vocabulary, for a choice list.
    pub fn all<V: Vocabulary>() -> Vec<Word> {
        V::ALL.iter().map(|v| Word::of(*v)).collect()
    }
}

/// One entry of a choice list: a record's id and what the list says of it.
#[derive(Serialize)]
pub(crate) struct Choice {
    pub id: Uuid,
    pub label: String,
    pub selected: bool,
}

/// A record named on a page: its id and its name.
#[derive(Serialize)]
pub(crate) struct Named {
    pub id: Uuid,
    pub name: String,
}

/// "27/11/2026 09:15" in Vietnam time.
pub(crate) fn vn_time(t: chrono::DateTime<chrono::Utc>) -> String {
    let vn = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    t.with_timezone(&vn).format("%d/%m/%Y %H:%M").to_string()
}

/// "27/11/2026", the day in Vietnam.
pub(crate) fn vn_date(t: chrono::DateTime<chrono::Utc>) -> String {
    let vn = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    t.with_timezone(&vn).format("%d/%m/%Y").to_string()
}

/// A date as pages show it: "07/12/2026".
pub(crate) fn vn_day(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The lines of a textarea, trimmed, without empty ones.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The Vietnamese half of a bilingual message ("… / …"): pages speak Vietnamese
/// only; the API keeps both.
pub(crate) fn vietnamese(message: &str) -> String {
    // Each line on its own: a list of problems has one bilingual message a line.
    let line = |l: &str| l.split_once(" / ").map_or(l, |(vi, _)| vi).trim_end().to_owned();
    message.lines().map(line).collect::<Vec<_>>().join("\n")
}

/// A quantity as Vietnamese write it: "41.020", "13,88"; `None` stays empty.
pub(crate) fn num(v: Option<f64>) -> Option<String> {
    let v = v?;
    let neg = v < 0.0;
    let text = format!("{:.2}", v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let frac = frac.trim_end_matches('0');
    let sign = if neg { "-" } else { "" };
    Some(if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{frac}") })
}

/// Restricted Markdown as escaped HTML, for previews and the review page.
pub(crate) fn markdown_html(src: &str) -> String {
    use crate::domain::markdown::{Inline, parse};
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
    }
    fn inl(out: &mut String, xs: &[Inline], notes: &mut Vec<String>) {
        for x in xs {
            match x {
                Inline::Text(t) => out.push_str(&esc(t)),
                Inline::Strong(c) => {
                    out.push_str("<strong>");
                    inl(out, c, notes);
                    out.push_str("</strong>");
                }
                Inline::Emph(c) => {
                    out.push_str("<em>");
                    inl(out, c, notes);
                    out.push_str("</em>");
                }
                Inline::Note(c) => {
                    let mut n = String::new();
                    inl(&mut n, c, notes);
                    notes.push(n);
                    out.push_str(&format!("<sup>{}</sup>", notes.len()));
                }
            }
        }
    }
    let mut out = String::new();
    let mut notes = Vec::new();
    for b in parse(src) {
        out.push_str("<p>");
        if let Some(m) = &b.marker {
            out.push_str(&esc(m));
            out.push(' ');
        }
        inl(&mut out, &b.inlines, &mut notes);
        out.push_str("</p>");
    }
    for (i, n) in notes.iter().enumerate() {
        out.push_str(&format!("<p class=\"note\"><sup>{}</sup> {n}</p>", i + 1));
    }
    out
}
