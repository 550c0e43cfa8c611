//! Signing keys: administrators import a PKCS#12 for a signer or an issuing body,
//! list the installed keys and retire one.

use poem::Request;
use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{Created, Tag, who};
use crate::http::ApiResult;
use crate::http::auth::Auth;
use crate::http::strict::StrictJson;
use crate::model::{KeyImportInput, SigningKeyInfo};
use crate::services::keys::{self as svc, KeyHolder};
use crate::services::now;
use crate::state::AppState;

/// Signing key API.
pub struct KeyApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "Tag::Organisation")]
impl KeyApi {
    /// Install the issuing body's own key (the agency's signature at issue), replacing
    /// the one in use. The certificate must be valid, chain to the trust store and
    /// name the body; the private key is stored sealed. Administrators.
    #[oai(path = "/issuers/:id/signing-keys", method = "post")]
    async fn import_issuer_key(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<KeyImportInput>,
    ) -> ApiResult<Created<SigningKeyInfo>> {
        let actor = who(&self.state, &auth, req).await?;
        let key =
            svc::import_input(&self.state.db, &self.state.signing, &actor, now(), KeyHolder::Issuer(id.0), body.0)
                .await?;
        Ok(Created::Created(Json(key)))
    }

    /// Install a signer's key, replacing the one in use. The certificate must be valid,
    /// chain to the trust store and carry the signer's name. Administrators.
    #[oai(path = "/users/:id/signing-keys", method = "post")]
    async fn import_signer_key(
        &self,
        auth: Auth,
        req: &Request,
        id: Path<Uuid>,
        body: StrictJson<KeyImportInput>,
    ) -> ApiResult<Created<SigningKeyInfo>> {
        let actor = who(&self.state, &auth, req).await?;
        let key =
            svc::import_input(&self.state.db, &self.state.signing, &actor, now(), KeyHolder::Signer(id.0), body.0)
                .await?;
        Ok(Created::Created(Json(key)))
    }

    /// The installed keys, newest first: those in use, or with `all=true` the retired
    /// ones too. Administrators.
    #[oai(path = "/signing-keys", method = "get")]
    async fn list(&self, auth: Auth, req: &Request, all: Query<Option<bool>>) -> ApiResult<Json<Vec<SigningKeyInfo>>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(svc::list(&self.state.db, &actor, now(), all.0.unwrap_or(false)).await?))
    }

    /// Retire a key: it signs nothing any more. Administrators.
    #[oai(path = "/signing-keys/:id/retire", method = "post")]
    async fn retire(&self, auth: Auth, req: &Request, id: Path<Uuid>) -> ApiResult<Json<SigningKeyInfo>> {
        let actor = who(&self.state, &auth, req).await?;
        Ok(Json(svc::retire(&self.state.db, &actor, now(), id.0).await?))
    }
}
