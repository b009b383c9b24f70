//! Request extractors: the authenticated [`Actor`], and JSON / query / path
//! extractors whose rejections answer in the API's error shape.

use super::rate_limit::Caller;
use super::{ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER, tokens};
use crate::domain::{Actor, api_keys, sessions};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum_extra::extract::CookieJar;
use rapport_shared::team::KeyScope;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credential {
    Bearer,
    Cookie,
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let (token, credential) = match bearer(&parts.headers) {
            Some(token) => (token, Credential::Bearer),
            None => {
                let cookie = jar.get(ACCESS_COOKIE).ok_or(AppError::Unauthenticated)?;
                (cookie.value().to_owned(), Credential::Cookie)
            }
        };
        if credential == Credential::Bearer && token.starts_with(api_keys::KEY_PREFIX) {
            let key = api_keys::authenticate(&state.db, &token).await?.ok_or(AppError::Unauthenticated)?;
            limit(state, Caller::ApiKey(key.key_id))?;
            if key.scope == KeyScope::Read && !is_safe(&parts.method) {
                return Err(AppError::Forbidden("this API key may only read"));
            }
            return Ok(Actor { address: client_addr(parts), ..Actor::of(&key.owner) });
        }
        let claims = tokens::verify_access(&state.keys, &token).ok_or(AppError::Unauthenticated)?;
        // Counted before the database is asked anything: the signature proves whose request it is.
        limit(state, Caller::User(claims.sub))?;
        if credential == Credential::Cookie && !is_safe(&parts.method) {
            check_csrf(&parts.headers, &jar)?;
        }
        // Checked on every request so that signing out or deactivation stops the token at once.
        let actor = sessions::live_actor(&state.db, &state.sessions, claims.sub, claims.org, claims.sid)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Actor { address: client_addr(parts), ..actor })
    }
}

/// The per-credential request limit: 429 `rate_limited` with `Retry-After`, as for logins.
fn limit(state: &AppState, caller: Caller) -> Result<(), AppError> {
    state.request_limiter.check(caller).map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Double-submit check: a cookie-authenticated write must echo the CSRF
/// cookie in the `X-CSRF-Token` header, which another site cannot read.
pub fn check_csrf(headers: &HeaderMap, jar: &CookieJar) -> Result<(), AppError> {
    let cookie = jar.get(CSRF_COOKIE).map(|c| c.value()).filter(|v| !v.is_empty());
    let header = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match (cookie, header) {
        (Some(c), Some(h)) if constant_time_eq(c.as_bytes(), h.as_bytes()) => Ok(()),
        _ => Err(AppError::Forbidden("missing or wrong CSRF token")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address, for rate limiting and the audit log (the socket
/// peer; see README on proxies).
pub struct ClientAddr(pub String);

/// What [`ClientAddr`] holds when the server runs without connection info.
const UNKNOWN_ADDR: &str = "unknown";

impl ClientAddr {
    /// The address, unless it is not known.
    pub fn known(&self) -> Option<&str> {
        (self.0 != UNKNOWN_ADDR).then_some(self.0.as_str())
    }
}

/// The socket peer's IP address, the one source of a client's address.
pub fn client_addr(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_addr(parts).unwrap_or_else(|| UNKNOWN_ADDR.into())))
    }
}

/// `axum::Json` whose rejections use the API error shape: malformed JSON is
/// 400, a body of the wrong shape 422, an oversize body 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection.status().as_u16() {
        413 => AppError::PayloadTooLarge,
        422 => AppError::Unprocessable(rejection.body_text()),
        _ => AppError::BadRequest(rejection.body_text()),
    }
}

/// `axum::extract::Query` answering bad parameters with a 400 in the API shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

/// `axum::extract::Path` answering a malformed id with a 400 in the API shape.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}
