//! Customers (the 360 record) and their contacts.

use crate::double_option;
use crate::validate::{Email, FieldError, FieldErrors, Phone, list, optional_text, required_text};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 200;
pub const MAX_ADDRESS: usize = 500;
pub const MAX_NOTES: usize = 4000;
pub const MAX_PHONES: usize = 10;
pub const MAX_EMAILS: usize = 10;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG: usize = 40;
pub const MAX_CUSTOM_FIELDS: usize = 50;
pub const MAX_CUSTOM_FIELDS_BYTES: usize = 8 * 1024;

/// A closed set of values that travel as snake_case strings, with `ALL`,
/// `as_str` and `parse`.
// `$text` is a `tt`, not a `literal`: a `literal` fragment reaches derive
// macros wrapped in an invisible group, which utoipa does not see through,
// so the OpenAPI document listed the Rust names (`Open`) instead of the
// strings on the wire (`open`).
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        // By hand: a string and `parse`, one small function per enum where
        // the derive's enum visitors cost the browser build several.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&text).ok_or_else(|| serde::de::Error::unknown_variant(&text, &[$($text),+]))
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

string_enum! {
    /// A company (with contacts) or a private person.
    CustomerKind { Company = "company", Person = "person" }
}

string_enum! {
    /// Where the relationship stands.
    LifecycleStatus { Lead = "lead", Prospect = "prospect", Customer = "customer", Lost = "lost" }
}

string_enum! {
    /// How the customer first reached us.
    SourceChannel {
        WebForm = "web_form",
        ShareLink = "share_link",
        Referral = "referral",
        Phone = "phone",
        WalkIn = "walk_in",
        Event = "event",
        Advertising = "advertising",
        Import = "import",
        Other = "other",
    }
}

/// A user as shown beside a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
}

/// The customer record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    pub id: Uuid,
    pub kind: CustomerKind,
    pub name: String,
    /// Normalised: `+` and digits only.
    pub phones: Vec<String>,
    /// Normalised: trimmed, lower case.
    pub emails: Vec<String>,
    pub address: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub region: Option<String>,
    pub source_channel: Option<SourceChannel>,
    pub status: LifecycleStatus,
    pub tags: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: Map<String, Value>,
    pub owner: UserRef,
    pub archived: bool,
    /// In the shared pool since then (claimable by anyone in the org); `null` when owned.
    #[serde(default)]
    pub pooled_at: Option<DateTime<Utc>>,
    /// The latest activity with the customer (its creation until there is one).
    pub last_touch_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/customers`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub kind: CustomerKind,
    pub name: String,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub source_channel: Option<SourceChannel>,
    #[serde(default)]
    pub status: Option<LifecycleStatus>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom_fields: Option<Value>,
    /// Defaults to the caller; only admins may give a customer to someone else.
    #[serde(default)]
    pub owner_id: Option<Uuid>,
}

/// `PATCH /api/v1/customers/{id}`: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CustomerKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phones: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub size: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub region: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<SourceChannel>))]
    pub source_channel: Option<Option<SourceChannel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LifecycleStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom_fields: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<Uuid>,
}

/// The editable fields of a customer after validation and normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFields {
    pub kind: CustomerKind,
    pub name: String,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub address: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub region: Option<String>,
    pub source_channel: Option<SourceChannel>,
    pub status: LifecycleStatus,
    pub tags: Vec<String>,
    pub custom_fields: Map<String, Value>,
}

impl NewCustomer {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<CustomerFields, FieldErrors> {
        let mut e = FieldErrors::default();
        let fields = CustomerFields {
            kind: self.kind,
            name: e.check("name", required_text(&self.name, MAX_NAME)).unwrap_or_default(),
            phones: list(&mut e, "phones", &self.phones, MAX_PHONES, Phone::parse),
            emails: list(&mut e, "emails", &self.emails, MAX_EMAILS, Email::parse),
            address: e.check("address", optional_text(self.address.as_deref(), MAX_ADDRESS)).flatten(),
            industry: e.check("industry", optional_text(self.industry.as_deref(), MAX_TEXT)).flatten(),
            size: e.check("size", optional_text(self.size.as_deref(), MAX_TEXT)).flatten(),
            region: e.check("region", optional_text(self.region.as_deref(), MAX_TEXT)).flatten(),
            source_channel: self.source_channel,
            status: self.status.unwrap_or(LifecycleStatus::Lead),
            tags: tags(&mut e, &self.tags),
            custom_fields: e
                .check(
                    "custom_fields",
                    custom_fields(self.custom_fields.as_ref().unwrap_or(&Value::Object(Map::new()))),
                )
                .unwrap_or_default(),
        };
        e.into_result(fields)
    }
}

impl CustomerPatch {
    /// Applies the patch to `current`, validating only what it changes.
    ///
    /// # Errors
    /// Every rejected field; `current` is untouched then.
    pub fn apply(&self, current: &CustomerFields) -> Result<CustomerFields, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut next = current.clone();
        if let Some(kind) = self.kind {
            next.kind = kind;
        }
        if let Some(name) = &self.name {
            next.name = e.check("name", required_text(name, MAX_NAME)).unwrap_or_default();
        }
        if let Some(phones) = &self.phones {
            next.phones = list(&mut e, "phones", phones, MAX_PHONES, Phone::parse);
        }
        if let Some(emails) = &self.emails {
            next.emails = list(&mut e, "emails", emails, MAX_EMAILS, Email::parse);
        }
        let texts = [
            ("address", &self.address, &mut next.address, MAX_ADDRESS),
            ("industry", &self.industry, &mut next.industry, MAX_TEXT),
            ("size", &self.size, &mut next.size, MAX_TEXT),
            ("region", &self.region, &mut next.region, MAX_TEXT),
        ];
        for (field, patch, slot, max) in texts {
            if let Some(value) = patch {
                *slot = e.check(field, optional_text(value.as_deref(), max)).flatten();
            }
        }
        if let Some(source) = self.source_channel {
            next.source_channel = source;
        }
        if let Some(status) = self.status {
            next.status = status;
        }
        if let Some(raw) = &self.tags {
            next.tags = tags(&mut e, raw);
        }
        if let Some(raw) = &self.custom_fields {
            next.custom_fields = e.check("custom_fields", custom_fields(raw)).unwrap_or_default();
        }
        e.into_result(next)
    }
}

fn tags(e: &mut FieldErrors, raw: &[String]) -> Vec<String> {
    list(e, "tags", raw, MAX_TAGS, |t| required_text(t, MAX_TAG))
}

/// A JSON object of bounded size: free-form fields an org adds to customers.
///
/// # Errors
/// `NotAnObject`, `TooMany` keys, an over-long key, or `TooLarge` when serialised.
pub fn custom_fields(value: &Value) -> Result<Map<String, Value>, FieldError> {
    let Value::Object(map) = value else {
        return Err(FieldError::NotAnObject);
    };
    if map.len() > MAX_CUSTOM_FIELDS {
        return Err(FieldError::TooMany { max: MAX_CUSTOM_FIELDS });
    }
    if map.keys().any(|k| k.trim().is_empty() || k.chars().count() > 64) {
        return Err(FieldError::UnknownValue);
    }
    let size = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_CUSTOM_FIELDS_BYTES {
        return Err(FieldError::TooLarge { max_bytes: MAX_CUSTOM_FIELDS_BYTES });
    }
    Ok(map.clone())
}

/// How a customer list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerSort {
    /// A → Z (case-insensitive).
    #[default]
    Name,
    /// Most recently touched first.
    LastTouch,
    /// Least recently touched first: who has waited longest.
    LastTouchAsc,
}

/// Query of `GET /api/v1/customers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct CustomerQuery {
    /// Matches any part of a name, phone number (in any format) or e-mail
    /// address; a query with an `@` and no spaces matches addresses only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LifecycleStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<CustomerSort>,
    /// Only customers not contacted for at least this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untouched_days: Option<u32>,
    /// Include archived customers (`true`) or list only them (`only`); default hides them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<ArchivedFilter>,
    /// `true`: only the shared pool (every pool customer of the org). Otherwise
    /// pool customers are left out: they belong to nobody until claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Whether archived customers appear in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ArchivedFilter {
    #[default]
    #[serde(rename = "false")]
    Hide,
    #[serde(rename = "true")]
    Include,
    Only,
}

/// A person at a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/customers/{id}/contacts`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// `PATCH /api/v1/contacts/{id}`: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
}

/// The fields of a contact after validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactFields {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub notes: Option<String>,
}

fn optional<T>(raw: Option<&str>, parse: fn(&str) -> Result<T, FieldError>) -> Result<Option<T>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse(text).map(Some),
    }
}

impl NewContact {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<ContactFields, FieldErrors> {
        ContactPatch {
            name: Some(self.name.clone()),
            title: Some(self.title.clone()),
            phone: Some(self.phone.clone()),
            email: Some(self.email.clone()),
            notes: Some(self.notes.clone()),
        }
        .apply(&ContactFields::default())
    }
}

impl ContactPatch {
    /// # Errors
    /// Every rejected field; `current` is untouched then.
    pub fn apply(&self, current: &ContactFields) -> Result<ContactFields, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut next = current.clone();
        if let Some(name) = &self.name {
            next.name = e.check("name", required_text(name, MAX_NAME)).unwrap_or_default();
        }
        if let Some(title) = &self.title {
            next.title = e.check("title", optional_text(title.as_deref(), MAX_TEXT)).flatten();
        }
        if let Some(phone) = &self.phone {
            next.phone = e.check("phone", optional(phone.as_deref(), Phone::parse)).flatten();
        }
        if let Some(email) = &self.email {
            next.email = e.check("email", optional(email.as_deref(), Email::parse)).flatten();
        }
        if let Some(notes) = &self.notes {
            next.notes = e.check("notes", optional_text(notes.as_deref(), MAX_NOTES)).flatten();
        }
        e.into_result(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn new_customer(body: Value) -> NewCustomer {
        serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_new_customer_is_normalised() {
        let c = new_customer(json!({
            "kind": "company", "name": "  Acme ", "phones": ["+86 138 0013 8000", "+8613800138000"],
            "emails": ["Sales@Acme.com"], "tags": ["vip", "vip"], "address": "  "
        }));
        let f = c.validate().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(f.name, "Acme");
        assert_eq!(f.phones.len(), 1);
        assert_eq!(f.emails[0].as_str(), "sales@acme.com");
        assert_eq!(f.tags, vec!["vip".to_string()]);
        assert_eq!(f.address, None);
        assert_eq!(f.status, LifecycleStatus::Lead);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let c = new_customer(json!({
            "kind": "person", "name": "", "emails": ["x"], "custom_fields": [1, 2]
        }));
        let e = c.validate().err().unwrap_or_default();
        assert_eq!(e.get("name"), Some(FieldError::Required));
        assert_eq!(e.get("emails[0]"), Some(FieldError::InvalidEmail));
        assert_eq!(e.get("custom_fields"), Some(FieldError::NotAnObject));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let r: Result<NewCustomer, _> = serde_json::from_value(json!({"kind": "person", "name": "A", "nmae": "B"}));
        assert!(r.is_err());
    }

    #[test]
    fn patch_distinguishes_absent_from_null() {
        let current = new_customer(json!({"kind": "person", "name": "A", "region": "East"}))
            .validate()
            .unwrap_or_else(|e| panic!("{e:?}"));
        let keep: CustomerPatch = serde_json::from_value(json!({"name": "B"})).unwrap_or_default();
        assert_eq!(keep.apply(&current).map(|f| f.region), Ok(Some("East".into())));
        let clear: CustomerPatch = serde_json::from_value(json!({"region": null})).unwrap_or_default();
        assert_eq!(clear.apply(&current).map(|f| f.region), Ok(None));
    }

    #[test]
    fn oversized_custom_fields_are_refused() {
        let big = json!({"notes": "x".repeat(MAX_CUSTOM_FIELDS_BYTES)});
        assert_eq!(custom_fields(&big), Err(FieldError::TooLarge { max_bytes: MAX_CUSTOM_FIELDS_BYTES }));
    }

    /// Exactly at each custom-field limit is kept; one past it is refused.
    #[test]
    fn custom_fields_one_past_each_limit_are_refused() {
        let keys = |n: usize| Value::Object((0..n).map(|i| (format!("k{i}"), Value::Null)).collect());
        assert!(custom_fields(&keys(MAX_CUSTOM_FIELDS)).is_ok());
        assert_eq!(custom_fields(&keys(MAX_CUSTOM_FIELDS + 1)), Err(FieldError::TooMany { max: MAX_CUSTOM_FIELDS }));
        // `{"n":"…"}` is 8 bytes around the text.
        let sized = |bytes: usize| json!({"n": "x".repeat(bytes - 8)});
        assert_eq!(serde_json::to_vec(&sized(MAX_CUSTOM_FIELDS_BYTES)).map(|v| v.len()).ok(), Some(8192));
        assert!(custom_fields(&sized(MAX_CUSTOM_FIELDS_BYTES)).is_ok());
        assert_eq!(
            custom_fields(&sized(MAX_CUSTOM_FIELDS_BYTES + 1)),
            Err(FieldError::TooLarge { max_bytes: MAX_CUSTOM_FIELDS_BYTES })
        );
        let long_key = |n: usize| Value::Object(std::iter::once(("k".repeat(n), Value::from(1))).collect());
        assert!(custom_fields(&long_key(64)).is_ok());
        assert_eq!(custom_fields(&long_key(65)), Err(FieldError::UnknownValue));
    }

    /// Free-form JSON of any shape.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 128, 60, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..60).prop_map(Value::from),
                proptest::collection::btree_map(any::<String>(), inner, 0..60)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any JSON at all: the custom fields that pass are an object within
        /// every limit, and nothing panics.
        #[test]
        fn custom_fields_that_pass_are_within_their_limits(value in any_json()) {
            if let Ok(map) = custom_fields(&value) {
                prop_assert!(map.len() <= MAX_CUSTOM_FIELDS);
                prop_assert!(map.keys().all(|k| !k.trim().is_empty() && k.chars().count() <= 64));
                let bytes = serde_json::to_vec(&Value::Object(map)).map(|v| v.len()).unwrap_or(usize::MAX);
                prop_assert!(bytes <= MAX_CUSTOM_FIELDS_BYTES);
            }
        }

        /// A customer made of arbitrary texts validates or reports fields; it never panics,
        /// and what passes keeps every limit.
        #[test]
        fn any_new_customer_validates_or_reports_fields(
            name in any::<String>(),
            phones in proptest::collection::vec(any::<String>(), 0..12),
            emails in proptest::collection::vec(any::<String>(), 0..12),
            tags in proptest::collection::vec(any::<String>(), 0..22),
            address in proptest::option::of(any::<String>()),
            custom in proptest::option::of(any_json()),
        ) {
            let input = NewCustomer {
                kind: CustomerKind::Person,
                name,
                phones,
                emails,
                address,
                industry: None,
                size: None,
                region: None,
                source_channel: None,
                status: None,
                tags,
                custom_fields: custom,
                owner_id: None,
            };
            match input.validate() {
                Ok(f) => {
                    prop_assert!(!f.name.is_empty() && f.name.chars().count() <= MAX_NAME);
                    prop_assert!(f.phones.len() <= MAX_PHONES && f.emails.len() <= MAX_EMAILS);
                    prop_assert!(f.tags.len() <= MAX_TAGS && f.tags.iter().all(|t| t.chars().count() <= MAX_TAG));
                    prop_assert!(f.address.as_ref().is_none_or(|a| a.chars().count() <= MAX_ADDRESS));
                }
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
        }
    }

    #[test]
    fn contact_validation() {
        let bad = NewContact { name: "Li".into(), email: Some("li@".into()), ..Default::default() };
        assert_eq!(bad.validate().err().and_then(|e| e.get("email")), Some(FieldError::InvalidEmail));
        let ok = NewContact { name: "Li".into(), phone: Some(" ".into()), ..Default::default() };
        assert_eq!(ok.validate().map(|f| f.phone), Ok(None));
    }
}
