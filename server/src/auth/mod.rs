//! Authentication: password hashing, access and refresh tokens, the signing
//! key, login rate limiting, and the extractors that turn a request into an
//! [`crate::domain::Actor`].

pub mod extract;
pub mod keys;
pub mod password;
pub mod rate_limit;
pub mod tokens;

pub const ACCESS_COOKIE: &str = "rapport_access";
pub const REFRESH_COOKIE: &str = "rapport_refresh";
pub const CSRF_COOKIE: &str = "rapport_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
