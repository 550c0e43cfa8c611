//! Next year's proposals of a plan.

super::rows::rows!(proposals, "proposal");
