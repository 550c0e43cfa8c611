//! The yearly number counters of an issuer's documents.

pub use super::entities::document_counters::Model;
