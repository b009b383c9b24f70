//! `AppState`: what every handler can reach.

use crate::auth::keys::Keys;
use crate::auth::rate_limit::{LoginLimiter, RequestLimiter};
use crate::config::Config;
use crate::domain::activities::ActivityLog;
use crate::domain::search_sample::SearchSample;
use crate::domain::session_cache::SessionCache;
use crate::live::Hub;
use axum::extract::FromRef;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub keys: Arc<Keys>,
    pub login_limiter: Arc<LoginLimiter>,
    pub request_limiter: Arc<RequestLimiter>,
    pub hub: Hub,
    pub sessions: SessionCache,
    pub activities: ActivityLog,
    pub search_sample: SearchSample,
}
