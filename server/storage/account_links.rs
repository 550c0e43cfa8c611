//! One-time links (invitations, password resets, sign-in links).

super::rows::rows!(account_links, "token");
