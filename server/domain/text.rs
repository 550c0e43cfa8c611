//! What user text may contain and how long it may be. Every text field has a
//! bound (the OpenAPI document states the same numbers); control characters and
//! the invisible marks that reorder text (bidi overrides) are refused, because a
//! printed title that reads backwards is a forged document. Tabs are kept and
//! printed as a tab's width; newlines only where the field is a paragraph.
//!
//! The services check every bound again, since the pages call the services directly.

/// A code: "bac-son", "1.1", "TC-KH".
pub const CODE: usize = 50;
/// A name or title on one line: units, people, headers, signer titles.
pub const NAME: usize = 300;
/// A subject line, a legal basis, a recipient's label.
pub const LINE: usize = 1_000;
/// A task's text, a target's description, a review comment, a proposal.
pub const TEXT: usize = 5_000;
/// A document's opening, closing or one of its sections.
pub const SECTION: usize = 20_000;
/// A result's narrative (restricted Markdown).
pub const NARRATIVE: usize = 50_000;
/// An e-mail address (RFC 5321's limit).
pub const EMAIL: usize = 254;

/// Which characters the documents' fonts can draw: told once by the renderer when it
/// loads its fonts. Until then (a tool that prints nothing) no character is refused
/// for it.
static DRAWABLE: std::sync::OnceLock<Box<dyn Fn(char) -> bool + Send + Sync>> = std::sync::OnceLock::new();

/// Sets what the documents' fonts can draw (the first call wins: one server, one
/// set of fonts).
pub fn set_drawable(f: impl Fn(char) -> bool + Send + Sync + 'static) {
    let _ = DRAWABLE.set(Box::new(f));
}

/// The first character of `s` that no document could print — not in the fonts the
/// documents use (a CJK character, an emoji, a private-use mark) — and its position,
/// counted from 1.
pub fn undrawable(s: &str) -> Option<(usize, char)> {
    let drawable = DRAWABLE.get()?;
    s.chars().enumerate().find(|(_, c)| !(c.is_whitespace() || c.is_control() || drawable(*c))).map(|(i, c)| (i + 1, c))
}

/// Why a character cannot be saved where documents print it, in both languages.
pub fn undrawable_message(position: usize, c: char) -> String {
    let code = c as u32;
    format!(
        "Ký tự “{c}” (U+{code:04X}) ở vị trí {position} không có trong phông chữ in văn bản, nên văn bản sẽ không in \
         được; hãy bỏ hoặc thay ký tự này / the character “{c}” (U+{code:04X}) at position {position} is not in the \
         documents' fonts and could not be printed; remove or replace it"
    )
}

/// Why a text is refused, in Vietnamese and English; `None` when it is fine.
/// Text that documents print must also be drawable by their fonts.
pub fn problem(s: &str, max: usize, multiline: bool) -> Option<String> {
    let n = s.chars().count();
    if n > max {
        return Some(format!("Quá dài: {n} ký tự, tối đa {max} / too long: {n} characters, at most {max}"));
    }
    for c in s.chars() {
        if is_reordering(c) {
            return Some(format!(
                "Chứa ký tự điều khiển hướng chữ (U+{:04X}) làm đảo thứ tự khi in / contains a bidi control \
                 (U+{:04X}) that reorders printed text",
                c as u32, c as u32
            ));
        }
        let allowed_control = c == '\t' || (multiline && (c == '\n' || c == '\r'));
        if c.is_control() && !allowed_control {
            let what = if c == '\n' || c == '\r' {
                "xuống dòng / a line break"
            } else {
                "ký tự điều khiển / a control character"
            };
            return Some(format!(
                "Không được chứa {what} (U+{:04X}) / must not contain {} (U+{:04X})",
                c as u32,
                what.split(" / ").nth(1).unwrap_or(what),
                c as u32
            ));
        }
    }
    undrawable(s).map(|(at, c)| undrawable_message(at, c))
}

/// Characters that change the direction or order of the text around them.
fn is_reordering(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Text folded for searching: lower case, without diacritics, "đ" as "d", so
/// "quan ly dat dai" finds "Quản lý đất đai".
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

/// A sort key that orders Vietnamese as its dictionaries do: the letters a ă â b c
/// d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, digits and spaces before them,
/// case aside, and tones (none, huyền, sắc, hỏi, ngã, nặng) only to break ties — so
/// "ĐC-XD" comes after "DC" and before "VP", not after "VP" as byte order has it.
pub fn collation_key(s: &str) -> (Vec<u32>, Vec<u8>) {
    use unicode_normalization::UnicodeNormalization;
    const LETTERS: [&str; 29] = [
        "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o", "ô", "ơ", "p", "q", "r",
        "s", "t", "u", "ư", "v", "x", "y",
    ];
    let (mut primary, mut tones) = (Vec::new(), Vec::new());
    let mut push = |base: &str, tone: u8| {
        let weight = match LETTERS.iter().position(|l| *l == base) {
            Some(i) => 1_000 + i as u32,
            None => {
                let c = base.chars().next().unwrap_or(' ');
                match c {
                    c if c.is_whitespace() => 1,
                    c if c.is_ascii_digit() => 10 + (c as u32 - '0' as u32),
                    c if c.is_ascii_punctuation() => 100 + c as u32,
                    c => 2_000 + c as u32,
                }
            }
        };
        primary.push(weight);
        tones.push(tone);
    };
    let mut base = String::new();
    let mut tone = 0u8;
    for c in s.nfd().flat_map(char::to_lowercase) {
        match c {
            '\u{0300}' => tone = 1,
            '\u{0301}' => tone = 2,
            '\u{0309}' => tone = 3,
            '\u{0303}' => tone = 4,
            '\u{0323}' => tone = 5,
            '\u{0306}' | '\u{0302}' | '\u{031B}' => base.push(c),
            _ => {
                if !base.is_empty() {
                    push(&base.nfc().collect::<String>(), tone);
                }
                base.clear();
                base.push(c);
                tone = 0;
            }
        }
    }
    if !base.is_empty() {
        push(&base.nfc().collect::<String>(), tone);
    }
    (primary, tones)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_and_control_characters_are_refused() {
        assert!(problem("Báo cáo \u{202E}nóig", LINE, false).unwrap().contains("U+202E"));
        assert!(problem("a\u{0007}b", LINE, false).is_some());
        assert!(problem("một\ndòng", LINE, false).is_some());
        assert!(problem("hai\ndòng", LINE, true).is_none());
        assert!(problem("tab\there", LINE, false).is_none());
        assert!(problem(&"x".repeat(LINE + 1), LINE, false).unwrap().contains("1001"));
        assert!(problem(&"ữ".repeat(LINE), LINE, false).is_none(), "counts characters, not bytes");
    }

    #[test]
    fn folded_text_matches_without_diacritics_or_case() {
        assert_eq!(fold("Quản lý ĐẤT ĐAI"), "quan ly dat dai");
        assert_eq!(fold("Xã Vũ Lễ"), "xa vu le");
    }

    #[test]
    fn vietnamese_names_sort_as_the_alphabet_has_them() {
        let mut names = vec!["VP", "ĐC-XD", "Ấp Bắc", "An", "Ăn", "DC", "Bình", "Tổ 10", "Tổ 2", "ánh", "Anh"];
        names.sort_by_key(|n| collation_key(n));
        assert_eq!(names, ["An", "Anh", "ánh", "Ăn", "Ấp Bắc", "Bình", "DC", "ĐC-XD", "Tổ 10", "Tổ 2", "VP"]);
    }
}
