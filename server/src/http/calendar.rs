//! The iCalendar feed of a user's reminders: created and revoked by its
//! owner under `/me/calendar`, read without a login by a calendar app.

use crate::auth::extract::ApiPath;
use crate::domain::{Actor, calendar_feeds};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use rapport_shared::ApiErrorBody;
use rapport_shared::reminder::{CalendarFeed, CalendarFeedStatus};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(status, create, revoke)).routes(routes!(feed))
}

/// Whether the caller has a feed, and since when (the address itself was shown once, when made).
#[utoipa::path(get, path = "/me/calendar", tag = "reminders", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = CalendarFeedStatus), (status = 401, body = ApiErrorBody)))]
pub async fn status(State(state): State<AppState>, actor: Actor) -> AppResult<Json<CalendarFeedStatus>> {
    Ok(Json(calendar_feeds::status(&state.db, &actor).await?))
}

/// Create the caller's feed (revoking any earlier one); the path holds the secret and is shown only now.
#[utoipa::path(post, path = "/me/calendar", tag = "reminders", security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = CalendarFeed), (status = 401, body = ApiErrorBody)))]
pub async fn create(State(state): State<AppState>, actor: Actor) -> AppResult<(StatusCode, Json<CalendarFeed>)> {
    Ok((StatusCode::CREATED, Json(calendar_feeds::create(&state.db, &actor).await?)))
}

/// Revoke the caller's feed: its URL answers 404 from now on.
#[utoipa::path(delete, path = "/me/calendar", tag = "reminders", security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ApiErrorBody)))]
pub async fn revoke(State(state): State<AppState>, actor: Actor) -> AppResult<StatusCode> {
    calendar_feeds::revoke(&state.db, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The reminders of the feed's owner as `text/calendar` (no login: the secret is the credential).
#[utoipa::path(get, path = "/calendar/{secret}", tag = "reminders", params(("secret" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ApiErrorBody)))]
pub async fn feed(State(state): State<AppState>, ApiPath(secret): ApiPath<String>) -> AppResult<impl IntoResponse> {
    let body = calendar_feeds::render(&state.db, &secret).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")],
        body,
    ))
}
