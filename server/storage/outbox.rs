//! The outbox: mail waiting, sent or failed.

super::rows::rows!(outbox, "message");
