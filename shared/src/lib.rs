//! Rapport's contract between the server and the browser: the JSON types of
//! `/api/v1`, the error shape, and the validation rules that both sides run.
//! Nothing here does I/O, so it builds for wasm32 and native alike.

pub mod activity;
pub mod audit;
pub mod auth;
pub mod customer;
pub mod error;
pub mod org_settings;
pub mod page;
pub mod pipeline;
pub mod playbook;
pub mod pool;
pub mod reminder;
pub mod team;
pub mod timeline;
pub mod validate;

pub use error::{ApiErrorBody, ErrorBody, ErrorCode};
pub use page::{Cursor, Page};

/// Deserialises a field that may be absent (`None`), `null` (`Some(None)`) or set.
///
/// Used by PATCH bodies, where "leave unchanged" and "clear" must differ.
pub fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(de).map(Some)
}
