//! The signatures on a document's PDF, each checked against the trust store.

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::access::Action;
use crate::error::Result;
use crate::services::access::require;
use crate::services::documents::load;
use crate::services::signature_keys::{Signing, blocking, get_file};
use crate::signing::{self, SignatureReport};
use crate::storage::Db;
use crate::storage::audit::Actor;
use crate::storage::files::BlobStore;

/// Every signature on a document's PDF (the issued file, or the signer-signed copy before issue).
pub async fn document_signatures(
    db: &Db,
    files: &Arc<dyn BlobStore>,
    signing: &Signing,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<SignatureReport>> {
    require(actor, Action::Read)?;
    let (doc, _) = load(&db.conn, actor, id).await?;
    let Some(key) = doc.pdf_key.or(doc.signed_pdf_key) else { return Ok(Vec::new()) };
    let pdf = get_file(files, &key).await?;
    let trust = signing.trust.clone();
    blocking(move || signing::verify(&pdf, &trust)).await
}
