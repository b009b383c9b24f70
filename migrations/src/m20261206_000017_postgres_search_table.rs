//! PostgreSQL: the search text in a table of its own, as SQLite's FTS5 table
//! already keeps it (migration 12).
//!
//! With the trigram index on `customers`, every activity paid for search:
//! an activity moves its customer's `last_touch_at`, which three B-trees
//! index, so the UPDATE is never HOT and every index of the row gets new
//! entries, the trigram index about forty of them. Moving `last_touch_at`
//! of 2,000 customers one by one took 0.35 ms each with that index and
//! 0.077 ms without it. Here triggers copy `customers.search_text` into
//! `customer_search` only when it changes, so touches, handovers and stage
//! moves leave the trigram index alone, and its pending list fills only
//! with real edits.
//!
//! The trigram index moves with the text, where `pg_trgm` could be
//! installed (migration 12), keeping migration 16's short pending list.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE TABLE customer_search (\
       customer_id uuid PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE, \
       search_text text NOT NULL)",
    "CREATE FUNCTION customer_search_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO customer_search (customer_id, search_text) VALUES (NEW.id, NEW.search_text) \
       ON CONFLICT (customer_id) DO UPDATE SET search_text = EXCLUDED.search_text; \
       RETURN NULL; END $$",
    "CREATE TRIGGER customer_search_insert AFTER INSERT ON customers \
       FOR EACH ROW EXECUTE FUNCTION customer_search_copy()",
    "CREATE TRIGGER customer_search_update AFTER UPDATE OF search_text ON customers \
       FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) \
       EXECUTE FUNCTION customer_search_copy()",
    "INSERT INTO customer_search (customer_id, search_text) SELECT id, search_text FROM customers",
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN \
       CREATE INDEX ix_customer_search_trgm ON customer_search USING gin (search_text gin_trgm_ops) \
         WITH (gin_pending_list_limit = 64); \
       END IF; END $$",
    "DROP INDEX IF EXISTS ix_customers_search_trgm",
    "ANALYZE customer_search",
];

const DOWN: &[&str] = &[
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN \
       CREATE INDEX IF NOT EXISTS ix_customers_search_trgm ON customers USING gin (search_text gin_trgm_ops) \
         WITH (gin_pending_list_limit = 64); \
       END IF; END $$",
    "DROP TRIGGER IF EXISTS customer_search_update ON customers",
    "DROP TRIGGER IF EXISTS customer_search_insert ON customers",
    "DROP FUNCTION IF EXISTS customer_search_copy()",
    "DROP TABLE IF EXISTS customer_search",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}

async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    if m.get_database_backend() == DatabaseBackend::Postgres {
        for sql in statements {
            m.get_connection().execute_unprepared(sql).await?;
        }
    }
    Ok(())
}
