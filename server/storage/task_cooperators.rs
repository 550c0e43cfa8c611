//! The units that co-operate on a task.

pub use super::entities::task_cooperators::Model;
