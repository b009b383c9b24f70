//! PostgreSQL: e-mail addresses by their reversed local part, so a search
//! for an address (or its end: `ace@acme.example` finds
//! `ada.lovelace@acme.example`) reads one B-tree range instead of the trigram
//! posting lists of `contact`, `info` or `gmail.com`, which hold most rows.
//! `COLLATE "C"` makes the range a byte range, whatever the database's
//! collation; `INCLUDE` lets the search check the whole address without
//! reading the table. SQLite finds addresses through its trigram table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = "CREATE INDEX IF NOT EXISTS ix_customer_keys_email_suffix ON customer_keys \
    (org_id, (reverse(split_part(value, '@', 1)) COLLATE \"C\")) INCLUDE (customer_id, value) \
    WHERE kind = 'email'";
const DOWN: &str = "DROP INDEX IF EXISTS ix_customer_keys_email_suffix";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}

async fn run(m: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    if m.get_database_backend() == DatabaseBackend::Postgres {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}
