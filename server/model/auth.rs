//! Logins, sessions and API tokens.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

/// Username and password.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct LoginInput {
    /// Login name.
    #[oai(validator(max_length = 256))]
    pub username: String,
    /// Password.
    #[oai(write_only)]
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

/// The logged-in user and the CSRF token their browser must send with every change.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct Session {
    /// The user.
    pub user_id: Uuid,
    /// Login name.
    pub username: String,
    /// Full name.
    pub name: String,
    /// Role.
    pub role: crate::domain::Role,
    /// Their issuer.
    pub issuer_id: Uuid,
    /// Their unit, for unit officers.
    pub unit_id: Option<Uuid>,
    /// Whether they administer the server (create offices, appoint their administrators).
    pub server_admin: bool,
    /// Send as `X-CSRF-Token` with every POST, PUT and DELETE made with the session cookie.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// A name for a new API token.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct TokenInput {
    /// What the token is for, e.g. "đồng bộ số liệu".
    #[oai(validator(max_length = 300))]
    pub name: String,
}

/// An API token (without its secret).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ApiToken {
    /// Record id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new API token: the secret is shown this once.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct NewApiToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// The token's record.
    #[oai(flatten)]
    pub info: ApiToken,
}

/// A new password.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct PasswordInput {
    /// At least 10 characters.
    #[oai(write_only)]
    #[oai(validator(min_length = 10, max_length = 1024))]
    pub password: String,
}

/// A comment for a workflow step that may go without one (accepting a result).
#[derive(Debug, Clone, Object, Default)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct StepInput {
    /// Why.
    #[oai(validator(max_length = 5000))]
    #[oai(nullable)]
    pub comment: Option<String>,
}

/// The reason for a step that sends work back (returning or reopening a result,
/// sending a document back): required, and not blank. Its absence is named by the
/// service with the input's other problems (422), so the type takes it as optional.
#[derive(Debug, Clone, Object, Default)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct CommentInput {
    /// Why the work goes back.
    #[oai(validator(max_length = 5000))]
    pub comment: Option<String>,
}
