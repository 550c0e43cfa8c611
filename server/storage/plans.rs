//! Plans: a year's set of key tasks of an issuer.

super::rows::rows!(plans, "plan");
