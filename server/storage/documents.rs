//! Documents: reports, plans and letters, from draft to issued.

super::rows::rows!(documents, "document");
