//! `/customers/{id}/timeline`: everything that happened with a customer.

use crate::auth::extract::{ApiPath, ApiQuery};
use crate::domain::{Actor, timeline};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use rapport_shared::timeline::{TimelineEvent, TimelineQuery};
use rapport_shared::{ApiErrorBody, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// A customer's timeline, newest first, keyset-paged; filter by kinds, actor and time range.
#[utoipa::path(get, path = "/customers/{id}/timeline", tag = "timeline", params(("id" = Uuid, Path), TimelineQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Page<TimelineEvent>), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<TimelineQuery>,
) -> AppResult<Json<Page<TimelineEvent>>> {
    Ok(Json(timeline::list(&state.db, &actor, id, query).await?))
}
