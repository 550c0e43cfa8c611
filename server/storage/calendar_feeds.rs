//! feed Private calendar feed addresses of users.

super::rows::rows!(calendar_feeds, "calendar");
