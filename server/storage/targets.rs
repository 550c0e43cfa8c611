//! Numeric targets of tasks.

super::rows::rows!(targets, "target");
