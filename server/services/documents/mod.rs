//! A document's life, from the first draft to the archive: drafting a report, plan
//! or letter from a plan (`drafting`), editing drafts (`records`), the Nghị định 30
//! check (`checks`), submitting, approving, issuing and correcting (`issuing`), the
//! digital signatures (`signatures` and its `signature_*` steps) and printing
//! (`printing`, one `print_*` file per kind, all from the plan's register).
//!
//! ```text
//!             save (office)                 correct (office): a new draft that
//!             ┌──────┐                      replaces the issued one on issue
//!             ▼      │                    ┌──────────────────────────────┐
//!   ──create──▶ draft ──submit──▶ submitted ──approve──▶ approved ──issue──▶ issued ──▶ replaced
//!               ▲  (checked)      (signer) │  (signer signs)   (number, date,  │
//!               └────────send back─────────┘                    seal, PDF frozen)
//! ```
//!
//! Only a draft changes; submitting runs the Nghị định 30 check and refuses a draft
//! with errors. Issuing takes the next number of the issuer's counter for the kind and
//! year in the same transaction that renders, signs (agency signature) and stores the
//! PDF and queues its mail to every "Nơi nhận" address. An issued document never
//! changes again: its correction is a new document, and issuing it marks the old one
//! replaced.

pub mod checks;
pub mod drafting;
pub mod issuing;
pub(crate) mod print_letter;
pub(crate) mod print_plan;
pub(crate) mod print_register;
pub(crate) mod print_report;
pub mod printing;
pub mod records;
pub(crate) mod signature_agency;
pub(crate) mod signature_approve;
pub(crate) mod signature_handoff;
pub(crate) mod signature_keys;
pub(crate) mod signature_verify;
pub mod signatures;

pub use records::*;
