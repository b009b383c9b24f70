//! Keyset pagination: `?limit=&cursor=` → `{"items":[…],"next_cursor":…}`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Default and maximum page sizes for every list endpoint.
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

/// One page of a list, and the cursor of the next page (absent on the last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Longest cursor text [`Cursor::decode`] looks at; the server never issues
/// one this long (a sort key is at most a few hundred characters).
pub const MAX_CURSOR_LEN: usize = 4096;

/// The position after the last row of a page: the list that issued it, its
/// sort key and id.
///
/// Opaque to clients (URL-safe base64 of JSON), so the encoding may change.
/// A cursor is only good for the list (and order) that issued it: handed to
/// another, it is refused rather than read as a position there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Which list issued it, e.g. `customers:name` or `timeline:<customer id>`.
    pub list: String,
    /// The sort column's value of the last row, as text.
    pub key: String,
    pub id: Uuid,
}

impl Cursor {
    pub fn new(list: impl Into<String>, key: impl Into<String>, id: Uuid) -> Self {
        Self { list: list.into(), key: key.into(), id }
    }

    pub fn encode(&self) -> String {
        // Serialising three plain fields cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// The cursor `text` stands for, if `list` issued it.
    ///
    /// # Errors
    /// `None` when the text is not a cursor this server issued for `list`.
    pub fn decode(text: &str, list: &str) -> Option<Self> {
        if text.len() > MAX_CURSOR_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let cursor: Self = serde_json::from_slice(&bytes).ok()?;
        (cursor.list == list).then_some(cursor)
    }
}

/// Clamps a requested page size into `1..=MAX_LIMIT`.
pub fn clamp_limit(limit: Option<u64>) -> u64 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cursor_round_trips() {
        let c = Cursor::new("customers:name", "acme ltd", Uuid::now_v7());
        assert_eq!(Cursor::decode(&c.encode(), "customers:name"), Some(c));
    }

    #[test]
    fn garbage_is_not_a_cursor() {
        assert_eq!(Cursor::decode("not a cursor!", "audit"), None);
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode("{}"), "audit"), None);
        let id = Uuid::now_v7();
        let old_shape = URL_SAFE_NO_PAD.encode(format!(r#"{{"key":"","id":"{id}"}}"#));
        assert_eq!(Cursor::decode(&old_shape, ""), None, "a cursor must name its list");
        let long = Cursor::new("audit", "k".repeat(MAX_CURSOR_LEN), id).encode();
        assert_eq!(Cursor::decode(&long, "audit"), None);
    }

    #[test]
    fn a_cursor_is_refused_by_another_list() {
        let c = Cursor::new("deals", "", Uuid::now_v7()).encode();
        assert!(Cursor::decode(&c, "deals").is_some());
        for other in ["notifications", "deals:stage:x", "Deals", "deals ", ""] {
            assert_eq!(Cursor::decode(&c, other), None, "{other}");
        }
    }

    #[test]
    fn limit_is_clamped() {
        assert_eq!(clamp_limit(None), DEFAULT_LIMIT);
        assert_eq!(clamp_limit(Some(0)), 1);
        assert_eq!(clamp_limit(Some(MAX_LIMIT + 1)), MAX_LIMIT);
        assert_eq!(clamp_limit(Some(u64::MAX)), MAX_LIMIT);
    }

    fn uuid() -> impl Strategy<Value = Uuid> {
        any::<u128>().prop_map(Uuid::from_u128)
    }

    proptest! {
        /// Whatever a client sends as a cursor, decoding answers and never panics.
        #[test]
        fn decoding_any_text_never_panics(text in ".{0,600}", list in "[a-z:]{0,20}") {
            let _ = Cursor::decode(&text, &list);
        }

        #[test]
        fn decoding_base64_of_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = Cursor::decode(&URL_SAFE_NO_PAD.encode(&bytes), "customers:name");
        }

        /// Base64 of JSON that is not a cursor (any other shape) is refused.
        #[test]
        fn json_of_another_shape_is_refused(value in json_value()) {
            let text = URL_SAFE_NO_PAD.encode(value.to_string());
            prop_assert_eq!(Cursor::decode(&text, "audit"), None);
        }

        /// Every cursor the server issues decodes to itself in its own list
        /// and to nothing in any other.
        #[test]
        fn issued_cursors_round_trip_in_their_list_only(
            list in "[a-z_]{1,12}(:[a-z0-9-]{1,36})?",
            other in "[a-z_]{1,12}(:[a-z0-9-]{1,36})?",
            key in ".{0,200}",
            id in uuid(),
        ) {
            let cursor = Cursor::new(list.clone(), key, id);
            let text = cursor.encode();
            prop_assert!(text.len() <= MAX_CURSOR_LEN);
            prop_assert_eq!(Cursor::decode(&text, &list), Some(cursor));
            if other != list {
                prop_assert_eq!(Cursor::decode(&text, &other), None);
            }
        }

        /// Editing one character of an issued cursor never panics, and what
        /// still decodes is a cursor of the same list.
        #[test]
        fn tampered_cursors_never_panic(key in "[ -~]{0,40}", at in any::<prop::sample::Index>(), c in any::<char>()) {
            let text = Cursor::new("customers:name", key, Uuid::now_v7()).encode();
            let mut chars: Vec<char> = text.chars().collect();
            let i = at.index(chars.len());
            chars[i] = c;
            let tampered: String = chars.into_iter().collect();
            if let Some(decoded) = Cursor::decode(&tampered, "customers:name") {
                prop_assert_eq!(decoded.list, "customers:name");
            }
        }
    }

    /// JSON values with no `list`, `key` and `id` of the right types together.
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::{Value, json};
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            ".{0,20}".prop_map(Value::from),
        ];
        let nested = leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        });
        prop_oneof![
            nested,
            // Nearly a cursor: one field missing or of the wrong type.
            Just(json!({"list": "audit", "key": ""})),
            Just(json!({"list": "audit", "id": "00000000-0000-0000-0000-000000000000"})),
            Just(json!({"list": "audit", "key": 1, "id": "00000000-0000-0000-0000-000000000000"})),
            Just(json!({"list": "audit", "key": "", "id": "not-a-uuid"})),
            Just(json!({"list": ["audit"], "key": "", "id": "00000000-0000-0000-0000-000000000000"})),
        ]
    }
}
