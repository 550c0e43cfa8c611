//! Login sessions.

super::rows::rows!(sessions, "session");
