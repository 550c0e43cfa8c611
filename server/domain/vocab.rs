//! Closed vocabularies stored as short machine codes (English snake_case) with
//! their Vietnamese wording for print.
//!
//! Roles, unit and document kinds, states, target statuses and proposal sections are
//! closed enums here; the API carries them as `model::Code<V>`, which reads any string
//! (so the service names a wrong value together with every other problem of the input,
//! 422) and lists the values as an `enum` in the OpenAPI document.

use std::fmt;
use std::str::FromStr;

/// What every closed vocabulary offers: its codes.
pub trait Vocabulary: Copy + 'static {
    /// Every code, in declaration order.
    const ALL_CODES: &'static [&'static str];

    /// Every value, in declaration order.
    const ALL: &'static [Self];

    /// The stable machine code.
    fn code(self) -> &'static str;

    /// The one Vietnamese wording of the value.
    fn label(self) -> &'static str;

    /// The codes, for names and messages.
    fn codes() -> Vec<&'static str> {
        Self::ALL_CODES.to_vec()
    }
}

/// Declares a closed vocabulary: the machine code stored and sent over the API,
/// and the Vietnamese label printed in documents and pages.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = concat!("Stored as `", $code, "`, printed \"", $label, "\".")]
                $variant
            ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable machine code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Vietnamese wording.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The codes joined for an error message.
            pub fn codes() -> String {
                Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }

        impl Vocabulary for $name {
            const ALL_CODES: &'static [&'static str] = &[$($code),+];
            const ALL: &'static [$name] = $name::ALL;
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(format!("must be one of: {}", Self::codes())),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                code.parse().map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

vocabulary! {
    /// What a user may do; enforced by the workflow capability.
    Role {
        Admin = "admin" => "Quản trị cơ quan",
        ServerAdmin = "server_admin" => "Quản trị máy chủ",
        Office = "office" => "Văn phòng",
        UnitOfficer = "unit_officer" => "Cán bộ đơn vị",
        Signer = "signer" => "Lãnh đạo ký",
        Viewer = "viewer" => "Chỉ xem",
    }
}

vocabulary! {
    /// Kind of a unit.
    UnitKind {
        Department = "department" => "Cơ quan chuyên môn",
        Commune = "commune" => "Xã, phường, thị trấn",
        Other = "other" => "Đơn vị khác",
    }
}

vocabulary! {
    /// Status tag of a target, the fixed vocabulary of the reports.
    TargetStatus {
        Exceeded = "exceeded" => "vượt",
        Met = "met" => "đạt",
        ExpectedMet = "expected_met" => "dự kiến đạt",
        NotMet = "not_met" => "không đạt",
    }
}

vocabulary! {
    /// Where a task result stands in the review workflow.
    ResultState {
        Draft = "draft" => "Đang soạn",
        Submitted = "submitted" => "Chờ Văn phòng duyệt",
        Returned = "returned" => "Bị trả lại",
        Accepted = "accepted" => "Đã được chấp nhận",
    }
}

vocabulary! {
    /// Section of next year's proposals.
    ProposalSection {
        Issuer = "issuer" => "Các nhiệm vụ chung của cơ quan",
        CommunesCommon = "communes_common" => "Các nhiệm vụ chung của các xã",
        CommuneSpecific = "commune_specific" => "Các nhiệm vụ riêng của các xã",
    }
}

vocabulary! {
    /// Kind of an issued document; the symbol's type abbreviation follows from it.
    DocumentKind {
        Report = "report" => "Báo cáo",
        Plan = "plan" => "Kế hoạch",
        Letter = "letter" => "Công văn",
    }
}

vocabulary! {
    /// Life cycle of a document.
    DocumentState {
        Draft = "draft" => "Dự thảo",
        Submitted = "submitted" => "Chờ lãnh đạo ký",
        Approved = "approved" => "Đã ký duyệt, chờ ban hành",
        Issued = "issued" => "Đã ban hành",
        Replaced = "replaced" => "Đã được thay thế",
    }
}

vocabulary! {
    /// Where a queued message stands.
    OutboxState {
        Pending = "pending" => "Chờ gửi",
        Sending = "sending" => "Đang gửi",
        Sent = "sent" => "Đã gửi",
        Failed = "failed" => "Không gửi được",
    }
}

vocabulary! {
    /// What a queued message is about.
    MailKind {
        Document = "document" => "Văn bản",
        Reminder = "reminder" => "Nhắc hạn",
        KeyExpiry = "key_expiry" => "Khóa ký số sắp hết hạn",
        Account = "account" => "Tài khoản",
        FollowUp = "follow_up" => "Theo dõi nhiệm vụ",
    }
}

vocabulary! {
    /// What an audit event records was done. Codes are never removed: the log keeps
    /// every event ever written.
    AuditAction {
        Create = "create" => "Tạo mới",
        Update = "update" => "Sửa",
        Delete = "delete" => "Xóa",
        Submit = "submit" => "Gửi / trình",
        Accept = "accept" => "Chấp nhận",
        Return = "return" => "Trả lại đơn vị",
        Reopen = "reopen" => "Mở lại",
        Approve = "approve" => "Ký duyệt",
        SendBack = "send_back" => "Trả lại Văn phòng",
        Issue = "issue" => "Ban hành",
        Correct = "correct" => "Đính chính",
        Archive = "archive" => "Lưu trữ",
        Restore = "restore" => "Khôi phục",
        Replace = "replace" => "Thay thế",
        CarryForward = "carry_forward" => "Chuyển sang năm sau",
        CopyForward = "copy_forward" => "Sao chép sang năm sau",
        PrepareSignature = "prepare_signature" => "Chuẩn bị ký số",
        Finalize = "finalize" => "Hoàn tất ký số",
        Upload = "upload" => "Tải lên",
        Resend = "resend" => "Gửi lại thư",
        SetPassword = "set_password" => "Đổi mật khẩu",
        Password = "password" => "Đổi mật khẩu",
        SetSignatureImage = "set_signature_image" => "Cập nhật ảnh chữ ký",
        SetSealImage = "set_seal_image" => "Cập nhật ảnh con dấu",
        Login = "login" => "Đăng nhập",
        LoginFailed = "login_failed" => "Đăng nhập sai",
        Logout = "logout" => "Đăng xuất",
        Token = "token" => "Tạo mã truy cập API",
        CreateToken = "create_token" => "Tạo mã truy cập API",
        Revoke = "revoke" => "Thu hồi mã truy cập API",
        RevokeToken = "revoke_token" => "Thu hồi mã truy cập API",
        EndSessions = "end_sessions" => "Kết thúc các phiên đăng nhập",
        Invite = "invite" => "Gửi thư mời",
        Deactivate = "deactivate" => "Khóa / ngừng hoạt động",
        Reactivate = "reactivate" => "Mở lại / hoạt động lại",
        MailTest = "mail_test" => "Gửi thư thử",
        ResetRequested = "reset_requested" => "Yêu cầu đặt lại mật khẩu",
        ImportSigningKey = "import_signing_key" => "Cài khóa ký số",
        RetireSigningKey = "retire_signing_key" => "Thôi dùng khóa ký số",
        Import = "import" => "Nhập từ bảng tính",
        FetchSignatureHandoff = "fetch_signature_handoff" => "Công cụ ký lấy văn bản để ký",
        Request = "request" => "Gửi đề xuất",
        Decide = "decide" => "Quyết định đề xuất",
        Answer = "answer" => "Trả lời",
        Urge = "urge" => "Đôn đốc",
        Escalate = "escalate" => "Cảnh báo quá hạn",
        SetRules = "set_rules" => "Sửa quy tắc theo dõi hạn",
    }
}

vocabulary! {
    /// What a line of a task's follow-up is: a unit's request to move or withdraw the
    /// task, a leader's request for an explanation or direction, an urging, or an
    /// escalation the rules raised.
    FollowUpKind {
        Extension = "extension" => "Đề xuất gia hạn",
        Withdrawal = "withdrawal" => "Đề xuất rút nhiệm vụ",
        Explanation = "explanation" => "Yêu cầu giải trình",
        Direction = "direction" => "Ý kiến chỉ đạo",
        Urging = "urging" => "Đôn đốc",
        Escalation = "escalation" => "Cảnh báo quá hạn",
    }
}

vocabulary! {
    /// What a unit may ask of a task's deadline.
    RequestKind {
        Extension = "extension" => "Đề xuất gia hạn",
        Withdrawal = "withdrawal" => "Đề xuất rút nhiệm vụ",
    }
}

vocabulary! {
    /// What a leader may ask of a unit about a task.
    AskKind {
        Explanation = "explanation" => "Yêu cầu giải trình",
        Direction = "direction" => "Ý kiến chỉ đạo",
    }
}

impl From<RequestKind> for FollowUpKind {
    fn from(k: RequestKind) -> Self {
        match k {
            RequestKind::Extension => FollowUpKind::Extension,
            RequestKind::Withdrawal => FollowUpKind::Withdrawal,
        }
    }
}

impl From<AskKind> for FollowUpKind {
    fn from(k: AskKind) -> Self {
        match k {
            AskKind::Explanation => FollowUpKind::Explanation,
            AskKind::Direction => FollowUpKind::Direction,
        }
    }
}

vocabulary! {
    /// Where a follow-up stands.
    FollowUpState {
        Open = "open" => "Chờ xử lý",
        Approved = "approved" => "Đồng ý",
        PartlyApproved = "partly_approved" => "Đồng ý một phần",
        Refused = "refused" => "Không đồng ý",
        Answered = "answered" => "Đã trả lời",
        Noted = "noted" => "Đã ghi nhận",
    }
}

vocabulary! {
    /// How a request to move or withdraw a task is decided.
    Decision {
        Approve = "approve" => "Đồng ý",
        Partly = "partly" => "Đồng ý một phần (hạn khác)",
        Refuse = "refuse" => "Không đồng ý",
    }
}

vocabulary! {
    /// How the office urges a unit: the digest mail now, or a công văn đôn đốc.
    UrgeBy {
        Mail = "mail" => "Thư nhắc ngay",
        Letter = "letter" => "Công văn đôn đốc",
    }
}

vocabulary! {
    /// The Government's four-way count of tasks by their deadline.
    Timeliness {
        DoneOnTime = "done_on_time" => "Hoàn thành đúng hạn",
        DoneLate = "done_late" => "Hoàn thành quá hạn",
        OpenInTime = "open_in_time" => "Chưa hoàn thành, còn hạn",
        OpenLate = "open_late" => "Chưa hoàn thành, quá hạn",
    }
}

impl DocumentKind {
    /// Type abbreviation in the symbol (Nghị định 30): none for a công văn.
    pub fn abbreviation(self) -> Option<&'static str> {
        match self {
            DocumentKind::Report => Some("BC"),
            DocumentKind::Plan => Some("KH"),
            DocumentKind::Letter => None,
        }
    }
}

impl TargetStatus {
    /// The tag a target's numbers suggest (a person confirms it): at or above the
    /// goal is "đạt", 10 % or more above it is "vượt", below it "không đạt".
    pub fn suggest(goal: f64, actual: f64) -> Option<TargetStatus> {
        if !goal.is_finite() || !actual.is_finite() || goal <= 0.0 {
            return None;
        }
        Some(if actual >= goal * 1.1 {
            TargetStatus::Exceeded
        } else if actual >= goal {
            TargetStatus::Met
        } else {
            TargetStatus::NotMet
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_list_the_choices() {
        for s in TargetStatus::ALL {
            assert_eq!(s.code().parse::<TargetStatus>().unwrap(), *s);
        }
        let err = "vuot".parse::<TargetStatus>().unwrap_err();
        assert_eq!(err, "must be one of: exceeded, met, expected_met, not_met");
    }

    #[test]
    fn a_report_is_bc_and_a_letter_has_no_type_abbreviation() {
        assert_eq!(DocumentKind::Report.abbreviation(), Some("BC"));
        assert_eq!(DocumentKind::Plan.abbreviation(), Some("KH"));
        assert_eq!(DocumentKind::Letter.abbreviation(), None);
    }

    #[test]
    fn numbers_suggest_a_status_tag() {
        assert_eq!(TargetStatus::suggest(600.0, 715.96), Some(TargetStatus::Exceeded));
        assert_eq!(TargetStatus::suggest(15.8, 15.94), Some(TargetStatus::Met));
        assert_eq!(TargetStatus::suggest(100.0, 9.36), Some(TargetStatus::NotMet));
        assert_eq!(TargetStatus::suggest(0.0, 1.0), None);
    }
}

impl ProposalSection {
    /// The heading of the section in a report, e.g. "Các nhiệm vụ chung của UBND huyện năm 2025".
    /// `own` is the issuer's short name; `subordinates` how its communes are named together.
    pub fn heading(self, own: &str, subordinates: Option<&str>, year: i32) -> String {
        let subs = subordinates.unwrap_or("các xã");
        match self {
            ProposalSection::Issuer => format!("Các nhiệm vụ chung của {own} năm {year}"),
            ProposalSection::CommunesCommon => format!("Các nhiệm vụ chung của {subs} năm {year}"),
            ProposalSection::CommuneSpecific => format!("Các nhiệm vụ riêng của {subs} năm {year}"),
        }
    }
}

#[cfg(test)]
mod heading_tests {
    use super::*;

    #[test]
    fn proposal_headings_read_as_in_the_reference() {
        let s = Some("UBND các xã, thị trấn");
        assert_eq!(
            ProposalSection::Issuer.heading("UBND huyện", s, 2025),
            "Các nhiệm vụ chung của UBND huyện năm 2025"
        );
        assert_eq!(
            ProposalSection::CommunesCommon.heading("UBND huyện", s, 2025),
            "Các nhiệm vụ chung của UBND các xã, thị trấn năm 2025"
        );
        assert_eq!(
            ProposalSection::CommuneSpecific.heading("UBND huyện", s, 2025),
            "Các nhiệm vụ riêng của UBND các xã, thị trấn năm 2025"
        );
    }
}
