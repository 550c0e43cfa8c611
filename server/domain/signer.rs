//! The signature block of a document (Nghị định 30/2020, Điều 13 and Phụ lục I,
//! boxes 7a–7b): who signs, in whose name, and the lines printed from that. The
//! lines are derived, never typed, so "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" /
//! "PHÓ CHỦ TỊCH" cannot lose a line, and combinations the decree does not allow
//! are refused field by field.

use std::fmt;
use std::str::FromStr;

/// In whose place the signer signs, besides "TM." (which [`SignerBlock::collective`] gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Authority {
    /// The signer signs in their own right (the head, or the head for the collective).
    #[default]
    Own,
    /// "KT." (ký thay): a deputy signs for the head.
    Kt,
    /// "Q." (quyền): the acting head signs.
    Q,
    /// "TL." (thừa lệnh): the head of the office signs by order of the head.
    Tl,
    /// "TUQ." (thừa ủy quyền): someone signs by the head's written authorisation.
    Tuq,
}

impl Authority {
    /// Every value, in the order a form offers them.
    pub const ALL: [Authority; 5] = [Authority::Own, Authority::Kt, Authority::Q, Authority::Tl, Authority::Tuq];

    /// The stable code stored and sent over the API.
    pub fn code(self) -> &'static str {
        match self {
            Authority::Own => "own",
            Authority::Kt => "kt",
            Authority::Q => "q",
            Authority::Tl => "tl",
            Authority::Tuq => "tuq",
        }
    }

    /// The prefix printed before the head's title ("KT."), none for [`Authority::Own`].
    pub fn prefix(self) -> Option<&'static str> {
        match self {
            Authority::Own => None,
            Authority::Kt => Some("KT."),
            Authority::Q => Some("Q."),
            Authority::Tl => Some("TL."),
            Authority::Tuq => Some("TUQ."),
        }
    }

    /// How a form names it, in Vietnamese.
    pub fn label(self) -> &'static str {
        match self {
            Authority::Own => "Ký trực tiếp (không ghi thẩm quyền)",
            Authority::Kt => "KT. — cấp phó ký thay người đứng đầu",
            Authority::Q => "Q. — quyền người đứng đầu",
            Authority::Tl => "TL. — thừa lệnh người đứng đầu",
            Authority::Tuq => "TUQ. — thừa ủy quyền người đứng đầu",
        }
    }
}

impl FromStr for Authority {
    type Err = String;
    fn from_str(s: &str) -> Result<Authority, String> {
        Authority::ALL
            .into_iter()
            .find(|a| a.code() == s)
            .ok_or_else(|| "must be one of: own, kt, q, tl, tuq".to_owned())
    }
}

impl fmt::Display for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who signs and how, as stored on a document.
#[derive(Debug, Clone, Copy)]
pub struct SignerBlock<'a> {
    /// The collective body the signer signs for ("TM. ỦY BAN NHÂN DÂN"), if any.
    pub collective: Option<&'a str>,
    /// KT., Q., TL., TUQ. or none.
    pub authority: Authority,
    /// The head's title after KT./Q./TL./TUQ., e.g. "CHỦ TỊCH".
    pub head_title: Option<&'a str>,
    /// The signer's own position, e.g. "PHÓ CHỦ TỊCH"; none for Q. (the acting line is the title).
    pub position: Option<&'a str>,
    /// Full name, no honorifics.
    pub name: &'a str,
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn upper(s: &str) -> String {
    s.trim().to_uppercase()
}

impl SignerBlock<'_> {
    /// The lines above the signature, upper case: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH".
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(c) = given(self.collective) {
            out.push(format!("TM. {}", upper(c)));
        }
        if let (Some(prefix), Some(head)) = (self.authority.prefix(), given(self.head_title)) {
            out.push(format!("{prefix} {}", upper(head)));
        }
        if let Some(p) = given(self.position) {
            out.push(upper(p));
        }
        out
    }

    /// What Nghị định 30 does not allow in this block, per field (API field names),
    /// in Vietnamese and English. Empty when the block is right. A draft may still
    /// lack its signer's name and position (`complete` false): only combinations
    /// that can never be right are reported then.
    pub fn problems(&self, complete: bool) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let (collective, head, position) = (given(self.collective), given(self.head_title), given(self.position));
        if complete && self.name.trim().is_empty() {
            out.push(("signer_name", "Cần họ tên người ký / the signer's name is required".into()));
        }
        for (field, value) in
            [("signer_collective", collective), ("signer_head_title", head), ("signer_position", position)]
        {
            let typed_prefix = value.and_then(|v| {
                ["TM.", "KT.", "Q.", "TL.", "TUQ."].into_iter().find(|p| v.to_uppercase().starts_with(p))
            });
            if let Some(p) = typed_prefix {
                out.push((
                    field,
                    format!(
                        "Không gõ \"{p}\" vào đây: chọn thẩm quyền ký, phần chữ in ra tự thêm / do not type \"{p}\" here: \
                         choose the signing authority and it is printed for you"
                    ),
                ));
            }
        }
        match self.authority {
            Authority::Own => {
                if complete && position.is_none() {
                    out.push(("signer_position", "Cần chức vụ người ký / the signer's position is required".into()));
                }
                if head.is_some() {
                    out.push((
                        "signer_head_title",
                        "Chức danh người đứng đầu chỉ ghi khi ký KT., Q., TL. hoặc TUQ. / the head's title is printed only \
                         with KT., Q., TL. or TUQ."
                            .into(),
                    ));
                }
            }
            Authority::Kt => {
                if head.is_none() {
                    out.push((
                        "signer_head_title",
                        "Ký thay (KT.) cần chức danh người đứng đầu, ví dụ CHỦ TỊCH / KT. needs the head's title, e.g. CHỦ TỊCH"
                            .into(),
                    ));
                }
                match position {
                    None if !complete => {}
                    None => out.push((
                        "signer_position",
                        "Ký thay (KT.) cần chức vụ của cấp phó, ví dụ PHÓ CHỦ TỊCH / KT. needs the deputy's position, \
                         e.g. PHÓ CHỦ TỊCH"
                            .into(),
                    )),
                    Some(p) if head.is_some_and(|h| upper(h) == upper(p)) => out.push((
                        "signer_position",
                        "Người đứng đầu không ký thay chính mình: KT. là cấp phó ký / the head does not sign KT. for \
                         themselves: a deputy signs KT."
                            .into(),
                    )),
                    Some(_) => {}
                }
            }
            Authority::Q => {
                if head.is_none() {
                    out.push((
                        "signer_head_title",
                        "Quyền (Q.) cần chức danh được quyền, ví dụ CHỦ TỊCH / Q. needs the title acted in, e.g. CHỦ TỊCH"
                            .into(),
                    ));
                }
                if position.is_some() {
                    out.push((
                        "signer_position",
                        "Khi ký Q., dòng \"Q. …\" là chức danh; để trống chức vụ / with Q. the \"Q. …\" line is the title; \
                         leave the position empty"
                            .into(),
                    ));
                }
            }
            Authority::Tl | Authority::Tuq => {
                let p = self.authority.prefix().unwrap_or_default();
                if head.is_none() {
                    out.push((
                        "signer_head_title",
                        format!("{p} cần chức danh người đứng đầu / {p} needs the head's title"),
                    ));
                }
                if complete && position.is_none() {
                    out.push((
                        "signer_position",
                        format!("{p} cần chức vụ người ký / {p} needs the signer's position"),
                    ));
                }
                if collective.is_some() {
                    out.push((
                        "signer_collective",
                        format!(
                            "Không ký {p} thay mặt tập thể (TM.): {p} là ký theo lệnh người đứng đầu / {p} is signed by \
                             order of the head, not for a collective body (TM.)"
                        ),
                    ));
                }
            }
        }
        out
    }
}

/// Reads a block typed the old way (free text, one authority line per line, e.g.
/// "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH") into (collective, authority, head title).
pub fn parse_legacy(text: &str) -> (Option<String>, Authority, Option<String>) {
    let mut collective = None;
    let mut authority = Authority::Own;
    let mut head = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let upper_line = line.to_uppercase();
        if let Some(rest) = upper_line.strip_prefix("TM.") {
            collective = Some(rest.trim().to_owned());
            continue;
        }
        for a in [Authority::Tuq, Authority::Kt, Authority::Tl, Authority::Q] {
            if let Some(rest) = a.prefix().and_then(|p| upper_line.strip_prefix(p)) {
                authority = a;
                head = Some(rest.trim().to_owned());
                break;
            }
        }
    }
    (collective, authority, head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block<'a>(
        collective: Option<&'a str>,
        authority: Authority,
        head: Option<&'a str>,
        position: Option<&'a str>,
    ) -> SignerBlock<'a> {
        SignerBlock { collective, authority, head_title: head, position, name: "Phùng Thị Thanh Nga" }
    }

    #[test]
    fn the_printed_lines_follow_from_the_authority() {
        let chair = block(Some("Ủy ban nhân dân"), Authority::Own, None, Some("Chủ tịch"));
        assert_eq!(chair.lines(), ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
        assert!(chair.problems(true).is_empty());
        let deputy = block(Some("ỦY BAN NHÂN DÂN"), Authority::Kt, Some("CHỦ TỊCH"), Some("PHÓ CHỦ TỊCH"));
        assert_eq!(deputy.lines(), ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]);
        assert!(deputy.problems(true).is_empty());
        let office = block(None, Authority::Tl, Some("CHỦ TỊCH"), Some("CHÁNH VĂN PHÒNG"));
        assert_eq!(office.lines(), ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"]);
        let acting = block(None, Authority::Q, Some("GIÁM ĐỐC"), None);
        assert_eq!(acting.lines(), ["Q. GIÁM ĐỐC"]);
        assert!(acting.problems(true).is_empty());
    }

    #[test]
    fn combinations_the_decree_does_not_allow_are_refused_at_their_field() {
        let fields = |b: SignerBlock| b.problems(true).into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(fields(block(None, Authority::Kt, Some("CHỦ TỊCH"), Some("CHỦ TỊCH"))), ["signer_position"]);
        assert_eq!(fields(block(None, Authority::Kt, None, Some("PHÓ CHỦ TỊCH"))), ["signer_head_title"]);
        assert_eq!(
            fields(block(Some("ỦY BAN NHÂN DÂN"), Authority::Tl, Some("CHỦ TỊCH"), Some("CVP"))),
            ["signer_collective"]
        );
        assert_eq!(fields(block(None, Authority::Q, Some("CHỦ TỊCH"), Some("PHÓ CHỦ TỊCH"))), ["signer_position"]);
        assert_eq!(
            fields(block(Some("TM. ỦY BAN NHÂN DÂN"), Authority::Own, None, Some("CHỦ TỊCH"))),
            ["signer_collective"]
        );
        assert_eq!(fields(block(None, Authority::Own, None, None)), ["signer_position"]);
    }

    #[test]
    fn blocks_typed_the_old_way_are_read_back() {
        assert_eq!(
            parse_legacy("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"),
            (Some("ỦY BAN NHÂN DÂN".into()), Authority::Kt, Some("CHỦ TỊCH".into()))
        );
        assert_eq!(parse_legacy("TM. ỦY BAN NHÂN DÂN"), (Some("ỦY BAN NHÂN DÂN".into()), Authority::Own, None));
        assert_eq!(parse_legacy("TUQ. CHỦ TỊCH"), (None, Authority::Tuq, Some("CHỦ TỊCH".into())));
    }
}
