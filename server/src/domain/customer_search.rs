//! Customer search: which customers a query matches, found through an index
//! rather than by reading every row.
//!
//! A query matches a customer whose search text (lower-cased name, phones as
//! E.164 digits, e-mails) contains it. A query that looks like a phone number
//! matches its digits, whatever the separators. A query with an `@` and no
//! spaces is part of an e-mail address and matches addresses only, so
//! `ace@acme.example` finds `ada.lovelace@acme.example` and never a name.
//!
//! Substrings of three characters or more are found through a trigram
//! index: SQLite's FTS5 table over `customers.search_text` (migration 12),
//! PostgreSQL's `pg_trgm` index of the `customer_search` table, a copy of
//! the text kept by triggers (migration 17); shorter ones scan. On
//! PostgreSQL an address with three or more characters before its `@` is
//! found through migration 15's index of reversed local parts. On
//! PostgreSQL a word of the query that PostgreSQL's sample of the search
//! texts never holds is looked up alone (see [`super::search_sample`]).
//!
//! A single word that many customers may hold is first read along the
//! names instead, from where its matches can begin ([`one_word`], used by
//! `customers::list` with [`super::search_grams`]); these conditions answer
//! when that walk does not fill the page.

use super::search_sample;
use crate::entity::customer;
use rapport_shared::validate::Phone;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, LikeExpr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DbBackend, Value};
use uuid::Uuid;

/// How the list reads customers when the search does not find them first:
/// along the names of more than one owner, from after `after` (a cursor's
/// name). The search weighs that walk against reading its matches first.
#[derive(Clone, Copy, Debug)]
pub struct NameWalk<'a> {
    pub after: Option<&'a str>,
}

/// The customers of `org_id` that `q` matches (the caller adds who may see
/// them); `sample` is [`search_sample::SearchSample::get`]'s, `walk` how the
/// list would otherwise read them.
pub fn condition(
    backend: DbBackend,
    org_id: Uuid,
    q: &str,
    sample: &search_sample::Sampled,
    walk: Option<NameWalk<'_>>,
) -> Condition {
    let needle = needle(q);
    let address = is_address(&needle);
    if address
        && backend == DbBackend::Postgres
        && let Some(by_suffix) = address_by_local_suffix(org_id, &needle)
    {
        return Condition::all().add(by_suffix);
    }
    let parts = indexed_parts(backend, &needle, sample);
    let on_row = holds_parts(backend, Text::Customer, &parts, &needle, address);
    let found = match backend {
        // The same conditions twice, so that the planner can take either
        // way: from the trigram index on the search table (a rare needle),
        // or along the name order, checking each customer it reads on the
        // row it already holds (a needle in a large share of the rows, such
        // as one word of a common name). Given the index's conditions
        // only, that walk looked each row up in the search table: 2.7 s
        // instead of 1.0 s for `harbor` among a million customers.
        DbBackend::Postgres => {
            let in_search_table = Query::select()
                .column(Alias::new("customer_id"))
                .from(Alias::new(SEARCH_TABLE))
                .cond_where(holds_parts(backend, Text::SearchTable, &parts, &needle, address))
                .to_owned();
            // The planner expects a common word's matches spread evenly
            // over the names; the sample knows when they are not.
            let indexed = parts.iter().all(|part| part.chars().count() >= MIN_PART);
            let read_first =
                indexed && walk.is_some_and(|walk| search_sample::matches_lie_far(&needle, org_id, walk.after, sample));
            on_row.add(if read_first {
                matches_first(in_search_table)
            } else {
                customer::Column::Id.in_subquery(in_search_table)
            })
        }
        _ => on_row,
    };
    if address { found.add(has_address_containing(backend, &needle)) } else { found }
}

/// What a search text must contain to match `q`: a phone number's digits
/// (whatever the separators), else `q` lower-cased.
fn needle(q: &str) -> String {
    match Phone::parse(q) {
        Ok(phone) => phone.as_str().trim_start_matches('+').to_owned(),
        Err(_) => q.to_lowercase(),
    }
}

/// A needle with an `@` and no spaces matches addresses only.
fn is_address(needle: &str) -> bool {
    needle.contains('@') && !needle.contains(char::is_whitespace)
}

/// For a list that reads customers in name order and checks each, which
/// pays only for a needle many customers may hold: the needle of `q` and
/// that check on the customer's row, for a single word. `None` for a phone
/// number or several words (few customers share them) and for an address
/// (matched against the addresses alone).
pub fn one_word(backend: DbBackend, q: &str) -> Option<(String, SimpleExpr)> {
    if Phone::parse(q).is_ok() || q.contains(char::is_whitespace) {
        return None;
    }
    let needle = q.to_lowercase();
    if is_address(&needle) {
        return None;
    }
    let check = holds(backend, Text::Customer, &needle);
    Some((needle, check))
}

/// The customers among the ids `in_search_table` selects, which the planner
/// then takes first, all of them, and reads by key: `= ANY(ARRAY(…))` rather
/// than `IN (…)`, which it may walk the name index in search of.
fn matches_first(in_search_table: SelectStatement) -> SimpleExpr {
    Expr::cust_with_expr(
        "\"customers\".\"id\" = ANY(ARRAY($1))",
        SimpleExpr::SubQuery(None, Box::new(in_search_table.into())),
    )
}

/// The rows whose search text in `text` holds `needle`: the index finds the
/// rows holding each of the needle's parts; unless the whole needle is among
/// them, the needle itself is then checked on just those rows (an
/// address's, by the caller, on the customer's addresses).
fn holds_parts(backend: DbBackend, text: Text, parts: &[&str], needle: &str, address: bool) -> Condition {
    let found = parts.iter().fold(Condition::all(), |found, part| found.add(index_lookup(backend, text, part)));
    if !address && !parts.contains(&needle) { found.add(holds(backend, text, needle)) } else { found }
}

/// PostgreSQL keeps a copy of the search text in a table of its own, with
/// the trigram index (migration 17), so that writes to a customer's other
/// columns leave that index alone; SQLite's FTS5 table indexes
/// `customers.search_text`.
const SEARCH_TABLE: &str = "customer_search";

/// Which copy of the search text a condition reads.
#[derive(Clone, Copy)]
enum Text {
    Customer,
    SearchTable,
}

impl Text {
    fn table(self) -> &'static str {
        match self {
            Text::Customer => "customers",
            Text::SearchTable => SEARCH_TABLE,
        }
    }
}

/// How many trailing digits of a phone query the index looks for.
const PHONE_TAIL: usize = 7;

/// What the trigram index looks up for `needle`. A trigram shared by most
/// rows makes the index read most rows, so:
/// - a phone number's last digits (country code and carrier prefix are
///   everyone's);
/// - on SQLite, an e-mail address's local part (domains are shared by a
///   company's contacts, or by everyone at a large provider);
/// - on PostgreSQL, a word of the needle that no text of `sample`
///   contains, alone: the index reads its few rows only, and the whole
///   needle is checked on those (`harbor trading 7932` by `7932`: 9 index
///   pages instead of 343, 0.6 ms instead of 6);
/// - otherwise on PostgreSQL, each word of three characters or more
///   besides the whole needle, each its own index condition: the index
///   then skips between the words' rows, where a single condition walks
///   the rows of its rarest trigram one by one (`harbor trading 7932`:
///   656 index pages whole, 377 by words). The whole needle keeps the
///   planner's estimate of matches low; the words alone made it expect
///   many and walk the name index for `ORDER BY … LIMIT` (6 s for
///   `harbor trading 13`). Addresses are found by
///   [`address_by_local_suffix`];
/// - otherwise the whole needle.
fn indexed_parts<'a>(backend: DbBackend, needle: &'a str, sample: &search_sample::Sampled) -> Vec<&'a str> {
    if needle.chars().all(|c| c.is_ascii_digit()) && needle.len() > PHONE_TAIL {
        return vec![&needle[needle.len() - PHONE_TAIL..]];
    }
    let parts: Vec<&str> = match backend {
        DbBackend::Postgres => {
            let words: Vec<&str> =
                needle.split_whitespace().filter(|w| w.chars().count() >= MIN_PART && *w != needle).collect();
            match search_sample::rare_part(&words, sample) {
                Some(rare) => vec![rare],
                None => words.into_iter().chain([needle]).collect(),
            }
        }
        _ => needle
            .split_once('@')
            .map(|(local, _)| local)
            .filter(|l| l.chars().count() >= MIN_PART)
            .into_iter()
            .collect(),
    };
    if parts.is_empty() { vec![needle] } else { parts }
}

/// The rows whose search text contains `part`, through the trigram index
/// where it has trigrams: FTS5 on SQLite; on PostgreSQL `pg_trgm` serves the
/// `LIKE` as it stands (and scans for fewer than three characters).
fn index_lookup(backend: DbBackend, text: Text, part: &str) -> SimpleExpr {
    match backend {
        DbBackend::Sqlite if part.chars().count() >= MIN_PART => trigram_match(part),
        _ => contains(text, part),
    }
}

/// The search text contains `needle`: not indexable, so the planner checks
/// it only on the rows the other conditions found.
fn holds(backend: DbBackend, text: Text, needle: &str) -> SimpleExpr {
    let column = format!("\"{}\".\"search_text\"", text.table());
    Expr::cust_with_values(holds_sql(backend, &column), [needle.to_owned()])
}

fn holds_sql(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("strpos({column}, $1) > 0"),
        _ => format!("instr({column}, ?) > 0"),
    }
}

/// The fewest characters the trigram index can look up, and the fewest
/// before an address's `@` worth looking up by themselves.
const MIN_PART: usize = 3;

/// PostgreSQL: the customers with an address containing `needle`, found
/// through `ix_customer_keys_email_suffix` (migration 15). Such an address
/// ends its local part with the needle's and starts its domain with the
/// needle's, so its reversed local part starts with the needle's reversed:
/// one range of a B-tree, however common the domain or the rest of the
/// address. The trigram index would read the posting list of every trigram
/// in the address, and `contact`, `info` or `gmail.com` are in most of them.
///
/// `= ANY(ARRAY(…))` makes the planner take the few ids first and then read
/// those customers by key, rather than walk the name index in search of them.
/// `kind = 'email'` is written out to match the partial index's predicate.
fn address_by_local_suffix(org_id: Uuid, needle: &str) -> Option<SimpleExpr> {
    let (local, _) = needle.split_once('@')?;
    if local.chars().count() < MIN_PART {
        return None;
    }
    let from: String = local.chars().rev().collect();
    let to = next_prefix(&from)?;
    Some(Expr::cust_with_values(
        "\"customers\".\"id\" = ANY(ARRAY(SELECT k.customer_id FROM customer_keys k \
         WHERE k.org_id = $1 AND k.kind = 'email' \
         AND reverse(split_part(k.value, '@', 1)) COLLATE \"C\" >= $2 \
         AND reverse(split_part(k.value, '@', 1)) COLLATE \"C\" < $3 \
         AND strpos(k.value, $4) > 0))",
        [Value::from(org_id), Value::from(from), Value::from(to), Value::from(needle.to_owned())],
    ))
}

/// The first string after every string that starts with `prefix`, in code
/// point order (which is the byte order of UTF-8, and so of `COLLATE "C"`).
/// `None` when there is none: `prefix` is all `char::MAX`.
fn next_prefix(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Whether one of the customer's e-mail addresses contains `needle`.
fn has_address_containing(backend: DbBackend, needle: &str) -> SimpleExpr {
    Expr::cust_with_values(
        format!(
            "EXISTS (SELECT 1 FROM customer_keys k WHERE k.customer_id = \"customers\".\"id\" \
             AND k.kind = 'email' AND {})",
            holds_sql(backend, "k.value")
        ),
        [needle.to_owned()],
    )
}

/// SQLite: the rows whose search text contains `needle`, from the FTS5
/// trigram table (a quoted phrase is a plain substring there).
fn trigram_match(needle: &str) -> SimpleExpr {
    let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
    Expr::cust_with_values(
        "\"customers\".\"rowid\" IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)",
        [phrase],
    )
}

fn contains(text: Text, needle: &str) -> SimpleExpr {
    let escaped = needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Expr::col((Alias::new(text.table()), Alias::new("search_text")))
        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use search_sample::Sampled;

    #[test]
    fn next_prefix_is_the_first_string_past_the_prefix() {
        assert_eq!(next_prefix("eca").as_deref(), Some("ecb"));
        assert_eq!(next_prefix("a\u{d7ff}").as_deref(), Some("a\u{e000}"), "surrogates are not chars");
        assert_eq!(next_prefix("a\u{10ffff}").as_deref(), Some("b"));
        assert_eq!(next_prefix("\u{10ffff}"), None);
        assert_eq!(next_prefix(""), None);
        for prefix in ["eca", "z~", "é9"] {
            let next = next_prefix(prefix).unwrap_or_default();
            for inside in [prefix.to_owned(), format!("{prefix}\u{10ffff}"), format!("{prefix}zzz")] {
                assert!(inside.as_str() < next.as_str(), "{inside} < {next}");
            }
        }
    }

    #[test]
    fn postgres_gives_the_planner_the_row_and_the_search_table_sqlite_its_fts_table() {
        use sea_orm::{EntityTrait, QueryFilter, QueryTrait};
        let sql = |backend| {
            let found = condition(backend, Uuid::nil(), "Harbor Trading 7932", &Sampled::default(), None);
            customer::Entity::find().filter(found).build(backend).to_string()
        };
        let postgres = sql(DbBackend::Postgres);
        for on_row in [
            "\"customers\".\"search_text\" LIKE '%harbor%'",
            "\"customers\".\"search_text\" LIKE '%harbor trading 7932%'",
        ] {
            assert!(postgres.contains(on_row), "{on_row} in {postgres}");
        }
        let (_, search_table) = postgres.split_once("IN (SELECT \"customer_id\" FROM \"customer_search\"").unwrap();
        for indexed in ["\"customer_search\".\"search_text\" LIKE '%harbor%'", "'%trading%'", "'%7932%'"] {
            assert!(search_table.contains(indexed), "{indexed} in {search_table}");
        }
        let sqlite = sql(DbBackend::Sqlite);
        assert!(sqlite.contains("customer_search MATCH '\"harbor trading 7932\"'"), "{sqlite}");
        assert!(!sqlite.contains("\"customer_search\".\"search_text\""), "{sqlite}");
    }

    #[test]
    fn the_sql_names_the_email_key_kind_as_stored() {
        // Written out in the SQL to match the partial index's predicate.
        assert_eq!(rapport_shared::pool::MatchKind::Email.as_str(), "email");
    }

    #[test]
    fn only_an_address_with_enough_before_the_at_goes_by_its_suffix() {
        let org = Uuid::nil();
        assert!(address_by_local_suffix(org, "ace@acme.example").is_some());
        assert!(address_by_local_suffix(org, "bob@").is_some());
        assert!(address_by_local_suffix(org, "bo@acme.example").is_none());
        assert!(address_by_local_suffix(org, "@acme.example").is_none());
        assert!(address_by_local_suffix(org, "acme.example").is_none());
    }

    #[test]
    fn the_index_looks_up_a_phones_last_digits_sqlite_an_address_local_part_and_postgres_each_word() {
        assert_eq!(indexed_parts(DbBackend::Postgres, "8613800138000", &Sampled::default()), ["0138000"]);
        assert_eq!(indexed_parts(DbBackend::Sqlite, "8613800138000", &Sampled::default()), ["0138000"]);
        assert_eq!(indexed_parts(DbBackend::Sqlite, "ace@acme.example", &Sampled::default()), ["ace"]);
        assert_eq!(indexed_parts(DbBackend::Sqlite, "ac@acme.example", &Sampled::default()), ["ac@acme.example"]);
        assert_eq!(indexed_parts(DbBackend::Sqlite, "jade dragon tea", &Sampled::default()), ["jade dragon tea"]);
        assert_eq!(
            indexed_parts(DbBackend::Postgres, "jade dragon tea", &Sampled::default()),
            ["jade", "dragon", "tea", "jade dragon tea"]
        );
        assert_eq!(indexed_parts(DbBackend::Postgres, "a smi", &Sampled::default()), ["smi", "a smi"]);
        assert_eq!(indexed_parts(DbBackend::Postgres, "a sm", &Sampled::default()), ["a sm"]);
        assert_eq!(indexed_parts(DbBackend::Postgres, "dragon", &Sampled::default()), ["dragon"]);
    }

    #[test]
    fn postgres_looks_up_a_word_its_sample_never_holds_alone_and_checks_the_whole_needle() {
        use sea_orm::{EntityTrait, QueryFilter, QueryTrait};
        let sample = Sampled {
            ordered: (0..search_sample::ENOUGH).map(|i| format!("harbor trading {i} +86138{i:08}")).collect(),
            ..Sampled::default()
        };
        assert_eq!(indexed_parts(DbBackend::Postgres, "harbor trading 7932", &sample), ["7932"]);
        assert_eq!(
            indexed_parts(DbBackend::Postgres, "harbor trading 13", &sample),
            ["harbor", "trading", "harbor trading 13"]
        );
        assert_eq!(
            indexed_parts(DbBackend::Postgres, "trading 12 harbor", &sample),
            ["trading", "harbor", "trading 12 harbor"],
            "the whole needle is never looked up alone"
        );
        assert_eq!(indexed_parts(DbBackend::Sqlite, "harbor trading 7932", &sample), ["harbor trading 7932"]);
        let found = condition(DbBackend::Postgres, Uuid::nil(), "Harbor Trading 7932", &sample, None);
        let sql = customer::Entity::find().filter(found).build(DbBackend::Postgres).to_string();
        assert!(!sql.contains("'%harbor%'"), "{sql}");
        for checked in [
            "\"customer_search\".\"search_text\" LIKE '%7932%'",
            "strpos(\"customer_search\".\"search_text\", 'harbor trading 7932') > 0",
            "strpos(\"customers\".\"search_text\", 'harbor trading 7932') > 0",
        ] {
            assert!(sql.contains(checked), "{checked} in {sql}");
        }
    }

    /// A sample where `zenith` begins the last names and `trading` ends
    /// names all along the alphabet.
    fn alphabet() -> Sampled {
        let words = ["acme", "blue", "cedar", "delta", "harbor", "lotus", "orion", "sunrise", "willow", "zenith"];
        let ordered = words
            .iter()
            .flat_map(|w| (0..10).map(move |i| format!("{w} {} {i}", if i % 2 == 0 { "foods" } else { "trading" })))
            .collect();
        Sampled { ordered, org_shares: vec![(Uuid::nil(), 1.0)], ..Sampled::default() }
    }

    fn postgres_sql(q: &str, walk: Option<NameWalk<'_>>) -> String {
        use sea_orm::{EntityTrait, QueryFilter, QueryTrait};
        let found = condition(DbBackend::Postgres, Uuid::nil(), q, &alphabet(), walk);
        customer::Entity::find().filter(found).build(DbBackend::Postgres).to_string()
    }

    const READ_FIRST: &str = "\"customers\".\"id\" = ANY(ARRAY((SELECT \"customer_id\" FROM \"customer_search\"";

    #[test]
    fn postgres_reads_the_matches_first_when_the_walk_along_the_names_would_reach_them_late() {
        let walk = Some(NameWalk { after: None });
        let late = postgres_sql("Zenith", walk);
        assert!(late.contains(READ_FIRST), "{late}");
        assert!(late.contains("\"customer_search\".\"search_text\" LIKE '%zenith%'"), "{late}");
        assert!(late.contains("\"customers\".\"search_text\" LIKE '%zenith%'"), "{late}");
        let spread = postgres_sql("trading", walk);
        assert!(!spread.contains("ANY(ARRAY"), "{spread}");
        assert!(spread.contains("\"customers\".\"id\" IN (SELECT \"customer_id\""), "{spread}");
        assert!(!postgres_sql("Zenith", None).contains("ANY(ARRAY"), "one owner's index walks few rows");
        let next_page = postgres_sql("zenith", Some(NameWalk { after: Some("zenith foods 0") }));
        assert!(!next_page.contains("ANY(ARRAY"), "the walk from the cursor meets matches at once");
        assert!(!postgres_sql("ze", walk).contains("ANY(ARRAY"), "too short for the trigram index");
    }
}
