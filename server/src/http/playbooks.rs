//! `/playbooks` (admins define them) and their runs on customers.

use crate::auth::extract::{ApiJson, ApiPath};
use crate::domain::{Actor, playbooks};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rapport_shared::ApiErrorBody;
use rapport_shared::playbook::{ApplyPlaybook, NewPlaybook, Playbook, PlaybookPatch, PlaybookRun};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, archive))
        .routes(routes!(runs, apply))
        .routes(routes!(stop))
}

/// The org's playbooks, by name.
#[utoipa::path(get, path = "/playbooks", tag = "playbooks", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<Playbook>), (status = 401, body = ApiErrorBody)))]
pub async fn list(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<Playbook>>> {
    Ok(Json(playbooks::list(&state.db, &actor).await?))
}

/// Define a playbook: ordered steps (day offset, time, channel, script), optionally started by a stage. Admins only.
#[utoipa::path(post, path = "/playbooks", tag = "playbooks", request_body = NewPlaybook, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Playbook), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewPlaybook>,
) -> AppResult<(StatusCode, Json<Playbook>)> {
    Ok((StatusCode::CREATED, Json(playbooks::create(&state.db, &actor, input).await?)))
}

/// Rename, change steps or trigger (runs already started keep their reminders). Admins only.
#[utoipa::path(patch, path = "/playbooks/{id}", tag = "playbooks", params(("id" = Uuid, Path)), request_body = PlaybookPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Playbook), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<PlaybookPatch>,
) -> AppResult<Json<Playbook>> {
    Ok(Json(playbooks::update(&state.db, &actor, id, patch).await?))
}

/// Archive a playbook: no new runs; runs in progress keep their reminders. Admins only.
#[utoipa::path(delete, path = "/playbooks/{id}", tag = "playbooks", params(("id" = Uuid, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn archive(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    playbooks::archive(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer's playbook runs, newest first, with each step's reminder and status.
#[utoipa::path(get, path = "/customers/{id}/playbooks", tag = "playbooks", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<PlaybookRun>), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn runs(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<PlaybookRun>>> {
    Ok(Json(playbooks::runs_of_customer(&state.db, &actor, id).await?))
}

/// Apply a playbook to the customer: its steps become reminders for the customer's owner.
#[utoipa::path(post, path = "/customers/{id}/playbooks", tag = "playbooks", params(("id" = Uuid, Path)), request_body = ApplyPlaybook,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = PlaybookRun), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ApplyPlaybook>,
) -> AppResult<(StatusCode, Json<PlaybookRun>)> {
    Ok((StatusCode::CREATED, Json(playbooks::apply(&state.db, &actor, id, input).await?)))
}

/// Stop a run: its open steps are cancelled. Stopping an ended run changes nothing.
#[utoipa::path(post, path = "/playbook-runs/{id}/stop", tag = "playbooks", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = PlaybookRun), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn stop(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<PlaybookRun>> {
    Ok(Json(playbooks::stop(&state.db, &actor, id).await?))
}
