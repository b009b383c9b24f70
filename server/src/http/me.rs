//! `/me`: the signed-in user's profile and preferences.

use crate::auth::extract::ApiJson;
use crate::domain::{Actor, users};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use rapport_shared::ApiErrorBody;
use rapport_shared::auth::{UpdateMe, User};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get, update))
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
    Ok(Json(users::update_me(&state.db, &actor, patch).await?))
}
