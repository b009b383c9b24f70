//! `/reminders`: follow-up tasks. DELETE cancels (the reminder stays on the
//! timeline as cancelled).

use crate::auth::extract::{ApiJson, ApiPath, ApiQuery};
use crate::domain::{Actor, reminders};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rapport_shared::reminder::{NewReminder, Reminder, ReminderCounts, ReminderPatch, ReminderQuery};
use rapport_shared::{ApiErrorBody, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get, update, cancel)).routes(routes!(counts))
}

/// Reminders the caller may see, earliest due first (a snooze counts as the due time).
#[utoipa::path(get, path = "/reminders", tag = "reminders", params(ReminderQuery), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Page<Reminder>), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ReminderQuery>,
) -> AppResult<Json<Page<Reminder>>> {
    Ok(Json(reminders::list(&state.db, &actor, query).await?))
}

/// Create a reminder; `due` is an instant or a local time in the assignee's time zone.
#[utoipa::path(post, path = "/reminders", tag = "reminders", request_body = NewReminder, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Reminder), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewReminder>,
) -> AppResult<(StatusCode, Json<Reminder>)> {
    Ok((StatusCode::CREATED, Json(reminders::create(&state.db, &actor, input).await?)))
}

/// One reminder.
#[utoipa::path(get, path = "/reminders/{id}", tag = "reminders", params(("id" = Uuid, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Reminder), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<Json<Reminder>> {
    Ok(Json(reminders::get(&state.db, &actor, id).await?))
}

/// Edit, snooze, reschedule, complete (optionally logging the activity) or reopen.
#[utoipa::path(patch, path = "/reminders/{id}", tag = "reminders", params(("id" = Uuid, Path)), request_body = ReminderPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Reminder), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<ReminderPatch>,
) -> AppResult<Json<Reminder>> {
    Ok(Json(reminders::update(&state.db, &actor, id, patch).await?))
}

/// Cancel a reminder.
#[utoipa::path(delete, path = "/reminders/{id}", tag = "reminders", params(("id" = Uuid, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn cancel(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    reminders::cancel(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's overdue and due-today counts and unread notifications (the navigation badges).
#[utoipa::path(get, path = "/reminders/counts", tag = "reminders", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = ReminderCounts), (status = 401, body = ApiErrorBody)))]
pub async fn counts(State(state): State<AppState>, actor: Actor) -> AppResult<Json<ReminderCounts>> {
    Ok(Json(reminders::counts(&state.db, &actor).await?))
}
