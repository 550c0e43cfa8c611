//! Results: a lead unit's reports on its task.

super::rows::rows!(results, "result");
