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
//! The histogram is in order of search text, which begins with the name, so
//! it also tells where in the name order a common word's customers lie
//! ([`matches_lie_far`]).
//!
//! The sample is read again after [`FRESH_FOR`]; until `ANALYZE` first runs,
//! and on SQLite, it is empty and every word is looked up.

use crate::error::AppResult;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a read sample is used before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(300);

/// The fewest sampled texts that tell a rare word (PostgreSQL's planner
/// trusts a histogram of at least as many for `LIKE`).
pub const ENOUGH: usize = 100;

struct Taken {
    at: Instant,
    sampled: Arc<Sampled>,
}

/// What `ANALYZE` sampled of the search texts and of the customers' orgs.
#[derive(Debug, Default)]
pub struct Sampled {
    /// The histogram's bounds: texts spread evenly over all rows, in order.
    pub ordered: Vec<String>,
    /// The most common texts, if any (few texts are shared by customers).
    pub common: Vec<String>,
    /// The most common orgs of the customers, each with its share of them:
    /// every org but the smallest of many.
    pub org_shares: Vec<(Uuid, f32)>,
}

impl Sampled {
    /// `org_id`'s share of all customers; 0 for an org too small for
    /// `ANALYZE` to count.
    fn org_share(&self, org_id: Uuid) -> f32 {
        self.org_shares.iter().find(|(org, _)| *org == org_id).map_or(0.0, |(_, share)| *share)
    }

    fn texts(&self) -> impl Iterator<Item = &str> {
        self.common.iter().chain(&self.ordered).map(String::as_str)
    }

    /// How many texts were sampled.
    pub fn texts_sampled(&self) -> usize {
        self.common.len() + self.ordered.len()
    }
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

    /// The sampled search texts and orgs: none on SQLite or before `ANALYZE`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn get(&self, db: &DatabaseConnection) -> AppResult<Arc<Sampled>> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(Arc::default());
        }
        if let Some(taken) = self.lock().as_ref().filter(|t| t.at.elapsed() < FRESH_FOR) {
            return Ok(taken.sampled.clone());
        }
        let sampled = Arc::new(read(db).await?);
        *self.lock() = Some(Taken { at: Instant::now(), sampled: sampled.clone() });
        Ok(sampled)
    }
}

/// The histogram and the most common values of the search texts.
const TEXTS: &str = "SELECT coalesce(histogram_bounds::text::text[], '{}') AS ordered, \
     coalesce(most_common_vals::text::text[], '{}') AS common FROM pg_stats \
     WHERE schemaname = current_schema() AND tablename = 'customer_search' AND attname = 'search_text'";

/// The most common orgs of the customers, and their shares of the rows.
const ORGS: &str = "SELECT coalesce(most_common_vals::text::text[], '{}') AS orgs, \
     coalesce(most_common_freqs, '{}') AS shares FROM pg_stats \
     WHERE schemaname = current_schema() AND tablename = 'customers' AND attname = 'org_id'";

async fn read(db: &DatabaseConnection) -> AppResult<Sampled> {
    let mut sampled = Sampled::default();
    if let Some(row) = db.query_one_raw(Statement::from_string(DbBackend::Postgres, TEXTS)).await? {
        sampled.ordered = row.try_get("", "ordered")?;
        sampled.common = row.try_get("", "common")?;
    }
    if let Some(row) = db.query_one_raw(Statement::from_string(DbBackend::Postgres, ORGS)).await? {
        let orgs: Vec<String> = row.try_get("", "orgs")?;
        let shares: Vec<f32> = row.try_get("", "shares")?;
        sampled.org_shares =
            orgs.iter().zip(shares).filter_map(|(org, share)| Some((org.parse().ok()?, share))).collect();
    }
    Ok(sampled)
}

/// Of `parts`, the one no sampled text contains (the shortest, when
/// several: the fewest trigrams to read); `None` when the sample is too small
/// to tell or every part is in it.
pub fn rare_part<'a>(parts: &[&'a str], sample: &Sampled) -> Option<&'a str> {
    if sample.texts_sampled() < ENOUGH {
        return None;
    }
    parts
        .iter()
        .copied()
        .filter(|part| !sample.texts().any(|text| text.contains(part)))
        .min_by_key(|part| part.chars().count())
}

/// How many rows a walk along the names may read for each match that
/// reading the matches first would read. Measured at a million customers, a
/// walk reads a row in about 7 µs and the other way a match in about 12 µs:
/// even at 1.7 rows per match; 2 leaves the walk, the planner's own
/// choice, the close calls.
const WALK_FOR_EACH_MATCH: f32 = 2.0;

/// Whether the customers holding `needle` are better read first (all of
/// them, through the trigram index, then sorted) than found by walking
/// `org_id`'s names in order from after `after` until a page is found.
///
/// The walk reads every row before the first match: from the start of the
/// alphabet to `zenith` for a word that begins names (4.5 s among a million
/// customers, where reading its 33,000 matches takes 0.4 s). The sample
/// tells both costs: the sampled texts the walk passes before the first one
/// holding `needle`, of which the org has its share, and the sampled texts
/// holding it, in any org (the trigram index holds every org's). `false`
/// when the sample is too small to tell or holds no match (a rare needle,
/// which the planner already reads first).
pub fn matches_lie_far(needle: &str, org_id: Uuid, after: Option<&str>, sample: &Sampled) -> bool {
    let ordered = &sample.ordered;
    let matches = ordered.iter().filter(|text| text.contains(needle)).count();
    if ordered.len() < ENOUGH || matches == 0 {
        return false;
    }
    let from = after.map_or(0, |after| ordered.partition_point(|text| text.as_str() <= after));
    let passed = ordered[from..].iter().position(|text| text.contains(needle)).unwrap_or(ordered.len() - from);
    // Counts of at most a few thousand sampled texts: exact as `f32`.
    #[allow(clippy::cast_precision_loss)]
    let (passed, matches) = (passed as f32, matches as f32);
    sample.org_share(org_id) * passed > WALK_FOR_EACH_MATCH * matches
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: Uuid = Uuid::from_u128(1);

    fn sample() -> Sampled {
        Sampled {
            ordered: (0..ENOUGH).map(|i| format!("harbor trading {i} +86138{i:08}")).collect(),
            org_shares: vec![(ORG, 1.0)],
            ..Sampled::default()
        }
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
        let mut small = sample();
        small.ordered.pop();
        assert_eq!(rare_part(&["7932"], &small), None);
        assert_eq!(rare_part(&["7932"], &Sampled::default()), None);
        assert!(!matches_lie_far("harbor", ORG, None, &small));
    }

    #[test]
    fn the_most_common_texts_count_as_sampled() {
        let mut sampled = sample();
        sampled.common.push("quokka foods".into());
        assert_eq!(rare_part(&["quokka", "7932"], &sampled), Some("7932"));
    }

    /// Names from `acme` to `zenith`, four sampled texts of each of 26
    /// leading words, in order as in a histogram.
    fn alphabet() -> Sampled {
        let words = [
            "acme", "blue", "cedar", "delta", "ember", "falcon", "granite", "harbor", "iris", "jade", "kestrel",
            "lotus", "meridian", "north", "orion", "pioneer", "quartz", "redwood", "summit", "tianfu", "union",
            "vista", "willow", "xenon", "yangtze", "zenith",
        ];
        let suffixes = ["foods", "pharma", "retail", "trading"];
        let ordered = words.iter().flat_map(|w| suffixes.map(|s| format!("{w} {s} 1 +8613800000001"))).collect();
        Sampled { ordered, org_shares: vec![(ORG, 1.0)], ..Sampled::default() }
    }

    #[test]
    fn a_word_that_begins_names_late_in_the_alphabet_lies_far() {
        let sampled = alphabet();
        assert!(matches_lie_far("zenith", ORG, None, &sampled), "walk 100 rows for 4 matches");
        assert!(matches_lie_far("harbor", ORG, None, &sampled), "walk 28 rows for 4 matches");
        assert!(!matches_lie_far("cedar", ORG, None, &sampled), "walk 8 rows for 4 matches");
        assert!(!matches_lie_far("trading", ORG, None, &sampled), "spread over the alphabet");
        assert!(!matches_lie_far("quokka", ORG, None, &sampled), "no sampled match: rare");
    }

    #[test]
    fn the_walk_starts_after_the_cursor() {
        let sampled = alphabet();
        assert!(!matches_lie_far("zenith", ORG, Some("yangtze trading 1"), &sampled), "the next rows match");
        assert!(matches_lie_far("harbor", ORG, Some("harbor trading 1 +8613800000001"), &sampled), "past them all");
        assert!(matches_lie_far("acme", ORG, Some("blue"), &sampled), "past them all: the walk finds none");
        assert!(!matches_lie_far("zenith", ORG, Some("zenith pharma"), &sampled), "the next rows match");
    }

    #[test]
    fn a_small_orgs_walk_is_short_whatever_the_others_hold() {
        let mut sampled = alphabet();
        assert!(!matches_lie_far("zenith", Uuid::nil(), None, &sampled), "too small to be counted");
        sampled.org_shares = vec![(ORG, 0.05), (Uuid::nil(), 0.95)];
        assert!(!matches_lie_far("zenith", ORG, None, &sampled), "5 % of 100 rows walked, 4 matches read");
        assert!(matches_lie_far("zenith", Uuid::nil(), None, &sampled));
    }
}
