//! The one error shape of the API: `{"error":{"code","message","fields","details"}}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Stable, machine-readable error codes. Clients match on these, never on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not well-formed JSON or a parameter cannot be parsed.
    BadRequest,
    /// 401: missing, expired or forged credentials.
    Unauthenticated,
    /// 401: e-mail or password wrong.
    InvalidCredentials,
    /// 403: authenticated but not allowed (including a failed CSRF check).
    Forbidden,
    /// 404: no such record, or not visible to the caller.
    NotFound,
    /// 409: the request conflicts with the current state.
    Conflict,
    /// 409: the customer exists already; `details` = `{customer_id, owner: {id, name} | null, in_pool}`.
    DuplicateCustomer,
    /// 409: claiming would exceed the org's limit of customers per rep; `details` = `{limit}`.
    OwnedLimitReached,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 422: well-formed input that breaks a rule; see `fields`.
    ValidationFailed,
    /// 429: too many attempts or requests; retry later.
    RateLimited,
    /// 429: the daily claim quota is used up; `Retry-After` says when the next claim fits; `details` = `{quota}`.
    ClaimQuotaExceeded,
    /// 500: an unexpected failure; details are in the server log only.
    Internal,
    /// 503: a dependency (the database) is unavailable.
    Unavailable,
}

impl ErrorCode {
    /// The HTTP status this code is always answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthenticated | Self::InvalidCredentials => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict | Self::DuplicateCustomer | Self::OwnedLimitReached => 409,
            Self::PayloadTooLarge => 413,
            Self::ValidationFailed => 422,
            Self::RateLimited | Self::ClaimQuotaExceeded => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    pub error: ErrorBody,
}

/// What went wrong, for machines (`code`, `fields`) and people (`message`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// Field name → what is wrong with it (validation errors only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Extra machine-readable context, e.g. the id of a conflicting record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}
