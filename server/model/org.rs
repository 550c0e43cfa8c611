//! Issuers, units, users and rubrics.
//!
//! No administrative level is hard-coded: an issuer's wording (its own name lines,
//! printed bold, and only where one exists a parent body's lines, printed upright; the
//! short name used in sentences; the place for dates; signer titles) is data on the
//! issuer.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// The body that issues documents, with the wording printed in its headers.
#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct IssuerInput {
    /// Short stable code, unique on the server, e.g. "bac-son".
    #[oai(validator(max_length = 50))]
    pub code: String,
    /// The issuing body's own name as printed, one entry per line, in bold:
    /// ["ỦY BAN NHÂN DÂN", "XÃ TÂN HƯƠNG"] for a People's Committee (its name
    /// broken over two lines), ["SỞ NỘI VỤ"] for a department. 1–3 lines.
    #[oai(validator(min_items = 1, max_items = 3, max_length = 300))]
    pub name_lines: Vec<String>,
    /// The parent body's lines, printed upright above the issuing body — only
    /// where one exists, e.g. ["UBND TỈNH LẠNG SƠN"] above "SỞ NỘI VỤ". A People's
    /// Committee has none. 0–2 lines.
    #[oai(default, validator(max_items = 2, max_length = 300))]
    #[serde(default)]
    pub parent_lines: Vec<String>,
    /// Issuer abbreviation in symbols, e.g. "UBND".
    #[oai(validator(max_length = 50))]
    pub abbreviation: String,
    /// Place name in dates, e.g. "Bắc Sơn".
    #[oai(validator(max_length = 300))]
    pub place_name: String,
    /// Full name used in sentences, e.g. "Ủy ban nhân dân huyện".
    #[oai(validator(max_length = 300))]
    pub full_name: String,
    /// Short name used in headings, e.g. "UBND huyện".
    #[oai(validator(max_length = 300))]
    pub short_name: String,
    /// How its communes are named together, e.g. "UBND các xã, thị trấn".
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub subordinates_name: Option<String>,
    /// Collective body for "TM." signatures, e.g. "ỦY BAN NHÂN DÂN".
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub collective_title: Option<String>,
    /// Title of the head, e.g. "CHỦ TỊCH".
    #[oai(validator(max_length = 300))]
    pub head_title: String,
    /// Title of a deputy, e.g. "PHÓ CHỦ TỊCH".
    #[oai(validator(max_length = 300))]
    #[oai(nullable)]
    pub deputy_title: Option<String>,
}

/// A stored issuer.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Issuer {
    /// Record id (UUID v7).
    pub id: Uuid,
    /// The fields as last saved.
    #[oai(flatten)]
    pub data: IssuerInput,
    /// Whether a seal image is on file (`PUT /issuers/{id}/seal-image`).
    pub has_seal_image: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A department or commune.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct UnitInput {
    /// The issuer it belongs to.
    pub issuer_id: Uuid,
    /// Full name, e.g. "Phòng Tài chính - Kế hoạch".
    #[oai(validator(max_length = 300))]
    pub name: String,
    /// Short name, unique per issuer, e.g. "TC-KH".
    #[oai(validator(max_length = 50))]
    pub short_name: String,
    /// department, commune or other.
    #[oai(validator(max_length = 64))]
    pub kind: super::Code<crate::domain::UnitKind>,
    /// Contact addresses for reminders and documents.
    #[oai(default)]
    #[oai(validator(max_items = 20, max_length = 254))]
    pub emails: Vec<String>,
}

/// A stored unit.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Unit {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved.
    #[oai(flatten)]
    pub data: UnitInput,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
    /// When the unit was deactivated (absent while active): it keeps its place in
    /// every record but is no longer offered for new tasks or users.
    pub deactivated_at: Option<DateTime<Utc>>,
}

/// A person using the server.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct UserInput {
    /// The issuer they work for.
    pub issuer_id: Uuid,
    /// Login name, unique on the server.
    #[oai(validator(max_length = 64))]
    pub username: String,
    /// Full name.
    #[oai(validator(max_length = 300))]
    pub name: String,
    /// E-mail address.
    #[oai(validator(max_length = 254))]
    pub email: String,
    /// Their unit, for unit officers.
    #[oai(nullable)]
    pub unit_id: Option<Uuid>,
    /// admin, office, unit_officer, signer or viewer.
    #[oai(validator(max_length = 64))]
    pub role: super::Code<crate::domain::Role>,
}

/// A stored user.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct User {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved.
    #[oai(flatten)]
    pub data: UserInput,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
    /// Whether a signature image is on file (`PUT /users/{id}/signature-image`).
    pub has_signature_image: bool,
    /// Whether the person has set a password (false until an invitation link is used).
    pub has_password: bool,
    /// Whether the person administers the server (creates offices and appoints their
    /// administrators): role `server_admin`, or the first account of a new server.
    pub server_admin: bool,
    /// When the account was deactivated (absent while active): the person keeps
    /// their place in every record but can no longer log in.
    pub deactivated_at: Option<DateTime<Utc>>,
}

/// One rating band of a rubric.
#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct BandInput {
    /// The rating printed, e.g. "Hoàn thành xuất sắc nhiệm vụ".
    #[oai(validator(max_length = 300))]
    pub label: String,
    /// Lower bound (none: unbounded).
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    #[oai(nullable)]
    pub lower: Option<i32>,
    /// Whether a score equal to the lower bound is in this band.
    #[oai(default)]
    #[serde(default)]
    pub lower_inclusive: bool,
    /// Upper bound (none: unbounded).
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    #[oai(nullable)]
    pub upper: Option<i32>,
    /// Whether a score equal to the upper bound is in this band.
    #[oai(default)]
    #[serde(default)]
    pub upper_inclusive: bool,
}

/// Self-score → rating bands for a plan.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct RubricInput {
    /// The issuer it belongs to.
    pub issuer_id: Uuid,
    /// Name, e.g. "Báo cáo 2024 (xuất sắc trên 90)".
    #[oai(validator(max_length = 300))]
    pub name: String,
    /// Bands covering 0–100 with no gap or overlap.
    #[oai(validator(max_items = 20))]
    pub bands: Vec<BandInput>,
}

/// A stored rubric.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Rubric {
    /// Record id.
    pub id: Uuid,
    /// The fields as last saved.
    #[oai(flatten)]
    pub data: RubricInput,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}
