//! Pure types and rules of the register: no database, HTTP, mail or typst here.

pub mod access;
pub mod calendar;
pub mod check;
pub mod check_finding;
pub mod check_layout;
pub mod deadlines;
pub mod filetype;
pub mod format;
pub mod ical;
pub mod layout;
pub mod markdown;
pub mod parse;
pub mod print;
pub mod reminder;
pub mod rubric;
pub mod signer;
pub mod text;
pub mod typeset;
pub mod unit_list;
pub mod vocab;

pub use rubric::{Band, Rubric};
pub use vocab::{
    AskKind, AuditAction, Decision, DocumentKind, DocumentState, FollowUpKind, FollowUpState, MailKind, OutboxState,
    ProposalSection, RequestKind, ResultState, Role, TargetStatus, Timeliness, UnitKind, UrgeBy,
};
