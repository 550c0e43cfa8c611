//! Evidence files (minh chứng) attached to tasks.

super::rows::rows!(evidence, "evidence");
