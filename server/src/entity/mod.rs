//! SeaORM entities: one module per table. Only `domain` queries them.

pub mod activity;
pub mod contact;
pub mod customer;
pub mod customer_tag;
pub mod idempotency_key;
pub mod org;
pub mod refresh_token;
pub mod server_secret;
pub mod timeline_event;
pub mod user;
