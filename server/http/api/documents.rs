//! `/documents`: reports, plans and letters being drafted.

use std::sync::Arc;

use poem::web::RemoteAddr;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{Created, Deleted, Tag, actor};
use crate::http::ApiResult;
use crate::model::{Document, DocumentInput, Page, Paging};
use crate::render::Renderer;
use crate::services::documents::DocumentFilter;
use crate::services::{documents, now, printing};
use crate::storage::Db;

/// Document API.
pub struct DocumentApi {
    /// Database handle.
    pub db: Db,
    /// Templates and fonts.
    pub renderer: Arc<Renderer>,
}

/// A PDF file.
#[derive(ApiResponse)]
pub enum PdfResponse {
    /// The document as PDF.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(Binary<Vec<u8>>, #[oai(header = "Content-Disposition")] String),
}

#[OpenApi(tag = "Tag::Documents")]
impl DocumentApi {
    /// Create a draft document.
    #[oai(path = "/documents", method = "post")]
    async fn create(&self, body: Json<DocumentInput>, remote: &RemoteAddr) -> ApiResult<Created<Document>> {
        Ok(Created::Created(Json(documents::create_document(&self.db, &actor(remote), now(), body.0).await?)))
    }

    /// List documents, newest first; filter by issuer, plan, kind and state.
    #[oai(path = "/documents", method = "get")]
    async fn list(
        &self,
        issuer_id: Query<Option<Uuid>>,
        plan_id: Query<Option<Uuid>>,
        kind: Query<Option<String>>,
        state: Query<Option<String>>,
        page: Query<Option<u64>>,
        per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Document>>> {
        let filter = DocumentFilter { issuer_id: issuer_id.0, plan_id: plan_id.0, kind: kind.0, state: state.0 };
        Ok(Json(documents::list_documents(&self.db, filter, Paging::new(page.0, per_page.0)?).await?))
    }

    /// Get one document.
    #[oai(path = "/documents/:id", method = "get")]
    async fn get(&self, id: Path<Uuid>) -> ApiResult<Json<Document>> {
        Ok(Json(documents::get_document(&self.db, id.0).await?))
    }

    /// Replace a draft's fields (409 once it has left the draft state).
    #[oai(path = "/documents/:id", method = "put")]
    async fn update(
        &self,
        id: Path<Uuid>,
        body: Json<DocumentInput>,
        remote: &RemoteAddr,
    ) -> ApiResult<Json<Document>> {
        Ok(Json(documents::update_document(&self.db, &actor(remote), now(), id.0, body.0).await?))
    }

    /// Delete a draft.
    #[oai(path = "/documents/:id", method = "delete")]
    async fn delete(&self, id: Path<Uuid>, remote: &RemoteAddr) -> ApiResult<Deleted> {
        documents::delete_document(&self.db, &actor(remote), now(), id.0).await?;
        Ok(Deleted::Deleted)
    }

    /// The document as PDF: a preview of a draft, printed from the current data.
    #[oai(path = "/documents/:id/pdf", method = "get")]
    async fn pdf(&self, id: Path<Uuid>) -> ApiResult<PdfResponse> {
        let pdf = printing::render_document(&self.db, &self.renderer, id.0).await?;
        Ok(PdfResponse::Pdf(Binary(pdf), format!("inline; filename=\"{}.pdf\"", id.0)))
    }
}
