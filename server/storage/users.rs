//! People with an account.

super::rows::rows!(users, "user");
