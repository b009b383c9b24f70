//! SeaORM entities: one module per table. Only `domain` queries them.

pub mod contact;
pub mod customer;
pub mod customer_tag;
pub mod org;
pub mod refresh_token;
pub mod server_secret;
pub mod user;
