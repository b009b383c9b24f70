//! Where in the name order a search's matches can begin, and how many there
//! can be: for each trigram of the org's search texts, the lowest sort name
//! among the customers whose text holds it, and how many hold it.
//!
//! A common word (`trading`, in one customer of twelve) is slow to search
//! through the trigram index, which finds all its matches and sorts them by
//! name to return the first fifty; reading the customers in name order and
//! checking each is fast when matches are dense, unless they all lie late in
//! that order (`zenith`, whose customers all sort under z). Every match holds
//! each trigram of the query, so its name sorts at or after each trigram's
//! floor: the search starts its walk at the highest of them. The floor only
//! ever falls and the count only ever grows (renames add, nothing removes),
//! so both stay true bounds without a recount; the server keeps them in the
//! same transaction as the customer (`domain::search_grams`).
//!
//! The database's own `min` sets the floors, so they follow its collation,
//! as the list's `ORDER BY sort_name` does.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Writes the floor and count of every trigram of every org that has none
/// yet (all of them here; a generated org's after its bulk insert, which
/// bypasses the per-customer bookkeeping). A text's trigram counts once per
/// occurrence, which keeps the count a bound from above.
pub fn fill_sql(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => {
            "INSERT INTO search_grams (org_id, gram, floor_name, customers) \
             SELECT c.org_id, substr(c.search_text, p.i, 3), min(c.sort_name), count(*) \
             FROM customers c CROSS JOIN LATERAL generate_series(1, char_length(c.search_text) - 2) AS p(i) \
             GROUP BY 1, 2 \
             ON CONFLICT (org_id, gram) DO NOTHING"
        }
        // The positions are numbered once (MATERIALIZED) and joined to each
        // customer in turn (CROSS JOIN keeps that order).
        _ => {
            "WITH RECURSIVE p(i) AS MATERIALIZED (\
               SELECT 1 UNION ALL SELECT i + 1 FROM p \
               WHERE i < (SELECT coalesce(max(length(search_text)), 0) - 2 FROM customers)) \
             INSERT INTO search_grams (org_id, gram, floor_name, customers) \
             SELECT c.org_id, substr(c.search_text, p.i, 3), min(c.sort_name), count(*) \
             FROM customers c CROSS JOIN p \
             WHERE p.i <= length(c.search_text) - 2 \
             GROUP BY 1, 2 \
             ON CONFLICT (org_id, gram) DO NOTHING"
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SearchGrams::Table)
                .col(uuid(SearchGrams::OrgId))
                // Three characters of a lower-cased search text.
                .col(string_len(SearchGrams::Gram, 12))
                .col(string_len(SearchGrams::FloorName, 200))
                .col(big_integer(SearchGrams::Customers))
                .primary_key(Index::create().col(SearchGrams::OrgId).col(SearchGrams::Gram))
                .to_owned(),
        )
        .await?;
        let conn = m.get_connection();
        conn.execute_unprepared(fill_sql(m.get_database_backend())).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SearchGrams::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SearchGrams {
    Table,
    OrgId,
    Gram,
    FloorName,
    Customers,
}
