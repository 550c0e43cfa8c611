//! Forms kept when a save could not go through (an expired session).

pub use super::entities::form_drafts::Model;
