//! Issuers, units, users and rubrics.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// The body that issues documents, with the wording printed in its headers.
#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
pub struct IssuerInput {
    /// Short stable code, unique on the server, e.g. "bac-son".
    pub code: String,
    /// Parent body line, e.g. "ỦY BAN NHÂN DÂN" or "UBND TỈNH LẠNG SƠN".
    pub parent_name: Option<String>,
    /// Issuing body line, e.g. "HUYỆN BẮC SƠN".
    pub name: String,
    /// Issuer abbreviation in symbols, e.g. "UBND".
    pub abbreviation: String,
    /// Place name in dates, e.g. "Bắc Sơn".
    pub place_name: String,
    /// Full name used in sentences, e.g. "Ủy ban nhân dân huyện".
    pub full_name: String,
    /// Short name used in headings, e.g. "UBND huyện".
    pub short_name: String,
    /// How its communes are named together, e.g. "UBND các xã, thị trấn".
    pub subordinates_name: Option<String>,
    /// Collective body for "TM." signatures, e.g. "ỦY BAN NHÂN DÂN".
    pub collective_title: Option<String>,
    /// Title of the head, e.g. "CHỦ TỊCH".
    pub head_title: String,
    /// Title of a deputy, e.g. "PHÓ CHỦ TỊCH".
    pub deputy_title: Option<String>,
}

/// A stored issuer.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct Issuer {
    /// Record id (UUID v7).
    pub id: Uuid,
    /// The fields as last saved.
    #[oai(flatten)]
    pub data: IssuerInput,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A department or commune.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct UnitInput {
    /// The issuer it belongs to.
    pub issuer_id: Uuid,
    /// Full name, e.g. "Phòng Tài chính - Kế hoạch".
    pub name: String,
    /// Short name, unique per issuer, e.g. "TC-KH".
    pub short_name: String,
    /// department, commune or other.
    pub kind: String,
    /// Contact addresses for reminders and documents.
    #[oai(default)]
    pub emails: Vec<String>,
}

/// A stored unit.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
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
}

/// A person using the server.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct UserInput {
    /// The issuer they work for.
    pub issuer_id: Uuid,
    /// Login name, unique on the server.
    pub username: String,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Their unit, for unit officers.
    pub unit_id: Option<Uuid>,
    /// admin, office, unit_officer, signer or viewer.
    pub role: String,
}

/// A stored user.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
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
}

/// One rating band of a rubric.
#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
pub struct BandInput {
    /// The rating printed, e.g. "Hoàn thành xuất sắc nhiệm vụ".
    pub label: String,
    /// Lower bound (none: unbounded).
    pub lower: Option<i32>,
    /// Whether a score equal to the lower bound is in this band.
    #[oai(default)]
    #[serde(default)]
    pub lower_inclusive: bool,
    /// Upper bound (none: unbounded).
    pub upper: Option<i32>,
    /// Whether a score equal to the upper bound is in this band.
    #[oai(default)]
    #[serde(default)]
    pub upper_inclusive: bool,
}

/// Self-score → rating bands for a plan.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
pub struct RubricInput {
    /// The issuer it belongs to.
    pub issuer_id: Uuid,
    /// Name, e.g. "Báo cáo 2024 (xuất sắc trên 90)".
    pub name: String,
    /// Bands covering 0–100 with no gap or overlap.
    pub bands: Vec<BandInput>,
}

/// A stored rubric.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case")]
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
