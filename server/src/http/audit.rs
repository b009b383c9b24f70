//! `/audit`: the org's audit log, for admins. Read-only on purpose: there is
//! no route that writes, edits or deletes an entry (entries are written by
//! the domain functions they describe).

use crate::auth::extract::ApiQuery;
use crate::domain::{Actor, audit};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use rapport_shared::audit::{AuditEvent, AuditQuery};
use rapport_shared::{ApiErrorBody, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// The org's audit log, newest first (admins only).
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Page<AuditEvent>), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, description = "Not an admin", body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<Json<Page<AuditEvent>>> {
    Ok(Json(audit::list(&state.db, &actor, query).await?))
}
