//! Validation rules that parse input into types: invalid data cannot be
//! constructed. The browser runs them for inline feedback, the server runs
//! them again because it trusts nothing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Why one field was rejected. The browser translates `code()`; the API
/// answers with `to_string()` (English).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    Required,
    TooLong { max: usize },
    TooShort { min: usize },
    InvalidEmail,
    InvalidPhone,
    TooMany { max: usize },
    TooLarge { max_bytes: usize },
    NotAnObject,
    UnknownValue,
    Incorrect,
}

impl FieldError {
    /// A stable key, e.g. for translation tables.
    pub fn code(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong { .. } => "too_long",
            Self::TooShort { .. } => "too_short",
            Self::InvalidEmail => "invalid_email",
            Self::InvalidPhone => "invalid_phone",
            Self::TooMany { .. } => "too_many",
            Self::TooLarge { .. } => "too_large",
            Self::NotAnObject => "not_an_object",
            Self::UnknownValue => "unknown_value",
            Self::Incorrect => "incorrect",
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Required => write!(f, "is required"),
            Self::TooLong { max } => write!(f, "must be at most {max} characters"),
            Self::TooShort { min } => write!(f, "must be at least {min} characters"),
            Self::InvalidEmail => write!(f, "is not a valid e-mail address"),
            Self::InvalidPhone => write!(f, "is not a valid phone number"),
            Self::TooMany { max } => write!(f, "must have at most {max} entries"),
            Self::TooLarge { max_bytes } => write!(f, "must be at most {max_bytes} bytes"),
            Self::NotAnObject => write!(f, "must be a JSON object"),
            Self::UnknownValue => write!(f, "is not one of the allowed values"),
            // A secret that does not match (the current password, when changing it).
            Self::Incorrect => write!(f, "is not correct"),
        }
    }
}

/// Field path (`email`, `phones[1]`) → error; collects every problem at once
/// so a form can show them all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors(pub BTreeMap<String, FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, err: FieldError) {
        self.0.entry(field.into()).or_insert(err);
    }

    /// Records the error of `result` under `field` and passes the value on.
    pub fn check<T>(&mut self, field: &str, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.add(field, e)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<FieldError> {
        self.0.get(field).copied()
    }

    /// `Ok(value)` when nothing was recorded.
    ///
    /// # Errors
    /// Returns `self` when any field was rejected.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }

    /// English messages keyed by field, as the API reports them.
    pub fn messages(&self) -> BTreeMap<String, String> {
        self.0.iter().map(|(k, v)| (k.clone(), v.to_string())).collect()
    }
}

/// A trimmed, non-empty text of bounded length.
///
/// # Errors
/// `Required` when blank, `TooLong` past `max` characters.
pub fn required_text(raw: &str, max: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::Required);
    }
    bounded(text, max)
}

/// A trimmed optional text: blank becomes `None`.
///
/// # Errors
/// `TooLong` past `max` characters.
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => bounded(text, max).map(Some),
    }
}

fn bounded(text: &str, max: usize) -> Result<String, FieldError> {
    if text.chars().count() > max { Err(FieldError::TooLong { max }) } else { Ok(text.to_owned()) }
}

/// An e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// # Errors
    /// `InvalidEmail` unless the text is `local@domain.tld` without spaces.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(FieldError::Required);
        }
        if email.len() > 254 {
            return Err(FieldError::TooLong { max: 254 });
        }
        let (local, domain) = email.split_once('@').ok_or(FieldError::InvalidEmail)?;
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
        if domain_ok && local_ok { Ok(Self(email)) } else { Err(FieldError::InvalidEmail) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number reduced to an optional leading `+` and digits, so that
/// `+86 138-0013-8000` and `+8613800138000` are the same number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub const MIN_DIGITS: usize = 5;
    pub const MAX_DIGITS: usize = 20;

    /// # Errors
    /// `InvalidPhone` for letters or a digit count outside 5–20.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FieldError::Required);
        }
        let (plus, rest) = match raw.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", raw),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' | '/' => {}
                _ => return Err(FieldError::InvalidPhone),
            }
        }
        if !(Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&digits.len()) {
            return Err(FieldError::InvalidPhone);
        }
        Ok(Self(format!("{plus}{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password for a new account: 8–128 characters.
///
/// # Errors
/// `TooShort` / `TooLong`.
pub fn new_password(raw: &str) -> Result<String, FieldError> {
    let n = raw.chars().count();
    if n < 8 {
        Err(FieldError::TooShort { min: 8 })
    } else if n > 128 {
        Err(FieldError::TooLong { max: 128 })
    } else {
        Ok(raw.to_owned())
    }
}

/// Parses a list with `parse`, recording errors as `field[i]`, dropping
/// duplicates after normalisation.
pub fn list<T: PartialEq>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &[String],
    max: usize,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Vec<T> {
    if raw.len() > max {
        errors.add(field, FieldError::TooMany { max });
        return Vec::new();
    }
    let mut out: Vec<T> = Vec::with_capacity(raw.len());
    for (i, item) in raw.iter().enumerate() {
        if let Some(v) = errors.check(&format!("{field}[{i}]"), parse(item))
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(Email::parse("  Li.Wei@Example.COM ").map(|e| e.to_string()), Ok("li.wei@example.com".into()));
    }

    #[test]
    fn bad_emails_are_rejected() {
        for bad in [
            "plain",
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@exa mple.com",
            "a@.com",
            "a..b@example.com",
            "a@-x.com",
        ] {
            assert_eq!(Email::parse(bad), Err(FieldError::InvalidEmail), "{bad}");
        }
        assert_eq!(Email::parse("   "), Err(FieldError::Required));
    }

    #[test]
    fn phone_formats_normalise_to_one_number() {
        let a = Phone::parse("+86 138-0013-8000");
        let b = Phone::parse("+8613800138000");
        assert_eq!(a, b);
        assert_eq!(Phone::parse("(021) 5555.1234").map(|p| p.to_string()), Ok("02155551234".into()));
    }

    #[test]
    fn bad_phones_are_rejected() {
        for bad in ["12", "call me", "+", "123-abc-4567", "1234567890123456789012"] {
            assert_eq!(Phone::parse(bad), Err(FieldError::InvalidPhone), "{bad}");
        }
    }

    #[test]
    fn list_reports_each_bad_entry_and_drops_duplicates() {
        let mut errors = FieldErrors::default();
        let raw = vec!["+1 555 0100".to_string(), "x".to_string(), "+15550100".to_string()];
        let phones = list(&mut errors, "phones", &raw, 5, Phone::parse);
        assert_eq!(phones.len(), 1);
        assert_eq!(errors.get("phones[1]"), Some(FieldError::InvalidPhone));
    }

    #[test]
    fn text_rules() {
        assert_eq!(required_text("  ", 10), Err(FieldError::Required));
        assert_eq!(required_text(" Acme ", 10), Ok("Acme".into()));
        assert_eq!(required_text("张三丰", 3), Ok("张三丰".into()));
        assert_eq!(required_text("abcd", 3), Err(FieldError::TooLong { max: 3 }));
        assert_eq!(optional_text(Some("  "), 3), Ok(None));
    }

    proptest! {
        #[test]
        fn parsed_phone_is_a_fixed_point(raw in "\\+?[0-9 ()-]{0,30}") {
            if let Ok(p) = Phone::parse(&raw) {
                prop_assert_eq!(Phone::parse(p.as_str()), Ok(p.clone()));
                prop_assert!(p.as_str().trim_start_matches('+').chars().all(|c| c.is_ascii_digit()));
            }
        }

        #[test]
        fn parsed_email_is_a_fixed_point(raw in "[A-Za-z0-9._%+-]{1,20}@[A-Za-z0-9-]{1,10}\\.[A-Za-z]{2,6}") {
            if let Ok(e) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
                prop_assert_eq!(e.as_str(), e.as_str().to_lowercase());
            }
        }

        #[test]
        fn email_parse_never_panics(raw in ".{0,300}") {
            let _ = Email::parse(&raw);
            let _ = Phone::parse(&raw);
        }

        /// Any text at all: an address that parses is short, lower-case,
        /// free of spaces, has one `@`, and parses to itself again.
        #[test]
        fn any_text_parses_to_a_well_formed_email_or_an_error(raw in any::<String>()) {
            if let Ok(e) = Email::parse(&raw) {
                let s = e.as_str();
                prop_assert!(s.len() <= 254);
                prop_assert_eq!(s.matches('@').count(), 1);
                prop_assert!(!s.chars().any(|c| c.is_whitespace() || c.is_control()));
                prop_assert_eq!(Email::parse(s), Ok(e.clone()));
            }
        }

        #[test]
        fn any_text_parses_to_a_well_formed_phone_or_an_error(raw in any::<String>()) {
            if let Ok(p) = Phone::parse(&raw) {
                let digits = p.as_str().trim_start_matches('+');
                prop_assert!(digits.chars().all(|c| c.is_ascii_digit()));
                prop_assert!((Phone::MIN_DIGITS..=Phone::MAX_DIGITS).contains(&digits.len()));
                prop_assert_eq!(Phone::parse(p.as_str()), Ok(p.clone()));
            }
        }

        /// The text rules hold for any text and any limit: a kept text is
        /// trimmed and within the limit, and only an over-long one is refused.
        #[test]
        fn text_rules_hold_for_any_text(raw in any::<String>(), max in 0usize..50) {
            let trimmed = raw.trim();
            let fits = trimmed.chars().count() <= max;
            let too_long = FieldError::TooLong { max };
            match required_text(&raw, max) {
                Ok(text) => prop_assert!(text == trimmed && !text.is_empty() && fits),
                Err(FieldError::Required) => prop_assert!(trimmed.is_empty()),
                Err(err) => prop_assert!(!fits && err == too_long, "{err:?}"),
            }
            match optional_text(Some(&raw), max) {
                Ok(None) => prop_assert!(trimmed.is_empty()),
                Ok(Some(text)) => prop_assert!(text == trimmed && fits),
                Err(err) => prop_assert!(!fits && err == too_long, "{err:?}"),
            }
        }

        #[test]
        fn passwords_are_kept_exactly_within_8_to_128_characters(raw in any::<String>()) {
            let n = raw.chars().count();
            prop_assert_eq!(new_password(&raw).is_ok(), (8..=128).contains(&n));
        }

        /// A list never keeps more than its maximum, reports an over-long list
        /// as a whole, and otherwise reports each bad entry by its index.
        #[test]
        fn lists_stay_within_their_maximum(raw in proptest::collection::vec(any::<String>(), 0..8), max in 0usize..6) {
            let mut errors = FieldErrors::default();
            let kept = list(&mut errors, "phones", &raw, max, Phone::parse);
            prop_assert!(kept.len() <= max.min(raw.len()));
            if raw.len() > max {
                prop_assert_eq!(errors.get("phones"), Some(FieldError::TooMany { max }));
            } else {
                for (i, item) in raw.iter().enumerate() {
                    let field = format!("phones[{i}]");
                    prop_assert_eq!(errors.get(&field).is_some(), Phone::parse(item).is_err());
                }
            }
        }
    }

    /// One past each text limit is refused; the limit itself is kept.
    #[test]
    fn one_past_each_limit_is_refused() {
        assert!(required_text(&"x".repeat(200), 200).is_ok());
        assert_eq!(required_text(&"x".repeat(201), 200), Err(FieldError::TooLong { max: 200 }));
        assert!(new_password(&"p".repeat(128)).is_ok());
        assert_eq!(new_password(&"p".repeat(129)), Err(FieldError::TooLong { max: 128 }));
        assert_eq!(new_password(&"p".repeat(7)), Err(FieldError::TooShort { min: 8 }));
        let local = "l".repeat(64);
        assert!(Email::parse(&format!("{local}@example.com")).is_ok());
        assert_eq!(Email::parse(&format!("{local}l@example.com")), Err(FieldError::InvalidEmail));
        let long_domain = format!("a@{}.com", "d".repeat(248));
        assert_eq!(long_domain.len(), 254);
        assert!(Email::parse(&long_domain).is_ok());
        assert_eq!(Email::parse(&format!("a@{}.com", "d".repeat(249))), Err(FieldError::TooLong { max: 254 }));
        assert!(Phone::parse(&"1".repeat(Phone::MAX_DIGITS)).is_ok());
        assert_eq!(Phone::parse(&"1".repeat(Phone::MAX_DIGITS + 1)), Err(FieldError::InvalidPhone));
        let mut errors = FieldErrors::default();
        let raw = vec!["+1 555 0100".to_string(); 3];
        assert_eq!(list(&mut errors, "phones", &raw, 2, Phone::parse), Vec::<Phone>::new());
        assert_eq!(errors.get("phones"), Some(FieldError::TooMany { max: 2 }));
    }
}
