//! The HTTP surface: `/api/v1` (one router module per resource, described by
//! the OpenAPI document built from the same handlers), health probes, and
//! the server-rendered web app for everything else.

pub mod activities;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod contacts;
pub mod customers;
pub mod deals;
pub mod health;
pub mod me;
pub mod notifications;
pub mod org_settings;
pub mod people;
pub mod pipelines;
pub mod playbooks;
pub mod pool;
pub mod reminders;
pub mod setup;
pub mod timeline;

use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::routing::{any, get};
use std::sync::Arc;
use std::time::Duration;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

/// Largest request body accepted anywhere (413 beyond).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Rapport API", version = "1", description = "Customer follow-up: customers, contacts, activities and the timeline, pipelines and deals, reminders, playbooks and notifications, sessions. Errors share one shape: `{\"error\":{\"code\",\"message\",\"fields\",\"details\"}}`."),
    modifiers(&SecuritySchemes),
    // Schemas that only query parameters name: utoipa does not collect those by itself.
    components(schemas(
        rapport_shared::ErrorCode,
        rapport_shared::pool::DuplicateCustomer,
        rapport_shared::audit::AuditAction,
        rapport_shared::customer::CustomerSort,
        rapport_shared::customer::ArchivedFilter
    ))
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::ACCESS_COOKIE))),
        );
    }
}

/// Every `/api/v1` route with its OpenAPI description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(setup::router())
        .merge(me::router())
        .merge(customers::router())
        .merge(pool::router())
        .merge(org_settings::router())
        .merge(contacts::router())
        .merge(activities::router())
        .merge(timeline::router())
        .merge(pipelines::router())
        .merge(deals::router())
        .merge(playbooks::router())
        .merge(reminders::router())
        .merge(calendar::router())
        .merge(notifications::router())
        .merge(people::router())
        .merge(audit::router())
}

/// The API, probes and OpenAPI document, with request ids, tracing, body
/// limit, timeout and compression. The web app's routes are merged in by the
/// caller.
pub fn router(state: AppState) -> Router {
    let (api, mut doc) = OpenApiRouter::new().nest("/api/v1", api()).split_for_parts();
    document_common_answers(&mut doc);
    let doc = Arc::new(doc);
    Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", get(move || async move { axum::Json(doc.as_ref().clone()) }))
        .route("/api/{*rest}", any(|| async { AppError::NotFound }))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        // JSON shrinks several times over under gzip, which a phone on the
        // road feels; the fastest level costs a fraction of a millisecond
        // for a page of fifty. The default predicate leaves event streams
        // (which must reach the browser as they happen) and tiny bodies alone.
        .layer(CompressionLayer::new().gzip(true).quality(CompressionLevel::Fastest))
}

/// Adds the answers that the extractors and layers give for any operation,
/// where its own description leaves them out: 400 for a malformed request
/// (a path id or query parameter that does not parse, a body that is not
/// JSON), 413 for a body over [`MAX_BODY_BYTES`], 422 for a JSON body of the
/// wrong shape (a missing or unknown field), and for operations that
/// need a signed-in caller 401 and 429 (the per-credential request limit).
fn document_common_answers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::SecurityRequirement;
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in operations.into_iter().flatten() {
            let has_body = op.request_body.is_some();
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            // An empty requirement among the alternatives means "or no credentials".
            let needs_auth = op.security.as_ref().is_some_and(|alternatives| {
                !alternatives.is_empty() && !alternatives.contains(&SecurityRequirement::default())
            });
            let mut answers = Vec::new();
            if has_body || has_params {
                answers.push((
                    "400",
                    "Malformed request: an id or query parameter that does not parse, or a body that is not JSON",
                ));
            }
            if has_body {
                answers.push(("413", "Request body too large"));
                answers.push(("422", "A field is missing, unknown or invalid"));
            }
            if needs_auth {
                answers.push(("401", "Not signed in, or the session or API key is no longer valid"));
                answers.push(("429", "Too many requests for this credential; see Retry-After"));
            }
            for (status, description) in answers {
                op.responses.responses.entry(status.to_owned()).or_insert_with(|| error_response(description));
            }
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

/// Request ids and request spans, applied around the whole app (API and pages).
pub fn observe(app: Router) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    app.layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
        let path = req.extensions().get::<MatchedPath>().map_or(req.uri().path(), MatchedPath::as_str);
        let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
        tracing::info_span!("request", method = %req.method(), path, request_id = id)
    }))
    .layer(PropagateRequestIdLayer::new(request_id.clone()))
    .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
}

/// A random UUID (v4) per request from the thread's generator; the stock
/// `MakeRequestUuid` asks the kernel for randomness, a system call on every
/// request.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        HeaderValue::from_str(id.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer())).ok().map(RequestId::new)
    }
}
