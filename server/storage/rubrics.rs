//! Scoring rubrics of an issuer.

super::rows::rows!(rubrics, "rubric");
