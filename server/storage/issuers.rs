//! Issuing bodies (offices): names, settings, head titles.

super::rows::rows!(issuers, "issuer");
