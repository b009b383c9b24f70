//! `/setup`: the first-run page's API, open only while no organisation exists.

use crate::auth::extract::ApiJson;
use crate::domain::{sessions, setup};
use crate::error::{AppError, AppResult};
use crate::http::auth::respond;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use rapport_shared::ApiErrorBody;
use rapport_shared::auth::{LoginResponse, SetupRequest, SetupStatus};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(status, create))
}

/// Whether Rapport still needs its first organisation.
#[utoipa::path(get, path = "/setup", tag = "setup", responses((status = 200, body = SetupStatus)))]
pub async fn status(State(state): State<AppState>) -> AppResult<Json<SetupStatus>> {
    Ok(Json(SetupStatus { needs_setup: setup::needs_setup(&state.db).await? }))
}

/// Create the organisation and its first admin, and sign the admin in.
#[utoipa::path(post, path = "/setup", tag = "setup", request_body = SetupRequest,
    responses(
        (status = 201, description = "Set up and signed in", body = LoginResponse),
        (status = 409, description = "Already set up", body = ApiErrorBody),
        (status = 422, description = "Invalid fields", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(req): ApiJson<SetupRequest>,
) -> AppResult<(StatusCode, CookieJar, Json<LoginResponse>)> {
    let valid = req.validate().map_err(AppError::Validation)?;
    let admin = setup::first_run(&state.db, valid).await?;
    tracing::info!(org_id = %admin.org_id, "first-run setup completed");
    let session = sessions::open(&state.db, &state.keys, admin).await?;
    let (jar, body) = respond(jar, session, state.config.serve.secure_cookies);
    Ok((StatusCode::CREATED, jar, body))
}
