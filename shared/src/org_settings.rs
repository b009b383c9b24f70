//! Organisation-wide settings of the follow-up rules: when a customer counts
//! as not contacted, and the shared pool (when customers return to it, how
//! many a rep may own, how many they may claim a day).

use crate::double_option;
use crate::validate::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

/// The largest number of days any of the day settings accepts (ten years).
pub const MAX_DAYS: u32 = 3650;
/// The largest per-rep ownership limit.
pub const MAX_OWNED: u32 = 100_000;
/// The largest daily claim quota.
pub const MAX_DAILY_CLAIMS: u32 = 1000;

/// `GET /api/v1/org/settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgSettings {
    /// Customers without a touch for this many days count as "not contacted".
    pub stale_after_days: u32,
    /// Customers without a touch for this many days (or lost) return to the
    /// shared pool; `null` turns the pool off.
    pub pool_after_days: Option<u32>,
    /// The most customers a rep may own (outside the pool) when claiming;
    /// `null` for no limit.
    pub max_owned_per_rep: Option<u32>,
    /// The most pool customers one person may claim in 24 hours; `null` for no quota.
    pub daily_claim_quota: Option<u32>,
}

/// `PATCH /api/v1/org/settings`: absent fields stay, `null` turns a setting off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrgSettingsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_after_days: Option<u32>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub pool_after_days: Option<Option<u32>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub max_owned_per_rep: Option<Option<u32>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub daily_claim_quota: Option<Option<u32>>,
}

impl OrgSettingsPatch {
    /// Applies the patch to `current`; each number must lie between 1 and its maximum.
    ///
    /// # Errors
    /// Every rejected field (`UnknownValue` for a number out of range); `current` is untouched then.
    pub fn apply(&self, current: &OrgSettings) -> Result<OrgSettings, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut next = current.clone();
        if let Some(days) = self.stale_after_days {
            next.stale_after_days = e.check("stale_after_days", in_range(days, MAX_DAYS)).unwrap_or(days);
        }
        let optional = [
            ("pool_after_days", self.pool_after_days, &mut next.pool_after_days, MAX_DAYS),
            ("max_owned_per_rep", self.max_owned_per_rep, &mut next.max_owned_per_rep, MAX_OWNED),
            ("daily_claim_quota", self.daily_claim_quota, &mut next.daily_claim_quota, MAX_DAILY_CLAIMS),
        ];
        for (field, patch, slot, max) in optional {
            if let Some(value) = patch {
                *slot = value;
                if let Some(n) = value {
                    e.check(field, in_range(n, max));
                }
            }
        }
        e.into_result(next)
    }
}

fn in_range(n: u32, max: u32) -> Result<u32, FieldError> {
    if (1..=max).contains(&n) { Ok(n) } else { Err(FieldError::UnknownValue) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn current() -> OrgSettings {
        OrgSettings {
            stale_after_days: 14,
            pool_after_days: Some(30),
            max_owned_per_rep: None,
            daily_claim_quota: None,
        }
    }

    fn patch(body: serde_json::Value) -> OrgSettingsPatch {
        serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn absent_keeps_null_clears_a_number_sets() {
        let next = patch(json!({"pool_after_days": null, "daily_claim_quota": 5})).apply(&current());
        assert_eq!(
            next,
            Ok(OrgSettings {
                stale_after_days: 14,
                pool_after_days: None,
                max_owned_per_rep: None,
                daily_claim_quota: Some(5)
            })
        );
    }

    #[test]
    fn numbers_out_of_range_are_refused() {
        let e = patch(json!({"stale_after_days": 0, "pool_after_days": 4000, "max_owned_per_rep": 0}))
            .apply(&current())
            .err()
            .unwrap_or_default();
        assert_eq!(e.get("stale_after_days"), Some(FieldError::UnknownValue));
        assert_eq!(e.get("pool_after_days"), Some(FieldError::UnknownValue));
        assert_eq!(e.get("max_owned_per_rep"), Some(FieldError::UnknownValue));
        assert_eq!(e.get("daily_claim_quota"), None);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_value::<OrgSettingsPatch>(json!({"pool_days": 3})).is_err());
    }
}
