//! Tasks of a plan.

super::rows::rows!(tasks, "task");
