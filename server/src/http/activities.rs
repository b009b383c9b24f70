//! `/customers/{id}/activities` and `/activities/{id}`: log, edit, delete.

use crate::auth::extract::{ApiJson, ApiPath};
use crate::domain::Actor;
use crate::domain::activities::{self, Idempotency};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rapport_shared::ApiErrorBody;
use rapport_shared::activity::{Activity, ActivityPatch, NewActivity};
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create)).routes(routes!(update, delete))
}

/// Log an activity. Send an `Idempotency-Key` header to make retries safe:
/// the same key returns the first result and creates nothing twice.
#[utoipa::path(post, path = "/customers/{id}/activities", tag = "activities", params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry token, 1–200 visible ASCII characters")),
    request_body = NewActivity, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Activity), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewActivity>,
) -> AppResult<(StatusCode, Json<Activity>)> {
    let idempotency = idempotency(&headers, id, &input)?;
    let activity = state.activities.create(&actor, id, input, idempotency).await?;
    Ok((StatusCode::CREATED, Json(activity)))
}

/// Edit an activity (its author or an admin); the edit is itself on the timeline.
#[utoipa::path(patch, path = "/activities/{id}", tag = "activities", params(("id" = Uuid, Path)), request_body = ActivityPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Activity), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<ActivityPatch>,
) -> AppResult<Json<Activity>> {
    Ok(Json(activities::update(&state.db, &actor, id, patch).await?))
}

/// Delete an activity (its author or an admin); the deletion is on the timeline.
#[utoipa::path(delete, path = "/activities/{id}", tag = "activities", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    activities::delete(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The retry token, if sent, with a fingerprint of what it was sent with.
fn idempotency(headers: &HeaderMap, customer_id: Uuid, input: &NewActivity) -> AppResult<Option<Idempotency>> {
    let Some(raw) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = raw
        .to_str()
        .ok()
        .filter(|k| (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| AppError::BadRequest("Idempotency-Key must be 1–200 visible ASCII characters".into()))?;
    let body = serde_json::to_vec(input).map_err(|e| AppError::Internal(e.into()))?;
    let mut hasher = Sha256::new();
    hasher.update(customer_id.as_bytes());
    hasher.update(&body);
    let request_hash = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(Some(Idempotency { key: key.to_owned(), request_hash }))
}
