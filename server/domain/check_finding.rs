//! What the Nghị định 30 check reports: a finding with its stable code, its
//! severity and the field it is about, shared by the data rules and the layout rules.

use serde::Serialize;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The document is wrong: it may not go to the signer.
    Error,
    /// Worth a look; does not block.
    Warning,
}

/// One thing the check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable machine code, e.g. "line_spacing_below_single".
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The document field it is about (API name), or the page, e.g. "page 2".
    pub field: Option<String>,
    /// What is wrong, in Vietnamese.
    pub message: String,
}

pub(super) fn error(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Finding {
    Finding { code, severity: Severity::Error, field: field.map(str::to_owned), message: message.into() }
}

pub(super) fn warning(code: &'static str, field: Option<&str>, message: impl Into<String>) -> Finding {
    Finding { code, severity: Severity::Warning, field: field.map(str::to_owned), message: message.into() }
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
