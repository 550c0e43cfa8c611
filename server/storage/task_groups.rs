//! Groups (sections) of a plan's tasks.

super::rows::rows!(task_groups, "group");
