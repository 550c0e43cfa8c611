//! Logging in and out, browser sessions, API tokens and passwords, in one place
//! for the HTTP and page layers: signing in is in [`super::sign_in`], sessions
//! and tokens in use in [`super::auth_sessions`], setting passwords in
//! [`super::passwords`], and what they share in [`super::credentials`].
//!
//! Passwords are hashed with Argon2id. Session and token secrets are random
//! (256 bits) and stored only as SHA-256 hashes. Repeated failed logins lock the
//! account for a growing time (1, 2, 4 … minutes, at most a day).

pub use super::auth_sessions::{
    authenticate, create_token, csrf_of_user, describe, expired_browser_session, list_tokens, revoke,
};
pub use super::credentials::{
    COOKIE_SECS, FREE_ATTEMPTS, Kind, Live, MAX_LOGIN_NAME, MAX_PASSWORD, MIN_PASSWORD, NewSession, SESSION_HOURS,
    SESSION_IDLE_MINUTES, TOKEN_DAYS, check_password, hash_password, lockout,
};
pub(crate) use super::credentials::{actor_of, digest, secret};
pub use super::passwords::{change_own_password, set_password};
pub(crate) use super::passwords::{end_sessions, store_password};
pub use super::sign_in::{login, prune_throttles};
