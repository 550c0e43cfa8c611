//! Failed sign-ins counted per name, and the locks they imply.

pub use super::entities::login_throttles::Model;
