//! Digital signatures in the document workflow. With signing on, the signer's
//! approval renders the copy to sign (number and date left as blanks, no seal)
//! and signs it, with a key held by the server or through prepare → external
//! signature → finalize; issuing then fills the blanks, places the seal and adds
//! the agency's signature as a second, incremental signature.

//!
//! Each step lives in a file of its own: the settings and keys in
//! `signature_keys`, the signer's approval in `signature_approve`, signing outside
//! the server in `signature_handoff`, the agency's signature in
//! `signature_agency`, and reading the signatures back in `signature_verify`.

pub use crate::services::signature_agency::{Attachment, attachment_request, sign_attachment};
pub(crate) use crate::services::signature_agency::{agency_sign, issuer_key};
pub use crate::services::signature_approve::{SignerKeyView, approve_and_sign, signer_key_view};
pub use crate::services::signature_handoff::{
    HANDOFF_PATH, PreparedSignature, SigningHandoff, finalize, handoff_fetch, handoff_return, prepare,
};
pub use crate::services::signature_keys::{ISSUER_REASON, SIGNER_REASON, Signing};
pub(crate) use crate::services::signature_keys::{
    ISSUING_BODY, blocking, get_file, issuer_names, key_error, signer_label,
};
pub use crate::services::signature_verify::document_signatures;
