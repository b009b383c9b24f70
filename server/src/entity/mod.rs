//! SeaORM entities: one module per table. Only `domain` queries them.

pub mod activity;
pub mod api_key;
pub mod audit_event;
pub mod calendar_feed;
pub mod contact;
pub mod customer;
pub mod customer_key;
pub mod customer_tag;
pub mod deal;
pub mod deal_stage_history;
pub mod idempotency_key;
pub mod lost_reason;
pub mod notification;
pub mod org;
pub mod pipeline;
pub mod playbook;
pub mod playbook_run;
pub mod refresh_token;
pub mod reminder;
pub mod search_gram;
pub mod server_secret;
pub mod stage;
pub mod team;
pub mod timeline_event;
pub mod user;
