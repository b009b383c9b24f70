//! `/notifications`: the caller's notifications, and their live stream
//! (server-sent events; reconnect with `Last-Event-ID` to catch up).

use crate::auth::extract::{ApiPath, ApiQuery};
use crate::domain::{Actor, notifications};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use rapport_shared::reminder::Notification;
use rapport_shared::{ApiErrorBody, Page};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(read)).routes(routes!(read_all)).routes(routes!(stream))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationQuery), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Page<Notification>), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> AppResult<Json<Page<Notification>>> {
    Ok(Json(notifications::list(&state.db, &actor, q.limit, q.cursor.as_deref()).await?))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn read(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    notifications::mark_read(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark all of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ApiErrorBody)))]
pub async fn read_all(State(state): State<AppState>, actor: Actor) -> AppResult<StatusCode> {
    notifications::mark_all_read(&state.db, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Live notifications as server-sent events (`event: notification`, `id` =
/// notification id, `data` = the notification). Ends when the server shuts down.
#[utoipa::path(get, path = "/notifications/stream", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "notification events"),
        (status = 401, body = ApiErrorBody)))]
pub async fn stream(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // Subscribe before reading the backlog, so nothing falls between them.
    let live = BroadcastStream::new(state.hub.subscribe());
    let last_id = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| Uuid::parse_str(v).ok());
    let backlog = match last_id {
        Some(id) => notifications::since(&state.db, &actor, id).await?,
        None => Vec::new(),
    };
    let user_id = actor.user_id;
    let live = live.filter_map(move |message| async move {
        match message {
            Ok(pushed) if pushed.user_id == user_id => Some(pushed.notification.clone()),
            // A lagging receiver skipped some; the client catches up with Last-Event-ID.
            _ => None,
        }
    });
    let events = stream::iter(backlog).chain(live).map(|n| Ok(event(&n))).take_until(state.hub.closed());
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

fn event(n: &Notification) -> Event {
    Event::default()
        .event("notification")
        .id(n.id.to_string())
        .json_data(n)
        .unwrap_or_else(|_| Event::default().comment("unserialisable notification"))
}
