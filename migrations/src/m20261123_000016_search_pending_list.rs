//! PostgreSQL: a short pending list for the trigram search index.
//!
//! GIN adds new entries to a pending list first, and merges it into the
//! index when it outgrows `gin_pending_list_limit` (4 MB by default) or at
//! vacuum. Every search reads the whole list. Logging an activity moves its
//! customer's last touch, which is indexed, so each one adds the customer's
//! trigrams to the list: at the large benchmark scale it held 400 pages,
//! and name search p95 under load was 118 ms against 55 ms with the list
//! kept at 64 kB (the minimum). Writing did not get slower: merging small
//! lists often costs about what merging a large one seldom does.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The index exists only where `pg_trgm` could be installed (migration 12).
const UP: &str = "ALTER INDEX IF EXISTS ix_customers_search_trgm SET (gin_pending_list_limit = 64)";
const DOWN: &str = "ALTER INDEX IF EXISTS ix_customers_search_trgm RESET (gin_pending_list_limit)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
