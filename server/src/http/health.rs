//! `/healthz` (the process is up) and `/readyz` (the database answers). Public.

use crate::db;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    if db::ping(&state.db).await { "ready".into_response() } else { AppError::Unavailable.into_response() }
}
