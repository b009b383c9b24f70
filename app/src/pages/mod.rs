//! One module per screen.

pub mod agenda;
pub mod api_keys_settings;
pub mod customers;
pub mod dashboard;
pub mod deal;
pub mod invite;
pub mod login;
pub mod not_found;
pub mod people_settings;
pub mod pipeline;
pub mod pipeline_settings;
pub mod playbook_settings;
pub mod pool_settings;
pub mod quick;
pub mod settings;
pub mod setup;
pub mod team;
