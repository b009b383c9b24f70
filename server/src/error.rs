//! `AppError`: every failure a handler can return, answered in the one JSON
//! error shape. Unexpected errors are logged with their cause and masked.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapport_shared::validate::FieldErrors;
use rapport_shared::{ApiErrorBody, ErrorBody, ErrorCode};
use sea_orm::sqlx::error::DatabaseError;
use sea_orm::{DbErr, RuntimeErr, SqlErr, SqlxError, SqlxPostgresError, SqlxSqliteError};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: unparsable body, query or path.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// 401: wrong e-mail or password.
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    /// 403: not allowed (also a failed CSRF check).
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404: missing or not visible to the caller.
    #[error("not found")]
    NotFound,
    /// 409: conflicts with the current state.
    #[error("{message}")]
    Conflict { message: String, details: Option<serde_json::Value> },
    /// 409 `duplicate_customer`: the customer exists; the details say which and who owns it.
    #[error("{message}")]
    DuplicateCustomer { message: String, details: rapport_shared::pool::DuplicateCustomer },
    /// 409 `owned_limit_reached`: a claim would exceed the org's customers per rep.
    #[error("you own {limit} customers, the most this organisation allows; hand some over first")]
    OwnedLimitReached { limit: u32 },
    /// 429 `claim_quota_exceeded`: the daily claim quota is used up.
    #[error("you have claimed {quota} customers in the last 24 hours, the most this organisation allows")]
    ClaimQuotaExceeded { quota: u32, retry_after_secs: u64 },
    /// 413: body too large.
    #[error("request body is too large")]
    PayloadTooLarge,
    /// 422: fields broke validation rules.
    #[error("some fields are invalid")]
    Validation(FieldErrors),
    /// 422: the body does not fit the schema (wrong type, unknown field).
    #[error("{0}")]
    Unprocessable(String),
    /// 429: too many failed logins, or requests from one credential.
    #[error("too many requests; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// 503: the database is unreachable (down, restarting, connection lost).
    #[error("the database is unavailable; try again in a moment")]
    Unavailable,
    /// 503: other writers held the database past the wait limit (SQLite's
    /// write lock; a PostgreSQL deadlock or lock timeout). Nothing was saved,
    /// and the same request can simply be sent again.
    #[error("the database is busy with other writes, so nothing was saved; try again in a moment")]
    Busy,
    /// 503: the database refuses writes (its disk is full, or it is
    /// read-only); nothing was saved, reads still work. `details` = `{reason}`.
    #[error("{0}")]
    WritesRefused(WriteRefusal),
    /// 500: anything unexpected; the cause goes to the log only.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// Why the database refuses writes. Both need an operator, not a retry loop,
/// so the message says what happened rather than "try again".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRefusal {
    /// No space left where the database lives.
    Full,
    /// The database file (or server) accepts reads only.
    ReadOnly,
}

impl WriteRefusal {
    /// The machine-readable `details.reason`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Full => "database_full",
            Self::ReadOnly => "database_read_only",
        }
    }
}

impl std::fmt::Display for WriteRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Full => "the database is full, so nothing was saved; reading still works",
            Self::ReadOnly => "the database is read-only, so nothing was saved; reading still works",
        })
    }
}

impl AppError {
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into(), details: None }
    }

    /// A single-field validation failure.
    pub fn field(field: &str, err: rapport_shared::validate::FieldError) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, err);
        Self::Validation(errors)
    }

    fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
            Self::Conflict { .. } => ErrorCode::Conflict,
            Self::DuplicateCustomer { .. } => ErrorCode::DuplicateCustomer,
            Self::OwnedLimitReached { .. } => ErrorCode::OwnedLimitReached,
            Self::ClaimQuotaExceeded { .. } => ErrorCode::ClaimQuotaExceeded,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::Validation(_) | Self::Unprocessable(_) => ErrorCode::ValidationFailed,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable | Self::Busy | Self::WritesRefused(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        // Constraint violations are the caller's conflict, decided by kind, not message text.
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return Self::conflict("a record with these values already exists");
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Self::Unprocessable("a referenced record does not exist".into());
            }
            _ => {}
        }
        match fault(&err) {
            Some(Fault::Unreachable) => {
                tracing::error!(error = %err, "database unavailable");
                Self::Unavailable
            }
            Some(Fault::Busy) => {
                tracing::warn!(error = %err, "database busy");
                Self::Busy
            }
            Some(Fault::RefusesWrites(why)) => {
                tracing::error!(error = %err, "database refuses writes");
                Self::WritesRefused(why)
            }
            None => Self::Internal(anyhow::Error::new(err)),
        }
    }
}

/// A failure of the database itself rather than of the statement.
enum Fault {
    Unreachable,
    Busy,
    RefusesWrites(WriteRefusal),
}

/// Told apart by error kind and code, never by message text. A connection
/// that dies mid-query surfaces as an I/O error of that query, not as a
/// connection error, so both count as unreachable.
fn fault(err: &DbErr) -> Option<Fault> {
    let cause = match err {
        // Whatever stopped a connection from opening (refused, cut mid-handshake,
        // garbled by a dying server), there is no database to talk to.
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return Some(Fault::Unreachable),
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return None,
    };
    match cause.as_ref() {
        SqlxError::Io(_)
        | SqlxError::Tls(_)
        // Unexpected bytes on an open connection: the stream broke, and sqlx drops it.
        | SqlxError::Protocol(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed => Some(Fault::Unreachable),
        SqlxError::Database(db) => {
            if let Some(e) = db.try_downcast_ref::<SqlxSqliteError>() {
                // Extended result codes keep the primary code in the low byte.
                let primary = e.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff);
                return match primary {
                    Some(SQLITE_FULL) => Some(Fault::RefusesWrites(WriteRefusal::Full)),
                    Some(SQLITE_READONLY) => Some(Fault::RefusesWrites(WriteRefusal::ReadOnly)),
                    Some(SQLITE_BUSY | SQLITE_LOCKED) => Some(Fault::Busy),
                    _ => None,
                };
            }
            let e = db.try_downcast_ref::<SqlxPostgresError>()?;
            match e.code() {
                "53100" => Some(Fault::RefusesWrites(WriteRefusal::Full)),
                // A standby, or `default_transaction_read_only`.
                "25006" => Some(Fault::RefusesWrites(WriteRefusal::ReadOnly)),
                // A serialization failure, a deadlock, a lock not granted in time.
                "40001" | "40P01" | "55P03" => Some(Fault::Busy),
                // Connection exceptions, and the server shutting down or still starting.
                code if code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03") => {
                    Some(Fault::Unreachable)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_READONLY: i32 = 8;
const SQLITE_FULL: i32 = 13;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let code = self.code();
        let mut fields = BTreeMap::new();
        let mut details = None;
        match &self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Validation(errors) => fields = errors.messages(),
            Self::Conflict { details: d, .. } => details = d.clone(),
            Self::DuplicateCustomer { details: d, .. } => details = serde_json::to_value(d).ok(),
            Self::OwnedLimitReached { limit } => details = Some(serde_json::json!({ "limit": limit })),
            Self::ClaimQuotaExceeded { quota, .. } => details = Some(serde_json::json!({ "quota": quota })),
            Self::WritesRefused(why) => details = Some(serde_json::json!({ "reason": why.reason() })),
            _ => {}
        }
        let body = ApiErrorBody { error: ErrorBody { code, message: self.to_string(), fields, details } };
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(body)).into_response();
        let retry_after = match self {
            Self::RateLimited { retry_after_secs } | Self::ClaimQuotaExceeded { retry_after_secs, .. } => {
                Some(retry_after_secs)
            }
            Self::Busy | Self::Unavailable => Some(1),
            _ => None,
        };
        if let Some(secs) = retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Arc;

    fn sqlx(e: SqlxError) -> RuntimeErr {
        RuntimeErr::SqlxError(Arc::new(e))
    }

    fn status(err: DbErr) -> u16 {
        AppError::from(err).code().status()
    }

    #[test]
    fn a_connection_that_cannot_open_is_unavailable_whatever_the_cause() {
        // Seen when PostgreSQL went away mid-handshake: a protocol error, not I/O.
        let garbled = SqlxError::Protocol("unexpected response from SSLRequest: 0x00".into());
        assert_eq!(status(DbErr::Conn(sqlx(garbled))), 503);
        assert_eq!(status(DbErr::Conn(sqlx(SqlxError::PoolTimedOut))), 503);
        assert_eq!(status(DbErr::Conn(RuntimeErr::Internal("refused".into()))), 503);
    }

    #[test]
    fn a_connection_that_breaks_mid_query_is_unavailable() {
        let broken = || std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(status(DbErr::Query(sqlx(SqlxError::Io(broken())))), 503);
        assert_eq!(status(DbErr::Exec(sqlx(SqlxError::Protocol("unexpected message".into())))), 503);
    }

    #[tokio::test]
    async fn a_write_lock_held_past_the_wait_is_busy_and_retryable() {
        use sea_orm::{ConnectionTrait, SqliteTransactionMode, TransactionOptions, TransactionTrait};
        let path = std::env::temp_dir().join(format!("rapport-busy-{}.db", uuid::Uuid::now_v7().simple()));
        let mut options = sea_orm::ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
        // No wait at all: the second writer meets the lock at once.
        options.max_connections(2).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal).busy_timeout(std::time::Duration::ZERO)
        });
        let db = sea_orm::Database::connect(options).await.unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER NOT NULL)").await.unwrap();
        let immediate = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let holder = db.begin_with_options(immediate).await.unwrap();
        let err = db.execute_unprepared("INSERT INTO t VALUES (1)").await.unwrap_err();
        let response = AppError::from(err).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        holder.rollback().await.unwrap();
        db.close().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[test]
    fn a_statement_the_database_rejects_stays_an_internal_error() {
        assert_eq!(status(DbErr::Query(sqlx(SqlxError::RowNotFound))), 500);
        assert_eq!(status(DbErr::Custom("bug".into())), 500);
    }
}
