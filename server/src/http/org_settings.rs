//! `/org/settings`: the org's follow-up and pool settings.

use crate::auth::extract::ApiJson;
use crate::domain::{Actor, org_settings};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use rapport_shared::ApiErrorBody;
use rapport_shared::org_settings::{OrgSettings, OrgSettingsPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get, update))
}

/// The org's settings (anyone signed in).
#[utoipa::path(get, path = "/org/settings", tag = "org", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = OrgSettings), (status = 401, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, actor: Actor) -> AppResult<Json<OrgSettings>> {
    Ok(Json(org_settings::get(&state.db, &actor).await?))
}

/// Change the org's settings (admins): absent fields stay, `null` turns a
/// setting off; numbers from 1 up to a maximum.
#[utoipa::path(patch, path = "/org/settings", tag = "org", request_body = OrgSettingsPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = OrgSettings), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody, description = "Not an admin"), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(patch): ApiJson<OrgSettingsPatch>,
) -> AppResult<Json<OrgSettings>> {
    Ok(Json(org_settings::update(&state.db, &actor, patch).await?))
}
