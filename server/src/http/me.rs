//! `/me`: the signed-in user's profile, preferences and password.

use crate::auth::extract::{ApiJson, ClientAddr};
use crate::domain::{Actor, sessions, users};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum_extra::extract::CookieJar;
use rapport_shared::ApiErrorBody;
use rapport_shared::auth::{ChangePassword, LoginResponse, UpdateMe, User};
use rapport_shared::validate::FieldError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get, update)).routes(routes!(change_password))
}

/// Who is signed in.
#[utoipa::path(get, path = "/me", tag = "me", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = User), (status = 401, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, actor: Actor) -> AppResult<Json<User>> {
    Ok(Json(users::me(&state.db, &actor).await?))
}

/// Change one's own name, time zone or language.
#[utoipa::path(patch, path = "/me", tag = "me", request_body = UpdateMe, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = User), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(patch): ApiJson<UpdateMe>,
) -> AppResult<Json<User>> {
    Ok(Json(users::update_me(&state.db, &state.sessions, &actor, patch).await?))
}

/// Change one's own password. Every session of the user ends, on every
/// device; the caller gets a new one (cookies and bearer token, as at login).
/// Wrong current passwords count as failed logins of the account.
#[utoipa::path(post, path = "/me/password", tag = "me", request_body = ChangePassword, security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Changed; a new session for the caller, every other one ended", body = LoginResponse),
        (status = 401, body = ApiErrorBody),
        (status = 403, description = "CSRF token missing or wrong", body = ApiErrorBody),
        (status = 422, description = "A field is invalid, or `current_password` is `incorrect`", body = ApiErrorBody),
        (status = 429, description = "Too many wrong passwords", body = ApiErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    client: ClientAddr,
    jar: CookieJar,
    ApiJson(change): ApiJson<ChangePassword>,
) -> AppResult<(CookieJar, Json<LoginResponse>)> {
    // Guessing the current password with a stolen session is guessing a login:
    // the same limiter, keyed by the account's e-mail.
    let email = users::me(&state.db, &actor).await?.email;
    let limiter = &state.login_limiter;
    limiter.check(&email, &client.0).map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    match sessions::change_password(&state.db, &state.sessions, &state.keys, &actor, &change).await {
        Ok(session) => {
            limiter.record_success(&email);
            tracing::info!(user_id = %actor.user_id, "password changed; every other session ended");
            Ok(crate::http::auth::respond(jar, session, state.config.serve.secure_cookies))
        }
        Err(AppError::Validation(errors)) => {
            if errors.get("current_password") == Some(FieldError::Incorrect) {
                limiter.record_failure(&email, &client.0);
            }
            Err(AppError::Validation(errors))
        }
        Err(other) => Err(other),
    }
}
