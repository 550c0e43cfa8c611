//! `/documents`: reports, plans and letters being drafted.

use chrono::Datelike;
use poem::Request;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::{Created, Deleted, Tag, who};
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::http::strict::StrictJson;
use crate::model::CommentInput;
use crate::model::{Document, DocumentInput, Page, Paging, ReasonInput};
use crate::services::documents::DocumentFilter;
use crate::services::signatures::{PreparedSignature, SigningHandoff};
use crate::services::{documents, issuing, now, printing, signatures};
use crate::signing::SignatureReport;
use crate::state::AppState;

/// The signature a token tool or remote service sends back through the hand-off.
#[derive(Debug, Clone, poem_openapi::Object)]
pub struct HandoffSignature {
    /// CMS SignedData (detached) over the hand-off's content, DER, base64.
    #[oai(validator(max_length = 200000))]
    pub signature: String,
}

/// The external party's signature for a prepared session.
#[derive(Debug, Clone, poem_openapi::Object)]
pub struct FinalizeInput {
    /// From prepare.
    pub session_id: Uuid,
    /// CMS SignedData (detached) over the prepared digest, DER, base64.
    #[oai(validator(max_length = 200000))]
    pub signature: String,
}

/// Document API.
pub struct DocumentApi {
    /// Shared state.
    pub state: AppState,
}

/// A PDF file.
#[derive(ApiResponse)]
pub enum PdfResponse {
    /// The document as PDF.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(Binary<Vec<u8>>, #[oai(header = "Content-Disposition")] String),
}

/// `inline` with the file name an office would give it ("Báo cáo số 01-BC-UBND năm
/// 2026.pdf"), in UTF-8 and folded to ASCII for older clients.
fn content_disposition(d: &Document) -> String {
    let kind = d.data.kind.parse::<crate::domain::DocumentKind>().map(|k| k.label()).unwrap_or("Văn bản");
    let year = d.issued_at.map(|t| crate::services::local_date(t).year());
    let name = crate::domain::format::document_file_name(kind, d.number, &d.symbol, year);
    let ascii: String = crate::domain::text::fold(&name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' })
        .collect();
    let utf8: String = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC).collect();
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{utf8}")
}

#[OpenApi(tag = "Tag::Documents")]
impl DocumentApi {
    /// Create a draft document.
    #[oai(path = "/documents", method = "post")]
    async fn create(&self, auth: Auth, req: &Request, body: StrictJson<DocumentInput>) -> ApiResult<Created<Document>> {
        Ok(Created::Created(Json(
            documents::create_document(&self.state.db, &who(&self.state, &auth, req).await?, now(), body.0).await?,
        )))
    }

    /// List documents, newest first; filter by issuer, plan, kind and state.
    #[oai(path = "/documents", method = "get")]
    // poem-openapi takes each documented query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        req: &Request,
        issuer_id: Query<Option<Uuid>>,
        plan_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 64))] kind: Query<Option<String>>,
        #[oai(validator(max_length = 64))] state: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100000")))] page: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] per_page: Query<Option<u64>>,
    ) -> ApiResult<Json<Page<Document>>> {
        let filter = DocumentFilter { issuer_id: issuer_id.0, plan_id: plan_id.0, kind: kind.0, state: state.0 };
        Ok(Json(
            documents::list_documents(
                &self.state.db,
                &who(&self.state, &auth, req).await?,
                filter,
                Paging::new(page.0, per_page.0)?,
            )
            .await?,
        ))
    }

    /// Get one document.
    #[oai(path = "/documents/:id", method = "get")]
    async fn get(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Document>> {
        Ok(Json(documents::get_document(&self.state.db, &who(&self.state, &auth, req).await?, id.0).await?))
    }

    /// Replace a draft's fields (409 once it has left the draft state).
    #[oai(path = "/documents/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<DocumentInput>,
    ) -> ApiResult<Json<Document>> {
        Ok(Json(
            documents::update_document(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0, body.0)
                .await?,
        ))
    }

    /// Delete a draft.
    #[oai(path = "/documents/:id", method = "delete")]
    async fn delete(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Deleted> {
        documents::delete_document(&self.state.db, &who(&self.state, &auth, req).await?, now(), id.0).await?;
        Ok(Deleted::Deleted)
    }

    /// The document as PDF: a preview of a draft, printed from the current data.
    #[oai(path = "/documents/:id/pdf", method = "get")]
    async fn pdf(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<PdfResponse> {
        let actor = who(&self.state, &auth, req).await?;
        let s = &self.state;
        let pdf = printing::document_pdf(&s.db, &s.renderer, &s.files, &actor, id.0).await?;
        let d = documents::get_document(&s.db, &actor, id.0).await?;
        Ok(PdfResponse::Pdf(Binary(pdf), content_disposition(&d)))
    }

    /// The Nghị định 30 check: findings about the document's data (signer block,
    /// recipients, closing "./.", dates, plan rows) and its printed pages (A4,
    /// margins, embedded fonts, line and paragraph spacing, header, signature block,
    /// nothing split that must stay whole). Errors stop submission; warnings do not.
    #[oai(path = "/documents/:id/check", method = "get")]
    async fn check(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<crate::model::CheckReport>> {
        let actor = who(&self.state, &auth, req).await?;
        let s = &self.state;
        let findings = crate::services::checks::check_document(
            &s.db,
            &s.renderer,
            &s.files,
            &actor,
            id.0,
            now(),
            s.signing.images_required,
        )
        .await?;
        Ok(Json(crate::model::CheckReport::of(findings)))
    }

    /// Send a draft to the signer for approval (office); refused (409,
    /// `nd30_check_failed`, with the findings) while the check finds an error.
    #[oai(path = "/documents/:id/submit", method = "post")]
    async fn submit(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Document>> {
        let actor = who(&self.state, &auth, req).await?;
        let s = &self.state;
        Ok(Json(issuing::submit_document(s.tools(), &actor, now(), id.0).await?))
    }

    /// Approve a submitted document: the sign-off (signer of the issuer).
    #[oai(path = "/documents/:id/approve", method = "post")]
    async fn approve(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Document>> {
        let actor = who(&self.state, &auth, req).await?;
        let s = &self.state;
        Ok(Json(issuing::approve_document(s.tools(), &actor, now(), id.0).await?))
    }

    /// Send a submitted document back to the office with a comment (signer).
    #[oai(path = "/documents/:id/send-back", method = "post")]
    async fn send_back(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<CommentInput>,
    ) -> ApiResult<Json<Document>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(issuing::send_back_document(&self.state.db, &actor, now(), id.0, body.0.comment).await?))
    }

    /// Issue an approved document: next number, today's date, PDF rendered and frozen (office).
    #[oai(path = "/documents/:id/issue", method = "post")]
    async fn issue(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Document>> {
        let actor = who(&self.state, &auth, req).await?;
        let s = &self.state;
        Ok(Json(issuing::issue_document(s.tools(), &actor, now(), id.0).await?))
    }

    /// The digital signatures on the document's PDF and what holds of each:
    /// signer, certificate issuer and validity, signing time, intact, whole file, trusted.
    #[oai(path = "/documents/:id/signatures", method = "get")]
    async fn signatures(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<Vec<SignatureReport>>> {
        let actor = who(&self.state, &auth, req).await?;
        let s = &self.state;
        Ok(Json(signatures::document_signatures(&s.db, &s.files, &s.signing, &actor, id.0).await?))
    }

    /// Signing with a token or a remote signing service, step 1 (signer): renders the
    /// copy to sign and returns the SHA-256 digest the external party signs.
    #[oai(path = "/documents/:id/signing/prepare", method = "post")]
    async fn signing_prepare(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<PreparedSignature>> {
        let actor = who(&self.state, &auth, req).await?;
        let s = &self.state;
        Ok(Json(signatures::prepare(s.tools(), &actor, now(), id.0).await?))
    }

    /// Signing hand-off, for a token tool or a remote signing service (no login: the
    /// secret in the path from prepare's `handoff_url` is the credential). Answers once
    /// with what to sign and a return URL; afterwards, or once the session expired,
    /// 409 `signing_handoff_gone`.
    #[oai(path = "/signing/handoff/:secret", method = "get")]
    async fn signing_handoff(
        &self,
        #[oai(validator(min_length = 1, max_length = 64))] secret: Path<String>,
    ) -> ApiResult<Json<SigningHandoff>> {
        let s = &self.state;
        Ok(Json(signatures::handoff_fetch(&s.db, &s.files, now(), &secret.0).await?))
    }

    /// Signing hand-off, the answer: the tool posts the CMS signature to the return URL
    /// it was given; it is checked and embedded exactly as finalize does, as the
    /// signer's. Works once.
    #[oai(path = "/signing/handoff/:secret/signature", method = "post")]
    async fn signing_handoff_return(
        &self,
        req: &Request,
        #[oai(validator(min_length = 1, max_length = 64))] secret: Path<String>,
        body: StrictJson<HandoffSignature>,
    ) -> ApiResult<Json<Document>> {
        let s = &self.state;
        let from = Some(req.remote_addr().to_string());
        Ok(Json(
            signatures::handoff_return(&s.db, &s.files, &s.signing, now(), from, &secret.0, &body.0.signature).await?,
        ))
    }

    /// Step 3 (signer): the external party's CMS signature (detached SignedData over the
    /// digest, base64 DER) is checked, embedded, and the document approved.
    #[oai(path = "/documents/:id/signing/finalize", method = "post")]
    async fn signing_finalize(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<FinalizeInput>,
    ) -> ApiResult<Json<Document>> {
        let actor = who(&self.state, &auth, req).await?;
        let s = &self.state;
        let b = body.0;
        Ok(Json(signatures::finalize(s.tools(), &actor, now(), id.0, b.session_id, &b.signature).await?))
    }

    /// Start a correction of an issued document, with its reason: a new draft that
    /// replaces it once issued. While a correction of a plan's report is prepared,
    /// the plan's tasks, targets and results may change again.
    #[oai(path = "/documents/:id/correction", method = "post")]
    async fn correct(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<ReasonInput>,
    ) -> ApiResult<Created<Document>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Created::Created(Json(
            issuing::correct_document(&self.state.db, &actor, now(), id.0, &body.0.reason).await?,
        )))
    }
}
