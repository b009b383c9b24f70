//! An index behind customer search, so finding a name, phone or e-mail among
//! a million customers reads the index rather than every row.
//!
//! Search matches any substring of `customers.search_text` (lower-cased name,
//! phone digits, e-mails). Both databases answer that with trigrams:
//! - SQLite: an FTS5 table with the trigram tokenizer, kept in step with
//!   `customers` by triggers and keyed by the customer's rowid. `VACUUM` may
//!   renumber rowids of a table without an INTEGER PRIMARY KEY, so after a
//!   manual VACUUM run `INSERT INTO customer_search(customer_search) VALUES('rebuild')`.
//! - PostgreSQL: a GIN index with `pg_trgm`, which serves `LIKE '%x%'` as it
//!   stands. `pg_trgm` is a trusted extension (a database owner may create
//!   it); where it cannot be created the index is skipped and search scans.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE customer_search USING fts5(search_text, content='customers', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER customer_search_insert AFTER INSERT ON customers BEGIN \
       INSERT INTO customer_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER customer_search_delete AFTER DELETE ON customers BEGIN \
       INSERT INTO customer_search(customer_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER customer_search_update AFTER UPDATE OF search_text ON customers BEGIN \
       INSERT INTO customer_search(customer_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); \
       INSERT INTO customer_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "INSERT INTO customer_search(customer_search) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS customer_search_update",
    "DROP TRIGGER IF EXISTS customer_search_delete",
    "DROP TRIGGER IF EXISTS customer_search_insert",
    "DROP TABLE IF EXISTS customer_search",
];

const POSTGRES_UP: &[&str] = &[
    "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; \
       EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm is not available: customer search will scan'; END $$",
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN \
       CREATE INDEX IF NOT EXISTS ix_customers_search_trgm ON customers USING gin (search_text gin_trgm_ops); \
       END IF; END $$",
];

const POSTGRES_DOWN: &[&str] = &["DROP INDEX IF EXISTS ix_customers_search_trgm"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}

async fn run(m: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let statements = match m.get_database_backend() {
        DatabaseBackend::Sqlite => sqlite,
        DatabaseBackend::Postgres => postgres,
        other => return Err(DbErr::Migration(format!("{other:?} is not supported"))),
    };
    for sql in statements {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}
