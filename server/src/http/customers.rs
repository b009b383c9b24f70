//! `/customers`: the scoped customer list and the 360 record.

use crate::auth::extract::{ApiJson, ApiPath, ApiQuery};
use crate::domain::{Actor, customers};
use crate::error::AppResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rapport_shared::ApiErrorBody;
use rapport_shared::Page;
use rapport_shared::customer::{Customer, CustomerPatch, CustomerQuery, NewCustomer};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get, update, delete))
}

/// Customers the caller may see, keyset-paged.
#[utoipa::path(get, path = "/customers", tag = "customers", params(CustomerQuery), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Page<Customer>), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<CustomerQuery>,
) -> AppResult<Json<Page<Customer>>> {
    Ok(Json(customers::list(&state.db, &state.search_sample, &actor, query).await?))
}

/// Create a customer (owned by the caller unless an admin names an owner).
/// A phone, e-mail or company name that matches a customer of the org is
/// refused with 409 `duplicate_customer`, `details` =
/// `{customer_id, owner: {id, name} | null, in_pool}` (no contact details).
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = NewCustomer, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Customer), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 409, body = ApiErrorBody, description = "`duplicate_customer`"),
        (status = 413, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewCustomer>,
) -> AppResult<(StatusCode, Json<Customer>)> {
    Ok((StatusCode::CREATED, Json(customers::create(&state.db, &actor, input).await?)))
}

/// One customer.
#[utoipa::path(get, path = "/customers/{id}", tag = "customers", params(("id" = Uuid, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Customer), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn get(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<Json<Customer>> {
    Ok(Json(customers::get(&state.db, &actor, id).await?))
}

/// Change fields; absent fields stay, `null` clears.
#[utoipa::path(patch, path = "/customers/{id}", tag = "customers", params(("id" = Uuid, Path)), request_body = CustomerPatch,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Customer), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<CustomerPatch>,
) -> AppResult<Json<Customer>> {
    Ok(Json(customers::update(&state.db, &actor, id, patch).await?))
}

/// Archive a customer (hidden from lists unless `archived=true|only`). A pool
/// customer is archived only by those who see its owner (403 otherwise).
#[utoipa::path(delete, path = "/customers/{id}", tag = "customers", params(("id" = Uuid, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 204, description = "Archived"), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn delete(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> AppResult<StatusCode> {
    customers::archive(&state.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
