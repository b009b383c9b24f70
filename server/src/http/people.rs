//! `/users`, `/teams`, `/customers/reassign`, `/auth/accept-invite` and
//! `/api-keys`: people administration, handover, and integration keys.

use crate::auth::extract::{ApiJson, ApiPath};
use crate::domain::{Actor, api_keys, people, sessions, team_dashboard};
use crate::error::AppResult;
use crate::http::auth::respond;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use rapport_shared::ApiErrorBody;
use rapport_shared::auth::{LoginResponse, User};
use rapport_shared::team::{
    AcceptInvite, ApiKey, ApiKeyCreated, Deactivate, Moved, NewApiKey, NewUserRequest, Reassign, Team, TeamDashboard,
    TeamInput, UserCreated, UserPatch,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(update_user))
        .routes(routes!(deactivate))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(rename_team))
        .routes(routes!(reassign))
        .routes(routes!(accept_invite))
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
        .routes(routes!(team_dashboard))
}

/// The users the caller may see: the org for admins, the team for managers, oneself for reps.
#[utoipa::path(get, path = "/users", tag = "people", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<User>), (status = 401, body = ApiErrorBody)))]
pub async fn list_users(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<User>>> {
    Ok(Json(people::list_users(&state.db, &actor).await?))
}

/// Add a user with a password, or invite them (the answer holds a one-time link). Admins only.
#[utoipa::path(post, path = "/users", tag = "people", request_body = NewUserRequest, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = UserCreated), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewUserRequest>,
) -> AppResult<(StatusCode, Json<UserCreated>)> {
    Ok((StatusCode::CREATED, Json(people::create_user(&state.db, &actor, input).await?)))
}

/// Change a user's name, role, team, time zone or language. Admins only.
#[utoipa::path(patch, path = "/users/{id}", tag = "people", params(("id" = Uuid, Path)), request_body = UserPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = User), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> AppResult<Json<User>> {
    Ok(Json(people::update_user(&state.db, &state.sessions, &actor, id, patch).await?))
}

/// Deactivate a user, handing their customers, open deals and reminders to one colleague or round-robin in their team.
#[utoipa::path(post, path = "/users/{id}/deactivate", tag = "people", params(("id" = Uuid, Path)), request_body = Deactivate,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Moved), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<Deactivate>,
) -> AppResult<Json<Moved>> {
    Ok(Json(people::deactivate(&state.db, &state.sessions, &actor, id, input).await?))
}

/// The org's teams with their member counts.
#[utoipa::path(get, path = "/teams", tag = "people", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<Team>), (status = 401, body = ApiErrorBody)))]
pub async fn list_teams(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<Team>>> {
    Ok(Json(people::list_teams(&state.db, &actor).await?))
}

/// Create a team. Admins only.
#[utoipa::path(post, path = "/teams", tag = "people", request_body = TeamInput, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Team), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn create_team(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<TeamInput>,
) -> AppResult<(StatusCode, Json<Team>)> {
    Ok((StatusCode::CREATED, Json(people::create_team(&state.db, &actor, input).await?)))
}

/// Rename a team. Admins only.
#[utoipa::path(patch, path = "/teams/{id}", tag = "people", params(("id" = Uuid, Path)), request_body = TeamInput,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Team), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn rename_team(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<TeamInput>,
) -> AppResult<Json<Team>> {
    Ok(Json(people::rename_team(&state.db, &actor, id, input).await?))
}

/// Move customers (with their open deals and reminders) to another owner. Managers within their team; admins.
#[utoipa::path(post, path = "/customers/reassign", tag = "people", request_body = Reassign,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Moved), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn reassign(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<Reassign>,
) -> AppResult<Json<Moved>> {
    Ok(Json(people::reassign(&state.db, &actor, input).await?))
}

/// Set the password of an invited account (the link works once) and sign in.
#[utoipa::path(post, path = "/auth/accept-invite", tag = "auth", request_body = AcceptInvite,
    responses((status = 200, body = LoginResponse), (status = 422, body = ApiErrorBody)))]
pub async fn accept_invite(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(input): ApiJson<AcceptInvite>,
) -> AppResult<(CookieJar, Json<LoginResponse>)> {
    let user = people::accept_invite(&state.db, input).await?;
    let session = sessions::open(&state.db, &state.keys, user).await?;
    Ok(respond(jar, session, state.config.serve.secure_cookies))
}

/// The caller's API keys (secrets are never shown again).
#[utoipa::path(get, path = "/api-keys", tag = "api-keys", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<ApiKey>), (status = 401, body = ApiErrorBody)))]
pub async fn list_keys(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Vec<ApiKey>>> {
    Ok(Json(api_keys::list(&state.db, &actor).await?))
}

/// Create an API key acting as the caller (`read` or `write`); the secret is in this answer only.
#[utoipa::path(post, path = "/api-keys", tag = "api-keys", request_body = NewApiKey, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = ApiKeyCreated), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_key(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewApiKey>,
) -> AppResult<(StatusCode, Json<ApiKeyCreated>)> {
    Ok((StatusCode::CREATED, Json(api_keys::create(&state.db, &actor, input).await?)))
}

/// Revoke one of the caller's API keys: its next request gets 401.
#[utoipa::path(delete, path = "/api-keys/{id}", tag = "api-keys", params(("id" = Uuid, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn revoke_key(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    api_keys::revoke(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Per person the caller supervises: customers owned and not contacted, this week's activities by kind, open and
/// overdue reminders, open deals by stage and amount, last activity. Managers (their team) and admins.
#[utoipa::path(get, path = "/team/dashboard", tag = "people", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = TeamDashboard), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn team_dashboard(State(state): State<AppState>, actor: Actor) -> AppResult<Json<TeamDashboard>> {
    Ok(Json(team_dashboard::dashboard(&state.db, &actor).await?))
}
