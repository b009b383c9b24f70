//! Bounds on a search's matches from the trigrams of the org's search texts
//! (migration 18): the lowest name a match can sort under, and how many
//! matches there can be at most. The list uses them to read a common word's
//! customers in name order from where they begin (`customers::list`).
//!
//! Written with the customer, in its transaction. Bulk inserts that bypass
//! [`record`] (generated data) fill the bounds afterwards with
//! `rapport_migrations`' `fill_sql`.

use crate::entity::{customer, search_gram};
use crate::error::AppResult;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Set};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The distinct trigrams of `text`, by character as the databases' `substr`
/// counts them, in order (so that concurrent writers lock rows in the same
/// order).
pub fn grams(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).map(|w| w.iter().collect()).collect()
}

/// Rows per INSERT: far below either database's limit on bound values.
const CHUNK: usize = 200;

/// Lowers the floors of `row`'s trigrams to its name and counts it under the
/// trigrams new to its text; `before` is the row before an update. A trigram
/// the text lost keeps its count: a bound from above, never recounted.
///
/// # Errors
/// Database failures.
pub async fn record(
    db: &impl ConnectionTrait,
    row: &customer::Model,
    before: Option<&customer::Model>,
) -> AppResult<()> {
    let had = before.map(|b| grams(&b.search_text)).unwrap_or_default();
    let renamed = before.is_none_or(|b| b.sort_name != row.sort_name);
    let rows: Vec<search_gram::ActiveModel> = grams(&row.search_text)
        .into_iter()
        .filter(|gram| renamed || !had.contains(gram))
        .map(|gram| search_gram::ActiveModel {
            org_id: Set(row.org_id),
            customers: Set(i64::from(!had.contains(&gram))),
            gram: Set(gram),
            floor_name: Set(row.sort_name.clone()),
        })
        .collect();
    let lower = match db.get_database_backend() {
        DbBackend::Postgres => "LEAST(search_grams.floor_name, excluded.floor_name)",
        _ => "min(search_grams.floor_name, excluded.floor_name)",
    };
    for chunk in rows.chunks(CHUNK) {
        search_gram::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([search_gram::Column::OrgId, search_gram::Column::Gram])
                    .value(search_gram::Column::FloorName, Expr::cust(lower))
                    .value(search_gram::Column::Customers, Expr::cust("search_grams.customers + excluded.customers"))
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Where the matches of a needle can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    /// No match sorts before this name.
    pub floor: String,
    /// No more customers than this match.
    pub at_most: i64,
}

/// The bounds of `needle`'s matches among `org_id`'s customers; `None` for
/// a needle of fewer than three characters, or with a trigram no customer
/// held (the trigram index answers those at once).
///
/// # Errors
/// Database failures.
pub async fn bounds(db: &impl ConnectionTrait, org_id: Uuid, needle: &str) -> AppResult<Option<Bounds>> {
    let grams = grams(needle);
    if grams.is_empty() {
        return Ok(None);
    }
    let wanted = grams.len() as i64;
    let found: Option<(Option<String>, Option<i64>, i64)> = search_gram::Entity::find()
        .select_only()
        .column_as(Expr::col(search_gram::Column::FloorName).max(), "floor")
        .column_as(Expr::col(search_gram::Column::Customers).min(), "at_most")
        .column_as(Expr::col(search_gram::Column::Gram).count(), "grams")
        .filter(search_gram::Column::OrgId.eq(org_id))
        .filter(search_gram::Column::Gram.is_in(grams))
        .into_tuple()
        .one(db)
        .await?;
    Ok(match found {
        Some((Some(floor), Some(at_most), held)) if held == wanted => Some(Bounds { floor, at_most }),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_are_the_distinct_windows_of_three_characters() {
        let got: Vec<String> = grams("anana").into_iter().collect();
        assert_eq!(got, ["ana", "nan"]);
        assert!(grams("ab").is_empty());
        let cjk: Vec<String> = grams("上海贸易").into_iter().collect();
        assert_eq!(cjk, ["上海贸", "海贸易"]);
    }
}
