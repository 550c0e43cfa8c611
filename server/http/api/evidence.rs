//! `/tasks/{id}/evidence` and `/evidence/{id}`: minh chứng uploads and downloads.

use poem::Request;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{
    ApiResponse, Multipart, OpenApi,
    param::Path,
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{Created, Deleted, Tag, who};
use crate::error::AppError;
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::model::Evidence;
use crate::services::{evidence, now};
use crate::state::AppState;

/// Evidence API.
pub struct EvidenceApi {
    /// Shared state.
    pub state: AppState,
}

/// The upload form.
#[derive(Multipart)]
pub struct EvidenceForm {
    /// The file (PDF, image, office document or archive).
    file: Upload,
    /// The target it supports, if any.
    target_id: Option<String>,
}

/// A file download, served with the type its bytes were recognised as (the
/// OpenAPI document lists every accepted type).
pub struct FileResponse {
    bytes: Vec<u8>,
    content_type: String,
    disposition: String,
}

impl poem::IntoResponse for FileResponse {
    fn into_response(self) -> poem::Response {
        // Never sniffed or run as a page, whatever the bytes hold (a PDF that is also
        // HTML, say): a download, in a sandbox if a browser opens it at all.
        poem::Response::builder()
            .content_type(self.content_type)
            .header("content-disposition", self.disposition)
            .header("x-content-type-options", "nosniff")
            .header("content-security-policy", "sandbox; default-src 'none'")
            .body(self.bytes)
    }
}

impl ApiResponse for FileResponse {
    fn meta() -> poem_openapi::registry::MetaResponses {
        use poem_openapi::payload::Payload;
        use poem_openapi::registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses};
        use poem_openapi::types::Type;
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The file, with its original name.",
                status: Some(200),
                status_range: None,
                content: crate::domain::filetype::ACCEPTED
                    .iter()
                    .map(|t| MetaMediaType { content_type: t, schema: Binary::<Vec<u8>>::schema_ref() })
                    .collect(),
                headers: vec![MetaHeader {
                    name: "Content-Disposition".into(),
                    description: Some("attachment; filename=…; filename*=UTF-8''…".into()),
                    required: true,
                    deprecated: false,
                    schema: String::schema_ref(),
                }],
            }],
        }
    }

    fn register(_: &mut poem_openapi::registry::Registry) {}
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987).
pub fn content_disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[OpenApi(tag = "Tag::Plans")]
impl EvidenceApi {
    /// Upload evidence for a task (multipart: `file`, optional `target_id`). The type is
    /// detected from the bytes; executables are refused; the limit is in the config.
    #[oai(path = "/tasks/:id/evidence", method = "post")]
    async fn upload(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        form: EvidenceForm,
    ) -> ApiResult<Created<Evidence>> {
        let actor = who(&self.state, &auth, req).await?;
        let target_id = match form.target_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(t) => Some(
                t.parse::<Uuid>().map_err(|_| AppError::field("target_id", "Không phải mã hợp lệ / not a valid id"))?,
            ),
            None => None,
        };
        let file_name = form.file.file_name().unwrap_or("").to_owned();
        let size = form.file.size() as u64;
        let file = form.file.into_file().into_std().await;
        let upload = evidence::Upload { task_id: id.0, target_id, file_name, file, size };
        let s = &self.state;
        Ok(Created::Created(Json(
            evidence::upload_evidence(&s.db, &s.files, &actor, now(), upload, s.max_upload_bytes, &s.signing.trust)
                .await?,
        )))
    }

    /// The evidence of a task.
    #[oai(path = "/tasks/:id/evidence", method = "get")]
    async fn list(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Vec<Evidence>>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(evidence::list_evidence(&self.state.db, &actor, id.0).await?))
    }

    /// One evidence record.
    #[oai(path = "/evidence/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Evidence>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(evidence::get_evidence(&self.state.db, &actor, id.0).await?))
    }

    /// Download the file under its original (Vietnamese) name.
    #[oai(path = "/evidence/:id/file", method = "get")]
    async fn download(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<FileResponse> {
        let actor = who(&self.state, &auth, req).await?;
        let (meta, bytes) = evidence::download_evidence(&self.state.db, &self.state.files, &actor, id.0).await?;
        Ok(FileResponse { bytes, content_type: meta.content_type, disposition: content_disposition(&meta.file_name) })
    }

    /// Delete evidence while the task's result can still change.
    #[oai(path = "/evidence/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        let actor = who(&self.state, &auth, req).await?;
        evidence::delete_evidence(&self.state.db, &self.state.files, &actor, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn vietnamese_file_names_survive_in_content_disposition() {
        let h = super::content_disposition("Báo cáo \"số 5\".pdf");
        assert_eq!(
            h,
            "attachment; filename=\"B_o c_o _s_ 5_.pdf\"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%22s%E1%BB%91%205%22%2Epdf"
        );
    }
}
