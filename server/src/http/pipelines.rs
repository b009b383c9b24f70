//! `/pipelines` and `/stages`: the org's sales process (admins change it).

use crate::auth::extract::{ApiJson, ApiPath, ApiQuery};
use crate::domain::{Actor, deals, pipelines};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rapport_shared::ApiErrorBody;
use rapport_shared::pipeline::{
    Board, BoardQuery, NewPipeline, NewStage, Pipeline, PipelinePatch, ReorderStages, Stage, StagePatch,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, delete))
        .routes(routes!(add_stage))
        .routes(routes!(reorder_stages))
        .routes(routes!(update_stage, delete_stage))
        .routes(routes!(board))
        .routes(routes!(lost_reasons))
}

/// The org's reasons for lost deals, in order (a lost move must name one).
#[utoipa::path(get, path = "/lost-reasons", tag = "pipelines", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<String>), (status = 401, body = ApiErrorBody)))]
pub async fn lost_reasons(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<String>>> {
    Ok(Json(pipelines::lost_reasons(&state.db, actor.org_id).await?))
}

/// The board: every stage's count, totals (and weighted totals) and its first cards.
#[utoipa::path(get, path = "/pipelines/{id}/board", tag = "pipelines", params(("id" = Uuid, Path), BoardQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Board), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn board(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<BoardQuery>,
) -> AppResult<Json<Board>> {
    Ok(Json(deals::board(&state.db, &actor, id, query).await?))
}

/// Every pipeline of the org, with its stages in order.
#[utoipa::path(get, path = "/pipelines", tag = "pipelines", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<Pipeline>), (status = 401, body = ApiErrorBody)))]
pub async fn list(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<Pipeline>>> {
    Ok(Json(pipelines::list(&state.db, &actor).await?))
}

/// Create a pipeline (default stages unless given). Admins only.
#[utoipa::path(post, path = "/pipelines", tag = "pipelines", request_body = NewPipeline, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Pipeline), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewPipeline>,
) -> AppResult<(StatusCode, Json<Pipeline>)> {
    Ok((StatusCode::CREATED, Json(pipelines::create(&state.db, &actor, input).await?)))
}

/// Rename a pipeline. Admins only.
#[utoipa::path(patch, path = "/pipelines/{id}", tag = "pipelines", params(("id" = Uuid, Path)), request_body = PipelinePatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Pipeline), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<PipelinePatch>,
) -> AppResult<Json<Pipeline>> {
    Ok(Json(pipelines::update(&state.db, &actor, id, patch).await?))
}

/// Remove a pipeline without deals (not the last one). Admins only.
#[utoipa::path(delete, path = "/pipelines/{id}", tag = "pipelines", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Removed"), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    pipelines::delete(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a stage at the end of a pipeline. Admins only.
#[utoipa::path(post, path = "/pipelines/{id}/stages", tag = "pipelines", params(("id" = Uuid, Path)), request_body = NewStage,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Stage), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, description = "The pipeline already has the most stages allowed", body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn add_stage(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewStage>,
) -> AppResult<(StatusCode, Json<Stage>)> {
    Ok((StatusCode::CREATED, Json(pipelines::add_stage(&state.db, &actor, id, input).await?)))
}

/// Put the stages in a new order (every stage id, once). Admins only.
#[utoipa::path(post, path = "/pipelines/{id}/stages/reorder", tag = "pipelines", params(("id" = Uuid, Path)),
    request_body = ReorderStages, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Pipeline), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn reorder_stages(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReorderStages>,
) -> AppResult<Json<Pipeline>> {
    Ok(Json(pipelines::reorder(&state.db, &actor, id, input).await?))
}

/// Change a stage. Admins only.
#[utoipa::path(patch, path = "/stages/{id}", tag = "pipelines", params(("id" = Uuid, Path)), request_body = StagePatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Stage), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn update_stage(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<StagePatch>,
) -> AppResult<Json<Stage>> {
    Ok(Json(pipelines::update_stage(&state.db, &actor, id, patch).await?))
}

/// Remove a stage that holds no deals. Admins only.
#[utoipa::path(delete, path = "/stages/{id}", tag = "pipelines", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Removed"), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody)))]
pub async fn delete_stage(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    pipelines::delete_stage(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
