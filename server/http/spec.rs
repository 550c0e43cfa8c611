//! The rules the services hold text to, stated in the OpenAPI document, so a client
//! that follows the document is not refused: which fields must not be empty, which
//! characters no text may hold (control characters, and the marks that reorder
//! printed text), e-mail addresses, codes and login names.
//!
//! The services check every field themselves and name every problem of a request at
//! once (a page's form gets the same answer), so these rules are not enforced by the
//! schema parser: they are written into the generated document. Each pattern says
//! exactly what the service refuses, never more (a stricter document would call a
//! request the server takes "invalid"); `tests/api/schema_rules.rs` sends every
//! field that breaks its stated rule and expects the service's 422 naming it.
//! What a document cannot say is left to the 422: a character the documents' fonts
//! lack, a reference to a record that does not exist, a deadline outside the plan's
//! year. An address is stated by its pattern, not as `format: email`: the services
//! take any address with one "@" and a dotted domain (blanks around it trimmed),
//! which is looser than that format's RFC 5321, and a document stricter than the
//! server would call addresses it takes invalid.

use serde_json::{Value, json};

/// Characters no one-line text holds: control characters (a tab is allowed) and the
/// marks that change the order of printed text (`domain::text::problem`).
const NOT_IN_LINE: &str = r"\u0000-\u0008\u000A-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069";
/// The same for a paragraph field, which may hold line breaks.
const NOT_IN_TEXT: &str =
    r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069";
/// What trimming removes (Unicode White_Space, as Rust's `trim`), beyond the
/// control characters above.
const BLANK: &str = r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// How a field is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// One line, may be empty.
    Line,
    /// One line with something in it besides blanks.
    LineRequired,
    /// Paragraphs, may be empty.
    Text,
    /// Paragraphs with something in them besides blanks.
    TextRequired,
    /// Paragraphs read after trimming the blanks at either end (any blank there is
    /// dropped, a control character one too), may be empty.
    TrimmedText,
    /// The same, with something left after trimming.
    TrimmedTextRequired,
    /// An e-mail address: something, "@", a domain with a dot inside it.
    Email,
    /// Lowercase ASCII letters, digits and "-" (an office's code).
    LowerCode,
    /// ASCII letters, digits, ".", "_" and "-" (a login name).
    LoginName,
    /// One line with something in it, at most 20 characters (a task's code).
    TaskCode,
    /// A date in the years 2000–2100.
    Year2000To2100,
    /// A list naming each item once.
    Unique,
    /// A list of at least one item.
    NotEmpty,
}

/// Every text field the services check, by schema and property (`[]`: each item).
pub const RULES: &[(&str, &str, Rule)] = &[
    ("IssuerInput", "code", Rule::LowerCode),
    ("IssuerInput", "name_lines[]", Rule::LineRequired),
    ("IssuerInput", "parent_lines[]", Rule::LineRequired),
    ("IssuerInput", "abbreviation", Rule::LineRequired),
    ("IssuerInput", "place_name", Rule::LineRequired),
    ("IssuerInput", "full_name", Rule::LineRequired),
    ("IssuerInput", "short_name", Rule::LineRequired),
    ("IssuerInput", "head_title", Rule::LineRequired),
    ("IssuerInput", "subordinates_name", Rule::Line),
    ("IssuerInput", "collective_title", Rule::Line),
    ("IssuerInput", "deputy_title", Rule::Line),
    ("UnitInput", "name", Rule::LineRequired),
    ("UnitInput", "short_name", Rule::LineRequired),
    ("UnitInput", "emails[]", Rule::Email),
    ("UserInput", "username", Rule::LoginName),
    ("UserInput", "name", Rule::LineRequired),
    ("UserInput", "email", Rule::Email),
    ("RubricInput", "name", Rule::LineRequired),
    ("RubricInput", "bands", Rule::NotEmpty),
    ("BandInput", "label", Rule::LineRequired),
    ("PlanInput", "title", Rule::LineRequired),
    ("PlanInput", "based_on[]", Rule::LineRequired),
    ("GroupInput", "title", Rule::LineRequired),
    ("GroupInput", "summary_title", Rule::Line),
    ("TaskInput", "code", Rule::TaskCode),
    ("TaskInput", "text", Rule::TextRequired),
    ("TaskInput", "deadline", Rule::Year2000To2100),
    ("TaskInput", "cooperating_unit_ids", Rule::Unique),
    ("ReminderPolicy", "holidays[]", Rule::Year2000To2100),
    ("ReminderPolicy", "workdays[]", Rule::Year2000To2100),
    ("TargetLine", "description", Rule::LineRequired),
    ("TargetLine", "measure_unit", Rule::Line),
    ("TargetInput", "description", Rule::LineRequired),
    ("TargetInput", "measure_unit", Rule::Line),
    ("TargetInput", "as_of", Rule::Year2000To2100),
    ("ProposalInput", "text", Rule::TextRequired),
    ("ProposalInput", "place", Rule::Line),
    ("ContributionInput", "text", Rule::TextRequired),
    ("ResultInput", "narrative", Rule::Text),
    ("ResultInput", "rating_override", Rule::Line),
    ("ResultInput", "override_reason", Rule::Text),
    ("StepInput", "comment", Rule::TrimmedText),
    ("CommentInput", "comment", Rule::TrimmedTextRequired),
    ("ReasonInput", "reason", Rule::TrimmedTextRequired),
    ("TokenInput", "name", Rule::LineRequired),
    ("DocumentInput", "subject", Rule::LineRequired),
    ("DocumentInput", "legal_bases[]", Rule::LineRequired),
    ("DocumentInput", "opening", Rule::Text),
    ("DocumentInput", "closing", Rule::Text),
    ("DocumentInput", "signer_collective", Rule::Line),
    ("DocumentInput", "signer_head_title", Rule::Line),
    ("DocumentInput", "signer_position", Rule::Line),
    ("DocumentInput", "signer_name", Rule::Line),
    ("DocumentInput", "drafting_unit", Rule::Line),
    ("DocumentInput", "dated_on", Rule::Year2000To2100),
    ("Recipient", "label", Rule::LineRequired),
    ("Recipient", "emails[]", Rule::Email),
];

/// A text between its end blanks: it starts and ends with neither a blank nor a
/// forbidden character, and holds no forbidden character, then blanks to the end.
fn trimmed(not: &str) -> String {
    format!("[^{not}{BLANK}](?:[^{not}]*[^{not}{BLANK}])?[{BLANK}]*")
}

/// Fields a request must carry, which the schema's type takes as optional so that
/// the service names their absence with the input's other problems.
pub const PRESENT: &[(&str, &str)] = &[("CommentInput", "comment")];

/// The schema keywords that state `rule`.
fn keywords(rule: Rule) -> Value {
    match rule {
        Rule::Year2000To2100 => return json!({ "pattern": "^(20[0-9]{2}|2100)-" }),
        Rule::Unique => return json!({ "uniqueItems": true }),
        Rule::NotEmpty => return json!({ "minItems": 1 }),
        _ => {}
    }
    let somewhere = |not: &str| format!("^[^{not}]*[^{not}{BLANK}][^{not}]*$");
    let (pattern, at_least) = match rule {
        Rule::Line => (format!("^[^{NOT_IN_LINE}]*$"), 0),
        Rule::LineRequired => (somewhere(NOT_IN_LINE), 1),
        Rule::Text => (format!("^[^{NOT_IN_TEXT}]*$"), 0),
        Rule::TextRequired => (somewhere(NOT_IN_TEXT), 1),
        Rule::TrimmedText => (format!("^[{BLANK}]*(?:{})?$", trimmed(NOT_IN_TEXT)), 0),
        Rule::TrimmedTextRequired => (format!("^[{BLANK}]*{}$", trimmed(NOT_IN_TEXT)), 1),
        Rule::Email => {
            // `services::is_email` on the trimmed address; no blank inside it.
            let part = format!("[^@{NOT_IN_LINE}{BLANK}]");
            let edge = format!("[^@.{NOT_IN_LINE}{BLANK}]");
            let blank = r"[\u0009\u0020\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*";
            (format!("^{blank}{part}+@{edge}{part}*\\.{part}*{edge}{blank}$"), 1)
        }
        Rule::LowerCode => ("^[a-z0-9-]+$".to_owned(), 1),
        Rule::LoginName => ("^[A-Za-z0-9._-]+$".to_owned(), 1),
        Rule::TaskCode => (somewhere(NOT_IN_LINE), 1),
        Rule::Year2000To2100 | Rule::Unique | Rule::NotEmpty => unreachable!("stated above"),
    };
    let mut k = json!({ "pattern": pattern });
    if at_least > 0 {
        k["minLength"] = json!(at_least);
    }
    if rule == Rule::TaskCode {
        k["maxLength"] = json!(20);
    }
    k
}

/// The property `field` of the schema `schema` (`name[]`: its items), where it
/// holds its own keywords (a nullable field wraps them in `allOf`).
fn property<'a>(doc: &'a mut Value, schema: &str, field: &str) -> Option<&'a mut Value> {
    let (name, items) = match field.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (field, false),
    };
    let mut p = doc.get_mut("components")?.get_mut("schemas")?.get_mut(schema)?.get_mut("properties")?.get_mut(name)?;
    if items {
        p = p.get_mut("items")?;
    }
    if p.get("type").is_none() && p.get("allOf").is_some() {
        p = p.get_mut("allOf")?.get_mut(0)?;
    }
    Some(p)
}

/// The document with the rules of [`RULES`] written into it. A rule whose schema
/// or field is missing is a mistake in the table: `missing` lists them.
pub fn stated(document: &str) -> (String, Vec<String>) {
    let Ok(mut doc) = serde_json::from_str::<Value>(document) else { return (document.to_owned(), Vec::new()) };
    let mut missing = Vec::new();
    for (schema, field, rule) in RULES {
        match property(&mut doc, schema, field).and_then(Value::as_object_mut) {
            Some(p) => {
                if let Value::Object(k) = keywords(*rule) {
                    p.extend(k);
                }
            }
            None => missing.push(format!("{schema}.{field}")),
        }
    }
    for (schema, field) in PRESENT {
        match doc.pointer_mut(&format!("/components/schemas/{schema}")).and_then(Value::as_object_mut) {
            Some(s) => {
                let required = s.entry("required").or_insert_with(|| json!([]));
                if let Some(list) = required.as_array_mut() {
                    list.push(json!(field));
                }
            }
            None => missing.push(format!("{schema} (required {field})")),
        }
    }
    (doc.to_string(), missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::problem;

    /// What the services take for each rule (fonts aside: no font is loaded here).
    fn taken(rule: Rule, s: &str) -> bool {
        let line = problem(s, usize::MAX, false).is_none();
        let filled = !s.trim().is_empty();
        match rule {
            Rule::Line => line,
            Rule::LineRequired => line && filled,
            Rule::Text => problem(s, usize::MAX, true).is_none(),
            Rule::TextRequired => problem(s, usize::MAX, true).is_none() && filled,
            Rule::TrimmedText => problem(s.trim(), usize::MAX, true).is_none(),
            Rule::TrimmedTextRequired => problem(s.trim(), usize::MAX, true).is_none() && filled,
            Rule::Email => line && crate::services::is_email(s),
            Rule::LowerCode => filled && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            Rule::LoginName => filled && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            Rule::TaskCode => line && filled && s.chars().count() <= 20,
            Rule::Year2000To2100 => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .is_ok_and(|d| (2000..=2100).contains(&chrono::Datelike::year(&d))),
            Rule::Unique | Rule::NotEmpty => unreachable!("lists"),
        }
    }

    /// Every pattern takes exactly what its service takes, on the characters where
    /// the two could part: blanks of every kind, control characters, line breaks,
    /// the marks that reorder text, e-mail shapes.
    #[test]
    fn each_stated_rule_takes_exactly_what_the_services_take() {
        let samples = [
            "",
            " ",
            "\t",
            "\n",
            "a",
            " a ",
            "a\tb",
            "a\nb",
            "a\r\nb",
            "\u{7}",
            "a\u{7f}",
            "\u{85}",
            "\u{a0}",
            "\u{2028}",
            "\u{3000}x",
            "\u{feff}",
            "\u{202e}x",
            "x\u{200f}",
            "\u{61c}",
            "\u{2066}",
            "\u{1c}",
            "\u{85}x\u{b}",
            " x\u{7} ",
            "\u{c}",
            "x\u{85}y",
            "\n\nx\n",
            "a@b.c",
            " a@b.c ",
            "\ta@b.c",
            "ten.ho@xa.example.vn",
            "a@b",
            "@b.c",
            "a@.b",
            "a@b.",
            "a b@c.d",
            "a@b@c.d",
            "a@b.c\u{a0}",
            "a@b\u{a0}.c",
            "bac-son",
            "Bac-son",
            "xa_1",
            "a.b-c_d",
            "tên",
            "12345678901234567890",
            "123456789012345678901",
            "Xãhội 1.1",
        ];
        // Dates are read as dates first; the pattern states the years.
        for d in ["1999-12-31", "2000-01-01", "2024-02-29", "2100-12-31", "2101-01-01", "0990-01-01"] {
            let re = regex::Regex::new(keywords(Rule::Year2000To2100)["pattern"].as_str().unwrap()).unwrap();
            assert_eq!(re.is_match(d), taken(Rule::Year2000To2100, d), "{d}");
        }
        for rule in [
            Rule::Line,
            Rule::LineRequired,
            Rule::Text,
            Rule::TextRequired,
            Rule::TrimmedText,
            Rule::TrimmedTextRequired,
            Rule::Email,
            Rule::LowerCode,
            Rule::LoginName,
            Rule::TaskCode,
        ] {
            let k = keywords(rule);
            let re = regex::Regex::new(k["pattern"].as_str().unwrap()).expect("a pattern Rust's regex reads");
            let max = k["maxLength"].as_u64().map_or(usize::MAX, |m| m as usize);
            for s in samples {
                let stated = re.is_match(s) && s.chars().count() <= max;
                assert_eq!(stated, taken(rule, s), "{rule:?} on {s:?}");
            }
        }
    }
}
