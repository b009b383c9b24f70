//! `/deals`: opportunities moving through a pipeline.

use crate::auth::extract::{ApiJson, ApiPath, ApiQuery};
use crate::domain::{Actor, deals};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rapport_shared::pipeline::{Deal, DealDetail, DealPatch, DealQuery, MoveDeal, NewDeal};
use rapport_shared::{ApiErrorBody, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get, update, delete)).routes(routes!(move_deal))
}

/// Deals the caller may see, newest first, keyset-paged.
#[utoipa::path(get, path = "/deals", tag = "deals", params(DealQuery), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Page<Deal>), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<DealQuery>,
) -> AppResult<Json<Page<Deal>>> {
    Ok(Json(deals::list(&state.db, &actor, query).await?))
}

/// Open a deal on a customer (first open stage of the default pipeline unless given).
#[utoipa::path(post, path = "/deals", tag = "deals", request_body = NewDeal, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = DealDetail), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewDeal>,
) -> AppResult<(StatusCode, Json<DealDetail>)> {
    Ok((StatusCode::CREATED, Json(deals::create(&state.db, &actor, input).await?)))
}

/// A deal with its stage history (time spent in each stage).
#[utoipa::path(get, path = "/deals/{id}", tag = "deals", params(("id" = Uuid, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = DealDetail), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<DealDetail>> {
    Ok(Json(deals::detail(&state.db, &actor, id).await?))
}

/// Change a deal's fields (its stage changes through `move`).
#[utoipa::path(patch, path = "/deals/{id}", tag = "deals", params(("id" = Uuid, Path)), request_body = DealPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = DealDetail), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<DealPatch>,
) -> AppResult<Json<DealDetail>> {
    Ok(Json(deals::update(&state.db, &actor, id, patch).await?))
}

/// Archive a deal (its history stays).
#[utoipa::path(delete, path = "/deals/{id}", tag = "deals", params(("id" = Uuid, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Archived"), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    deals::archive(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move a deal to a stage (won needs an amount, lost a reason); answers the moved deal without its history (`GET /deals/{id}` has it); 409 when `expected_version` is stale (without it, a move that loses a race is made again, up to five times).
#[utoipa::path(post, path = "/deals/{id}/move", tag = "deals", params(("id" = Uuid, Path)), request_body = MoveDeal,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Deal), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn move_deal(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<MoveDeal>,
) -> AppResult<Json<Deal>> {
    Ok(Json(deals::move_deal(&state.db, &actor, id, input).await?))
}
