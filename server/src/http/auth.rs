//! `/auth/login`, `/auth/refresh`, `/auth/logout`: sessions for people.
//! The browser gets HttpOnly cookies; other clients use the bearer token.

use crate::auth::extract::{ApiJson, ClientAddr, bearer, check_csrf};
use crate::auth::keys::random_token;
use crate::auth::tokens::{self, ACCESS_TTL_SECS, REFRESH_TTL_DAYS};
use crate::auth::{ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE};
use crate::domain::sessions::{self, Session};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use rapport_shared::ApiErrorBody;
use rapport_shared::auth::{LoginRequest, LoginResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const REFRESH_PATH: &str = "/api/v1/auth";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(refresh)).routes(routes!(logout))
}

/// Sign in with e-mail and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; cookies set for browsers", body = LoginResponse),
        (status = 401, description = "Wrong e-mail or password", body = ApiErrorBody),
        (status = 429, description = "Too many failed attempts", body = ApiErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<(CookieJar, Json<LoginResponse>)> {
    let addr = client.0.as_str();
    let limiter = &state.login_limiter;
    limiter.check(&req.email, addr).map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    match sessions::login(&state.db, &state.keys, &req.email, &req.password, client.known()).await {
        Ok(session) => {
            limiter.record_success(&req.email);
            tracing::info!(user_id = %session.user.id, "login succeeded");
            Ok(respond(jar, session, state.config.serve.secure_cookies))
        }
        Err(AppError::InvalidCredentials) => {
            limiter.record_failure(&req.email, addr);
            tracing::info!(%addr, "login failed");
            Err(AppError::InvalidCredentials)
        }
        Err(other) => Err(other),
    }
}

/// Exchange the refresh cookie for a new session (the old one stops working).
#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    responses(
        (status = 200, description = "New session; cookies rotated", body = LoginResponse),
        (status = 401, description = "No valid refresh cookie", body = ApiErrorBody),
        (status = 403, description = "CSRF token missing or wrong", body = ApiErrorBody),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
) -> AppResult<(CookieJar, Json<LoginResponse>)> {
    let jar = CookieJar::from_headers(&headers);
    let token = jar.get(REFRESH_COOKIE).map(|c| c.value().to_owned()).ok_or(AppError::Unauthenticated)?;
    check_csrf(&headers, &jar)?;
    let session = sessions::refresh(&state.db, &state.sessions, &state.keys, &token, client.known()).await?;
    Ok(respond(jar, session, state.config.serve.secure_cookies))
}

/// Sign out: end the session and clear the cookies. A browser's session is
/// the one of its refresh cookie; an API client's the one its bearer access
/// token names (that token, and every other of its session, stops working).
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 403, description = "CSRF token missing or wrong", body = ApiErrorBody),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
) -> AppResult<(CookieJar, StatusCode)> {
    let jar = CookieJar::from_headers(&headers);
    if let Some(token) = jar.get(REFRESH_COOKIE).map(|c| c.value().to_owned()) {
        check_csrf(&headers, &jar)?;
        sessions::logout(&state.db, &state.sessions, &token, client.known()).await?;
    }
    // A bearer header is never sent by another site on its own, so it needs no CSRF check.
    // An API key is not a session: revoking one is `DELETE /api-keys/{id}`.
    if let Some(claims) = bearer(&headers).and_then(|token| tokens::verify_access(&state.keys, &token)) {
        sessions::end_session(&state.db, &state.sessions, claims.sub, claims.org, claims.sid, client.known()).await?;
    }
    let jar = jar
        .remove(Cookie::build(ACCESS_COOKIE).path("/"))
        .remove(Cookie::build(REFRESH_COOKIE).path(REFRESH_PATH))
        .remove(Cookie::build(CSRF_COOKIE).path("/"));
    Ok((jar, StatusCode::NO_CONTENT))
}

/// Sets the session cookies and answers with the bearer token and user.
pub fn respond(jar: CookieJar, session: Session, secure: bool) -> (CookieJar, Json<LoginResponse>) {
    let max_age_refresh = time_days(REFRESH_TTL_DAYS);
    let access = Cookie::build((ACCESS_COOKIE, session.access_token.clone()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(ACCESS_TTL_SECS as i64));
    let refresh = Cookie::build((REFRESH_COOKIE, session.refresh_token))
        .path(REFRESH_PATH)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(max_age_refresh);
    // Readable by the page's script (not HttpOnly) so it can echo it in X-CSRF-Token.
    let csrf = Cookie::build((CSRF_COOKIE, random_token(24)))
        .path("/")
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(max_age_refresh);
    let jar = jar.add(access).add(refresh).add(csrf);
    let body = LoginResponse {
        access_token: session.access_token,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL_SECS,
        user: session.user,
    };
    (jar, Json(body))
}

fn time_days(days: i64) -> time::Duration {
    time::Duration::days(days)
}
