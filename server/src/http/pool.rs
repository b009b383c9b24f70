//! The shared pool: claiming a pool customer. (The pool itself is listed by
//! `GET /customers?pool=true`.)

use crate::auth::extract::ApiPath;
use crate::domain::{Actor, pool};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use rapport_shared::ApiErrorBody;
use rapport_shared::customer::Customer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(claim))
}

/// Claim a customer from the shared pool: the caller becomes its owner. Of
/// two claims at once exactly one wins; the other gets 409 `conflict`.
/// Limits: 409 `owned_limit_reached` when the caller would own more
/// customers than the org allows per rep (`details.limit`); 429
/// `claim_quota_exceeded` when the caller has claimed the daily quota in the
/// last 24 hours (`details.quota`, `Retry-After` in seconds).
#[utoipa::path(post, path = "/customers/{id}/claim", tag = "customers", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Customer, description = "Claimed: the caller owns it now"),
        (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody, description = "No such customer, or not visible"),
        (status = 409, body = ApiErrorBody, description = "`conflict`: not in the pool (claimed first by someone else); `owned_limit_reached`: the per-rep limit"),
        (status = 429, body = ApiErrorBody, description = "`claim_quota_exceeded`: the daily claim quota is used up; see `Retry-After`")))]
pub async fn claim(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Customer>> {
    Ok(Json(pool::claim(&state.db, &actor, id).await?))
}
