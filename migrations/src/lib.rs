//! Rapport's schema, one migration per file, run in order at start-up and by
//! `rapport migrate`. Only backend-neutral schema builder calls, so SQLite and
//! PostgreSQL run the same migrations.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_orgs_and_users;
mod m20261122_000002_create_customers;
mod m20261122_000003_create_timeline;
mod m20261122_000004_create_pipelines;
mod m20261122_000005_create_reminders;
mod m20261122_000006_notification_email;
mod m20261122_000007_reminder_channel;
mod m20261122_000008_teams_and_keys;
mod m20261122_000009_pool_and_duplicates;
mod m20261122_000010_audit_log;
mod m20261122_000011_session_chains;
mod m20261122_000012_customer_search_index;
mod m20261122_000013_scale_indexes;
mod m20261123_000014_open_stage_visit;
mod m20261123_000015_email_suffix_index;
mod m20261123_000016_search_pending_list;
mod m20261206_000017_postgres_search_table;
pub mod m20261207_000018_search_grams;
mod m20261207_000019_activities_by_author;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_orgs_and_users::Migration),
            Box::new(m20261122_000002_create_customers::Migration),
            Box::new(m20261122_000003_create_timeline::Migration),
            Box::new(m20261122_000004_create_pipelines::Migration),
            Box::new(m20261122_000005_create_reminders::Migration),
            Box::new(m20261122_000006_notification_email::Migration),
            Box::new(m20261122_000007_reminder_channel::Migration),
            Box::new(m20261122_000008_teams_and_keys::Migration),
            Box::new(m20261122_000009_pool_and_duplicates::Migration),
            Box::new(m20261122_000010_audit_log::Migration),
            Box::new(m20261122_000011_session_chains::Migration),
            Box::new(m20261122_000012_customer_search_index::Migration),
            Box::new(m20261122_000013_scale_indexes::Migration),
            Box::new(m20261123_000014_open_stage_visit::Migration),
            Box::new(m20261123_000015_email_suffix_index::Migration),
            Box::new(m20261123_000016_search_pending_list::Migration),
            Box::new(m20261206_000017_postgres_search_table::Migration),
            Box::new(m20261207_000018_search_grams::Migration),
            Box::new(m20261207_000019_activities_by_author::Migration),
        ]
    }
}
