//! key Signing keys of issuers and signers.

super::rows::rows!(signing_keys, "signing");
