//! The shared pool and the duplicate guard.
//!
//! Pool: when an org sets `pool_after_days`, a customer nobody touched for
//! that many days, or whose status is lost, returns to a pool that everyone
//! in the org sees; any rep may claim it (first claim wins).
//!
//! Duplicate guard: a new customer may not share a *match key* with an
//! existing (not archived) customer of the org. The keys, one rule each:
//! - `phone`: the digits of each phone as [`Phone`] normalises it, without the
//!   leading `+` (`+86 138-0013-8000` and `8613800138000` match; a number
//!   written with and without its country code does not);
//! - `email`: each address as [`Email`](crate::validate::Email) normalises it
//!   (trimmed, lower case);
//! - `name`: for companies only (people share names), the name by
//!   [`company_name_key`]: lower case, punctuation dropped, spaces collapsed,
//!   and trailing legal forms removed (`Acme Co., Ltd.` = `ACME`).

use crate::customer::{CustomerFields, CustomerKind, UserRef};
use crate::validate::Phone;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::string_enum! {
    /// Why a customer returned to the pool.
    PoolReason { Untouched = "untouched", Lost = "lost" }
}

crate::string_enum! {
    /// The rule a match key belongs to.
    MatchKind { Phone = "phone", Email = "email", Name = "name" }
}

/// `error.details` of a 409 `duplicate_customer`: which customer exists and
/// who owns it (`null` while it is in the pool), never its contact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateCustomer {
    pub customer_id: Uuid,
    pub owner: Option<UserRef>,
    pub in_pool: bool,
}

/// One normalised value that two customers of an org must not share.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchKey {
    pub kind: MatchKind,
    pub value: String,
}

/// Legal forms dropped from the end of a company name, as whole words
/// (after lower-casing and dropping punctuation).
const LEGAL_FORMS: &[&str] =
    &["ltd", "limited", "inc", "incorporated", "co", "corp", "corporation", "company", "llc", "plc", "gmbh"];

/// Legal forms dropped from the end of a name written without spaces
/// (Chinese company names); longest first.
const LEGAL_SUFFIXES: &[&str] = &["股份有限公司", "有限责任公司", "有限公司", "公司"];

/// The key of a company name: lower case; `.` and `'` dropped (`A.B.C` =
/// `ABC`); any other character that is not a letter or digit read as a space;
/// spaces collapsed; then legal forms removed from the end while something
/// else remains (`Acme Co., Ltd.` → `acme`, `深圳腾讯有限公司` → `深圳腾讯`).
/// `None` when nothing but punctuation is left.
pub fn company_name_key(name: &str) -> Option<String> {
    let mut cleaned = String::with_capacity(name.len());
    for c in name.chars() {
        if c == '.' || c == '\'' || c == '’' {
            continue;
        }
        if c.is_alphanumeric() {
            cleaned.extend(c.to_lowercase());
        } else {
            cleaned.push(' ');
        }
    }
    let mut words: Vec<String> = cleaned.split_whitespace().map(str::to_owned).collect();
    loop {
        let last = words.last()?;
        if words.len() > 1 && (LEGAL_FORMS.contains(&last.as_str()) || LEGAL_SUFFIXES.contains(&last.as_str())) {
            words.pop();
            continue;
        }
        match LEGAL_SUFFIXES.iter().find_map(|s| last.strip_suffix(s)) {
            Some(rest) if !rest.is_empty() => {
                let rest = rest.to_owned();
                if let Some(slot) = words.last_mut() {
                    *slot = rest;
                }
            }
            _ => break,
        }
    }
    Some(words.join(" "))
}

/// The key of a phone: its digits, without the leading `+`.
pub fn phone_key(phone: &Phone) -> String {
    phone.as_str().trim_start_matches('+').to_owned()
}

/// Every match key of a customer's fields, without repeats.
pub fn match_keys(fields: &CustomerFields) -> Vec<MatchKey> {
    let mut keys: Vec<MatchKey> = Vec::new();
    let mut push = |kind: MatchKind, value: String| {
        let key = MatchKey { kind, value };
        if !keys.contains(&key) {
            keys.push(key);
        }
    };
    for phone in &fields.phones {
        push(MatchKind::Phone, phone_key(phone));
    }
    for email in &fields.emails {
        push(MatchKind::Email, email.as_str().to_owned());
    }
    if fields.kind == CustomerKind::Company
        && let Some(name) = company_name_key(&fields.name)
    {
        push(MatchKind::Name, name);
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::NewCustomer;
    use serde_json::json;

    fn fields(body: serde_json::Value) -> CustomerFields {
        let input: NewCustomer = serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"));
        input.validate().unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn company_names_ignore_case_spacing_punctuation_and_legal_forms() {
        let key = company_name_key("Acme");
        for same in ["ACME", "  acme  ", "Acme Ltd", "Acme Co., Ltd.", "Acme, Inc.", "acme limited", "Acme GmbH"] {
            assert_eq!(company_name_key(same), key, "{same}");
        }
        assert_eq!(company_name_key("Jade  Dragon\tTea"), Some("jade dragon tea".into()));
        assert_eq!(company_name_key("A.B.C. Trading"), Some("abc trading".into()));
        assert_eq!(company_name_key("AT&T"), company_name_key("AT & T"));
        assert_ne!(company_name_key("Acme Steel"), key);
    }

    #[test]
    fn chinese_legal_forms_are_dropped() {
        assert_eq!(company_name_key("深圳腾讯有限公司"), Some("深圳腾讯".into()));
        assert_eq!(company_name_key("深圳腾讯股份有限公司"), company_name_key("深圳腾讯"));
        assert_eq!(company_name_key("玉龙茶业（上海）有限公司"), Some("玉龙茶业 上海".into()));
    }

    #[test]
    fn a_name_that_is_only_a_legal_form_keeps_it() {
        assert_eq!(company_name_key("Ltd"), Some("ltd".into()));
        assert_eq!(company_name_key("Co. Ltd."), Some("co".into()));
        assert_eq!(company_name_key("公司"), Some("公司".into()));
        assert_eq!(company_name_key(" ... "), None);
    }

    #[test]
    fn keys_cover_phones_emails_and_company_names() {
        let f = fields(json!({
            "kind": "company", "name": "Acme Ltd", "phones": ["+86 138 0013 8000", "021 5555 1234"],
            "emails": ["Sales@Acme.com"]
        }));
        let all = match_keys(&f);
        let keys: Vec<(&str, &str)> = all.iter().map(|k| (k.kind.as_str(), k.value.as_str())).collect();
        assert_eq!(
            keys,
            vec![("phone", "8613800138000"), ("phone", "02155551234"), ("email", "sales@acme.com"), ("name", "acme")]
        );
    }

    #[test]
    fn people_are_not_matched_by_name() {
        let f = fields(json!({"kind": "person", "name": "Wang Wei"}));
        assert!(match_keys(&f).is_empty());
    }
}
