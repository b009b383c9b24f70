//! `/customers/{id}/contacts` and `/contacts/{id}`: people at a customer.

use crate::auth::extract::{ApiJson, ApiPath};
use crate::domain::{Actor, contacts};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rapport_shared::ApiErrorBody;
use rapport_shared::customer::{Contact, ContactPatch, NewContact};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(update, delete))
}

/// Contacts of a customer.
#[utoipa::path(get, path = "/customers/{id}/contacts", tag = "contacts", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<Contact>), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<Contact>>> {
    Ok(Json(contacts::list(&state.db, &actor, id).await?))
}

/// Add a contact to a customer.
#[utoipa::path(post, path = "/customers/{id}/contacts", tag = "contacts", params(("id" = Uuid, Path)), request_body = NewContact,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Contact), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewContact>,
) -> AppResult<(StatusCode, Json<Contact>)> {
    Ok((StatusCode::CREATED, Json(contacts::create(&state.db, &actor, id, input).await?)))
}

/// Change a contact; absent fields stay, `null` clears.
#[utoipa::path(patch, path = "/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path)), request_body = ContactPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Contact), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> AppResult<Json<Contact>> {
    Ok(Json(contacts::update(&state.db, &actor, id, patch).await?))
}

/// Remove a contact.
#[utoipa::path(delete, path = "/contacts/{id}", tag = "contacts", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Removed"), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    contacts::delete(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
