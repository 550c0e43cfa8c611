//! Deadline reminders already sent, one per task and threshold.

pub use super::entities::reminders_sent::Model;
