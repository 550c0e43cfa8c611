//! session Hand-offs of a document to a signer's own tool.

super::rows::rows!(signing_sessions, "signing");
