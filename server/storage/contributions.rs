//! Co-operating units' contributions to tasks.

super::rows::rows!(contributions, "contribution");
