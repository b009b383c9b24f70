//! Customer search: which customers a query matches, found through an index
//! rather than by reading every row.
//!
//! A query matches a customer whose search text (lower-cased name, phones as
//! E.164 digits, e-mails) contains it. A query that looks like a phone number
//! matches its digits, whatever the separators. A query with an `@` and no
//! spaces is part of an e-mail address and matches addresses only, so
//! `ace@acme.example` finds `ada.lovelace@acme.example` and never a name.
//!
//! Substrings of three characters or more are found through the trigram
//! index of migration 12 (FTS5 on SQLite, `pg_trgm` on PostgreSQL); shorter
//! ones scan. On PostgreSQL an address with three or more characters before
//! its `@` is found through migration 15's index of reversed local parts.

use crate::entity::customer;
use rapport_shared::validate::Phone;
use sea_orm::sea_query::{Expr, LikeExpr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, DbBackend, Value};
use uuid::Uuid;

/// The customers of `org_id` that `q` matches (the caller adds who may see them).
pub fn condition(backend: DbBackend, org_id: Uuid, q: &str) -> Condition {
    let needle = match Phone::parse(q) {
        Ok(phone) => phone.as_str().trim_start_matches('+').to_owned(),
        Err(_) => q.to_lowercase(),
    };
    let address = needle.contains('@') && !needle.contains(char::is_whitespace);
    if address
        && backend == DbBackend::Postgres
        && let Some(by_suffix) = address_by_local_suffix(org_id, &needle)
    {
        return Condition::all().add(by_suffix);
    }
    let found = text_condition(backend, &needle);
    if address { found.add(has_address_containing(backend, &needle)) } else { found }
}

/// The customers whose search text contains `needle`.
fn text_condition(backend: DbBackend, needle: &str) -> Condition {
    let part = indexed_part(backend, needle);
    match backend {
        // The whole needle in the index needs no second check.
        DbBackend::Sqlite if part.len() == needle.len() && needle.chars().count() >= 3 => {
            Condition::all().add(trigram_match(needle))
        }
        DbBackend::Sqlite if part.len() < needle.len() => {
            Condition::all().add(trigram_match(part)).add(contains(needle))
        }
        // `pg_trgm` serves the LIKE; `strpos` is not indexable, so the
        // planner checks it only on the rows the index found.
        DbBackend::Postgres if part.len() < needle.len() => Condition::all()
            .add(contains(part))
            .add(Expr::cust_with_values("strpos(\"customers\".\"search_text\", $1) > 0", [needle.to_owned()])),
        _ => Condition::all().add(contains(needle)),
    }
}

/// How many trailing digits of a phone query the index looks for.
const PHONE_TAIL: usize = 7;

/// The part of `needle` the trigram index looks up; the whole needle is
/// then checked on the rows it finds. A trigram shared by most rows makes
/// the index read most rows, so the part is the rare one:
/// - a phone number's last digits (country code and carrier prefix are
///   everyone's);
/// - on SQLite, an e-mail address's local part (domains are shared by a
///   company's contacts, or by everyone at a large provider). PostgreSQL
///   finds such addresses through [`address_by_local_suffix`] instead: its
///   planner estimates a short `LIKE` to match many rows and then walks the
///   name index for `ORDER BY … LIMIT`, reading every row when few match;
/// - otherwise the whole needle.
fn indexed_part(backend: DbBackend, needle: &str) -> &str {
    if needle.chars().all(|c| c.is_ascii_digit()) && needle.len() > PHONE_TAIL {
        return &needle[needle.len() - PHONE_TAIL..];
    }
    match needle.split_once('@') {
        Some((local, _)) if backend == DbBackend::Sqlite && local.chars().count() >= MIN_LOCAL => local,
        _ => needle,
    }
}

/// The fewest characters before the `@` that are looked up by themselves:
/// fewer match too many addresses to be worth it.
const MIN_LOCAL: usize = 3;

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
    if local.chars().count() < MIN_LOCAL {
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
    let contains = match backend {
        DbBackend::Postgres => "strpos(k.value, $1) > 0",
        _ => "instr(k.value, ?) > 0",
    };
    Expr::cust_with_values(
        format!(
            "EXISTS (SELECT 1 FROM customer_keys k WHERE k.customer_id = \"customers\".\"id\" \
             AND k.kind = 'email' AND {contains})"
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

fn contains(needle: &str) -> SimpleExpr {
    let escaped = needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    customer::Column::SearchText.like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn only_an_address_with_enough_before_the_at_goes_by_its_suffix() {
        let org = Uuid::nil();
        assert!(address_by_local_suffix(org, "ace@acme.example").is_some());
        assert!(address_by_local_suffix(org, "bob@").is_some());
        assert!(address_by_local_suffix(org, "bo@acme.example").is_none());
        assert!(address_by_local_suffix(org, "@acme.example").is_none());
        assert!(address_by_local_suffix(org, "acme.example").is_none());
    }

    #[test]
    fn a_phone_query_looks_up_its_last_digits_and_sqlite_an_address_its_local_part() {
        assert_eq!(indexed_part(DbBackend::Postgres, "8613800138000"), "0138000");
        assert_eq!(indexed_part(DbBackend::Sqlite, "ace@acme.example"), "ace");
        assert_eq!(indexed_part(DbBackend::Sqlite, "ac@acme.example"), "ac@acme.example");
        assert_eq!(indexed_part(DbBackend::Postgres, "ace@acme.example"), "ace@acme.example");
        assert_eq!(indexed_part(DbBackend::Sqlite, "jade dragon"), "jade dragon");
    }
}
