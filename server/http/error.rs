//! The single mapping from errors to HTTP: `AppError` → status + JSON body
//! `{code, message, fields}`. 5xx causes are logged, never sent.

use std::collections::BTreeMap;

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

use crate::error::AppError;

/// The body of every error response.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename_all = "snake_case")]
pub struct ErrorBody {
    /// Stable machine code, e.g. "validation_failed", "duplicate_task_code".
    pub code: String,
    /// What went wrong, in Vietnamese and English.
    pub message: String,
    /// Per-field messages (field name → message); empty when not about fields.
    pub fields: BTreeMap<String, String>,
}

impl ErrorBody {
    fn new(code: &str, message: &str) -> ErrorBody {
        ErrorBody { code: code.to_owned(), message: message.to_owned(), fields: BTreeMap::new() }
    }
}

/// Every error status the API returns.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed: bad JSON, a wrong type, a bad query parameter.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No valid credentials.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The caller may not do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// The record does not exist.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The change clashes with stored data.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The upload is larger than allowed.
    #[oai(status = 413)]
    TooLarge(Json<ErrorBody>),
    /// The upload's type is refused.
    #[oai(status = 415)]
    UnsupportedType(Json<ErrorBody>),
    /// Too many failed attempts; wait before trying again.
    #[oai(status = 429)]
    TooManyAttempts(Json<ErrorBody>),
    /// The input breaks a rule; see `fields`.
    #[oai(status = 422)]
    Invalid(Json<ErrorBody>),
    /// The server failed; the cause is in its log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

/// What every handler returns.
pub type ApiResult<T> = Result<T, ApiError>;

const INTERNAL: &str = "Lỗi hệ thống, vui lòng thử lại sau / internal error, please try again later";

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        match e {
            AppError::NotFound { entity } => ApiError::NotFound(Json(ErrorBody::new(
                "not_found",
                &format!("Không tìm thấy bản ghi ({entity}) / {entity} not found"),
            ))),
            AppError::Invalid(fields) => ApiError::Invalid(Json(ErrorBody {
                code: "validation_failed".into(),
                message: "Dữ liệu không hợp lệ, xem từng trường / invalid input, see the fields".into(),
                fields,
            })),
            AppError::Conflict { code, message } => ApiError::Conflict(Json(ErrorBody::new(code, &message))),
            AppError::Forbidden => ApiError::Forbidden(Json(ErrorBody::new(
                "forbidden",
                "Vai trò của bạn không được làm việc này / your role does not allow this",
            ))),
            AppError::TooLarge(what) => ApiError::TooLarge(Json(ErrorBody::new(
                "payload_too_large",
                &format!("Tệp quá lớn / file too large: {what}"),
            ))),
            AppError::UnsupportedType(what) => ApiError::UnsupportedType(Json(ErrorBody::new(
                "file_type_refused",
                &format!("Loại tệp không được chấp nhận / file type refused: {what}"),
            ))),
            AppError::TooManyAttempts { retry_after_secs } => ApiError::TooManyAttempts(Json(ErrorBody::new(
                "too_many_attempts",
                &format!(
                    "Đăng nhập sai quá nhiều lần, thử lại sau {retry_after_secs} giây / too many failed logins, try again in {retry_after_secs} s"
                ),
            ))),
            AppError::BadCredentials => ApiError::Unauthorized(Json(ErrorBody::new(
                "invalid_credentials",
                "Sai tên đăng nhập hoặc mật khẩu / wrong username or password",
            ))),
            AppError::CsrfRejected => ApiError::Forbidden(Json(ErrorBody::new(
                "csrf_token_invalid",
                "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token); tải lại trang / missing or wrong CSRF token; reload the page",
            ))),
            AppError::Unauthorized => {
                ApiError::Unauthorized(Json(ErrorBody::new("unauthorized", "Cần đăng nhập / authentication required")))
            }
            AppError::Db(err) => {
                tracing::error!(error = %err, "database error");
                ApiError::Internal(Json(ErrorBody::new("internal", INTERNAL)))
            }
            AppError::Internal(err) => {
                tracing::error!(error = %err, "internal error");
                ApiError::Internal(Json(ErrorBody::new("internal", INTERNAL)))
            }
        }
    }
}

/// Turns any error that escaped a handler (a body that is not JSON, a path or
/// query parameter of the wrong type, an unknown route) into the same JSON shape.
pub async fn catch_all(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let field = field_of(&err);
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("route_not_found", "Không có địa chỉ này / no such route".to_owned()),
        StatusCode::UNAUTHORIZED => ("unauthorized", "Cần đăng nhập / authentication required".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "Phương thức không được hỗ trợ / method not allowed".to_owned())
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("payload_too_large", "Dữ liệu gửi lên quá lớn / request body too large".to_owned())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Cần gửi JSON (Content-Type: application/json) / send JSON (Content-Type: application/json)".to_owned(),
        ),
        _ if err.is::<poem_openapi::error::ParseRequestPayloadError>() => {
            ("invalid_json", format!("Nội dung JSON không hợp lệ / invalid JSON body: {}", reason(&err)))
        }
        _ if field.is_some() => {
            ("invalid_parameter", format!("Tham số không hợp lệ / invalid parameter: {}", reason(&err)))
        }
        s if s.is_client_error() => ("bad_request", format!("Yêu cầu không hợp lệ / malformed request: {err}")),
        _ => {
            tracing::error!(error = %err, "unhandled error");
            ("internal", INTERNAL.to_owned())
        }
    };
    let status = if status.is_server_error() { StatusCode::INTERNAL_SERVER_ERROR } else { status };
    let mut body = ErrorBody::new(code, &message);
    if let Some(field) = field {
        body.fields.insert(field, message);
    }
    poem::web::Json(body).with_status(status).into_response()
}

/// The parameter a parse error is about, if poem-openapi says. Path parameters
/// are renamed `param0`, `param1`… internally; every path parameter here is an id.
fn field_of(err: &poem::Error) -> Option<String> {
    use poem_openapi::error::{ParseParamError, ParsePathError};
    let name = match err.downcast_ref::<ParseParamError>() {
        Some(e) => e.name,
        None => err.downcast_ref::<ParsePathError>()?.name,
    };
    let internal = name.strip_prefix("param").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    Some(if internal { "id".to_owned() } else { name.to_owned() })
}

/// The reason of a poem-openapi parse error, without its wrapping.
fn reason(err: &poem::Error) -> String {
    if let Some(e) = err.downcast_ref::<poem_openapi::error::ParseRequestPayloadError>() {
        return e.reason.clone();
    }
    if let Some(e) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        return e.reason.clone();
    }
    if let Some(e) = err.downcast_ref::<poem_openapi::error::ParsePathError>() {
        return e.reason.clone();
    }
    err.to_string()
}
