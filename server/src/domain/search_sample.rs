//! PostgreSQL's own sample of the customers' search texts, which tells the
//! search which word of a query is rare.
//!
//! A trigram index answers `harbor trading 7932` by reading the posting
//! lists of every trigram in it, and those of `harbor` and `trading` hold a
//! large share of all customers: 4–8 ms among a million. Looked up by
//! `7932` alone, with the whole query checked on the few rows found, the
//! same search takes under a millisecond. Which word is rare is what
//! `ANALYZE` samples for the planner: the `pg_stats` histogram of
//! `customer_search.search_text` (with its most common values, if any). A
//! word that no sampled text contains is in well under 1 % of the rows,
//! and the planner, reading the same sample, expects few rows for it too.
//!
//! The sample is read again after [`FRESH_FOR`]; until `ANALYZE` first runs,
//! and on SQLite, it is empty and every word is looked up.

use crate::error::AppResult;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a read sample is used before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(300);

/// The fewest sampled texts that tell a rare word (PostgreSQL's planner
/// trusts a histogram of at least as many for `LIKE`).
pub const ENOUGH: usize = 100;

struct Taken {
    at: Instant,
    texts: Arc<[String]>,
}

/// One server's copy of the sample; clones share it.
#[derive(Clone, Default)]
pub struct SearchSample {
    taken: Arc<Mutex<Option<Taken>>>,
}

impl SearchSample {
    fn lock(&self) -> MutexGuard<'_, Option<Taken>> {
        // A plain value: consistent whatever panicked while holding it.
        self.taken.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The sampled search texts: empty on SQLite or before `ANALYZE`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn texts(&self, db: &DatabaseConnection) -> AppResult<Arc<[String]>> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(Arc::from([]));
        }
        if let Some(taken) = self.lock().as_ref().filter(|t| t.at.elapsed() < FRESH_FOR) {
            return Ok(taken.texts.clone());
        }
        let texts: Arc<[String]> = read(db).await?.into();
        *self.lock() = Some(Taken { at: Instant::now(), texts: texts.clone() });
        Ok(texts)
    }
}

async fn read(db: &DatabaseConnection) -> AppResult<Vec<String>> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT unnest(coalesce(most_common_vals::text::text[], '{}') \
               || coalesce(histogram_bounds::text::text[], '{}')) AS text \
             FROM pg_stats WHERE schemaname = current_schema() \
             AND tablename = 'customer_search' AND attname = 'search_text'",
        ))
        .await?;
    Ok(rows.iter().map(|row| row.try_get::<String>("", "text")).collect::<Result<_, _>>()?)
}

/// Of `parts`, the one no sampled text contains (the shortest, when
/// several: the fewest trigrams to read); `None` when the sample is too small
/// to tell or every part is in it.
pub fn rare_part<'a>(parts: &[&'a str], sample: &[String]) -> Option<&'a str> {
    if sample.len() < ENOUGH {
        return None;
    }
    parts
        .iter()
        .copied()
        .filter(|part| !sample.iter().any(|text| text.contains(part)))
        .min_by_key(|part| part.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<String> {
        (0..ENOUGH).map(|i| format!("harbor trading {i} +86138{i:08}")).collect()
    }

    #[test]
    fn the_rare_part_is_the_shortest_no_sampled_text_contains() {
        let sample = sample();
        let parts = ["harbor", "trading", "7932", "harbor trading 7932"];
        assert_eq!(rare_part(&parts, &sample), Some("7932"));
        assert_eq!(rare_part(&["harbor", "trading 1", "harbor trading 12"], &sample), None);
        assert_eq!(rare_part(&["harbor", "harbor trading 1000"], &sample), Some("harbor trading 1000"));
    }

    #[test]
    fn a_small_sample_tells_nothing() {
        let small = &sample()[..ENOUGH - 1];
        assert_eq!(rare_part(&["7932"], small), None);
        assert_eq!(rare_part(&["7932"], &[]), None);
    }
}
