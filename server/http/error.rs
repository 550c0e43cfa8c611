//! The single mapping from errors to HTTP: `AppError` → status + JSON body
//! `{code, message, fields}`. 5xx causes are logged, never sent.

use std::collections::BTreeMap;

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

use crate::error::AppError;

/// The body of every error response.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(rename_all = "snake_case", skip_serializing_if_is_none)]
pub struct ErrorBody {
    /// Stable machine code, e.g. "validation_failed", "duplicate_task_code".
    pub code: String,
    /// What went wrong, in Vietnamese and English.
    pub message: String,
    /// Per-field messages (field name → message); empty when not about fields.
    pub fields: BTreeMap<String, String>,
    /// The Nghị định 30 check's findings, when that is why the step was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<crate::model::CheckFinding>>,
}

impl ErrorBody {
    fn new(code: &str, message: &str) -> ErrorBody {
        ErrorBody { code: code.to_owned(), message: message.to_owned(), fields: BTreeMap::new(), findings: None }
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
    /// Too many failed attempts; wait the seconds in `Retry-After` before trying again.
    #[oai(status = 429)]
    TooManyAttempts(Json<ErrorBody>, #[oai(header = "Retry-After")] String),
    /// The input breaks a rule; see `fields`.
    #[oai(status = 422)]
    Invalid(Json<ErrorBody>),
    /// The server failed; the cause is in its log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// The server is busy (e.g. printing); try again later.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

/// What every handler returns.
pub type ApiResult<T> = Result<T, ApiError>;

const INTERNAL: &str = "Lỗi hệ thống, vui lòng thử lại sau / internal error, please try again later";

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let (status, code) = (e.status(), e.code());
        let mut body = ErrorBody::new(code, INTERNAL);
        body.message = match e {
            AppError::NotFound { entity } => format!("Không tìm thấy bản ghi ({entity}) / {entity} not found"),
            AppError::Invalid(fields) => {
                body.fields = fields;
                "Dữ liệu không hợp lệ, xem từng trường / invalid input, see the fields".into()
            }
            AppError::Conflict { message, .. } | AppError::Unavailable(message) => message,
            AppError::Forbidden => "Vai trò của bạn không được làm việc này / your role does not allow this".into(),
            AppError::TooLarge(what) => format!("Tệp quá lớn / file too large: {what}"),
            AppError::UnsupportedType(what) => format!("Loại tệp không được chấp nhận / file type refused: {what}"),
            AppError::TooManyAttempts { retry_after_secs } => {
                let message = format!(
                    "Đăng nhập sai quá nhiều lần, thử lại sau {retry_after_secs} giây / too many failed logins, try again in {retry_after_secs} s"
                );
                return ApiError::TooManyAttempts(Json(ErrorBody::new(code, &message)), retry_after_secs.to_string());
            }
            AppError::BadCredentials => "Sai tên đăng nhập hoặc mật khẩu / wrong username or password".into(),
            AppError::CsrfRejected => {
                "Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token); tải lại trang / missing or wrong CSRF token; reload the page"
                    .into()
            }
            AppError::Unauthorized => "Cần đăng nhập / authentication required".into(),
            AppError::CheckFailed(findings) => {
                let report = crate::model::CheckReport::of(findings);
                for f in report.findings.iter().filter(|f| f.severity == crate::model::CheckSeverity::Error) {
                    if let Some(field) = &f.field {
                        body.fields.entry(field.clone()).or_insert_with(|| f.message.clone());
                    }
                }
                let errors = report.errors;
                body.findings = Some(report.findings);
                format!(
                    "Văn bản còn {errors} lỗi thể thức theo Nghị định 30/2020, xem danh sách / the document has {errors} error(s) under Nghị định 30/2020, see the findings"
                )
            }
            AppError::Db(err) => {
                tracing::error!(error = %err, "database error");
                INTERNAL.into()
            }
            AppError::Internal(err) => {
                tracing::error!(error = %err, "internal error");
                INTERNAL.into()
            }
        };
        let body = Json(body);
        match status {
            401 => ApiError::Unauthorized(body),
            403 => ApiError::Forbidden(body),
            404 => ApiError::NotFound(body),
            409 => ApiError::Conflict(body),
            413 => ApiError::TooLarge(body),
            415 => ApiError::UnsupportedType(body),
            422 => ApiError::Invalid(body),
            503 => ApiError::Unavailable(body),
            _ => ApiError::Internal(body),
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
            tracing::debug!(reason = %reason(&err), "payload refused");
            if let Some((field, message)) = failed_bound(&reason(&err)) {
                let mut body = ErrorBody::new(
                    "validation_failed",
                    "Dữ liệu không hợp lệ, xem từng trường / invalid input, see the fields",
                );
                body.fields.insert(field, message);
                return poem::web::Json(body).with_status(StatusCode::UNPROCESSABLE_ENTITY).into_response();
            }
            let why = reason(&err);
            // A text field sent as a number or true/false (see `http::strict`): name it.
            if let Some(field) = why.split("field `").nth(1).and_then(|r| r.split('`').next())
                && why.contains("must be a JSON string")
            {
                let mut body =
                    ErrorBody::new("invalid_json", &format!("Trường {field} phải là chuỗi / {field} must be a string"));
                body.fields.insert(field.to_owned(), "Phải là chuỗi ký tự / must be a string".to_owned());
                return poem::web::Json(body).with_status(StatusCode::BAD_REQUEST).into_response();
            }
            ("invalid_json", format!("Nội dung JSON không hợp lệ / invalid JSON body: {why}"))
        }
        // A well-formed value outside the documented bounds (page=0): 422, like a body field.
        _ if field.is_some() && reason(&err).contains("verification failed") => {
            let message = format!("Tham số không hợp lệ / invalid parameter: {}", bound_message(&reason(&err)));
            let mut body = ErrorBody::new("invalid_parameter", &message);
            body.fields.insert(field.unwrap_or_default(), message);
            return poem::web::Json(body).with_status(StatusCode::UNPROCESSABLE_ENTITY).into_response();
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

/// A body field that broke a bound the OpenAPI document states, from poem-openapi's
/// "field `name` verification failed. maxLength(200)": the field and a bilingual message.
fn failed_bound(reason: &str) -> Option<(String, String)> {
    let rest = reason.split("field `").nth(1)?;
    let (field, rest) = rest.split_once('`')?;
    let rule =
        rest.split_once("verification failed.").map(|(_, r)| r.split(" (occurred").next().unwrap_or(r).trim())?;
    // Nested objects: `failed to parse "Inner": … (occurred while parsing "Outer")`,
    // turned into the outer field's name, e.g. "reminder_policy.offsets_days".
    let mut types: Vec<&str> = Vec::new();
    if let Some(inner) = reason.split("failed to parse \"").nth(1).and_then(|r| r.split('"').next()) {
        types.push(inner);
    }
    types.extend(reason.split("occurred while parsing \"").skip(1).filter_map(|r| r.split('"').next()));
    // Wrappers ("optional_X", "list_X") name the same schema as X.
    let mut types: Vec<&str> =
        types.into_iter().map(|t| t.trim_start_matches("optional_").trim_start_matches("list_")).collect();
    types.dedup();
    let mut path = vec![field.to_owned()];
    for pair in types.windows(2) {
        if let Some(name) = NESTED.get().and_then(|m| m.get(&(pair[1].to_owned(), pair[0].to_owned()))) {
            path.insert(0, name.clone());
        }
    }
    Some((path.join("."), bound_message(rule)))
}

/// (outer schema, inner schema) → the outer's field holding the inner, from the OpenAPI document.
static NESTED: std::sync::OnceLock<std::collections::HashMap<(String, String), String>> = std::sync::OnceLock::new();

/// Learns which field of which schema holds which nested schema, so a bound broken
/// inside a nested object names its full path.
pub fn learn_nesting(openapi_json: &str) {
    let Ok(spec) = serde_json::from_str::<serde_json::Value>(openapi_json) else { return };
    let mut map = std::collections::HashMap::new();
    for (outer, schema) in spec["components"]["schemas"].as_object().into_iter().flatten() {
        for (field, prop) in schema["properties"].as_object().into_iter().flatten() {
            let text = prop.to_string();
            for part in text.split("#/components/schemas/").skip(1) {
                let inner = part.split('"').next().unwrap_or("");
                map.insert((outer.clone(), inner.to_owned()), field.clone());
            }
        }
    }
    let _ = NESTED.set(map);
}

/// A poem-openapi validator ("maxLength(200)", "maximum(500, exclusive: false)") in words.
fn bound_message(rule: &str) -> String {
    let arg = |name: &str| {
        rule.find(name).map(|i| {
            rule[i + name.len()..]
                .trim_start_matches('(')
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
                .collect::<String>()
        })
    };
    if let Some(n) = arg("maxLength") {
        format!("Quá dài: tối đa {n} ký tự / too long: at most {n} characters")
    } else if let Some(n) = arg("minLength") {
        format!("Quá ngắn: ít nhất {n} ký tự / too short: at least {n} characters")
    } else if let Some(n) = arg("maxItems") {
        format!("Quá nhiều mục: tối đa {n} / too many items: at most {n}")
    } else if let Some(n) = arg("maxProperties") {
        format!("Quá nhiều mục: tối đa {n} / too many entries: at most {n}")
    } else if let Some(n) = arg("maximum") {
        format!("Không được lớn hơn {n} / must be at most {n}")
    } else if let Some(n) = arg("minimum") {
        format!("Không được nhỏ hơn {n} / must be at least {n}")
    } else {
        format!("Giá trị không hợp lệ / invalid value: {rule}")
    }
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_broken_inside_a_nested_object_names_the_whole_path() {
        learn_nesting(
            r##"{"components": {"schemas": {
                "PlanInput": {"properties": {"reminder_policy": {"allOf": [{"$ref": "#/components/schemas/ReminderPolicy"}]}}},
                "DocumentInput": {"properties": {"recipients": {"type": "array", "items": {"$ref": "#/components/schemas/Recipient"}}}}}}}"##,
        );
        let nested = r#"failed to parse "ReminderPolicy": field `offsets_days` verification failed. minimum(0, exclusive: false) (occurred while parsing "optional_ReminderPolicy") (occurred while parsing "PlanInput")"#;
        let (field, message) = failed_bound(nested).unwrap();
        assert_eq!(field, "reminder_policy.offsets_days");
        assert!(message.contains("nhỏ hơn 0"), "{message}");
        let listed = r#"failed to parse "Recipient": field `label` verification failed. maxLength(1000) (occurred while parsing "list_Recipient") (occurred while parsing "DocumentInput")"#;
        assert_eq!(
            failed_bound(listed).unwrap(),
            (
                "recipients.label".to_owned(),
                "Quá dài: tối đa 1000 ký tự / too long: at most 1000 characters".to_owned()
            )
        );
        let flat = r#"failed to parse "PlanInput": field `title` verification failed. maxLength(1000)"#;
        assert_eq!(failed_bound(flat).unwrap().0, "title");
    }
}
