//! Activities: what happened with a customer (a call, a visit, a note…).

use crate::double_option;
use crate::validate::{FieldError, FieldErrors, optional_text};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_BODY: usize = 10_000;
pub const MAX_DURATION_SECS: u32 = 24 * 3600;
/// How far in the future `occurred_at` may be: clocks of phones drift.
pub const FUTURE_SKEW: Duration = Duration::minutes(5);

crate::string_enum! {
    /// The kind of touch.
    ActivityKind { Call = "call", Visit = "visit", Email = "email", Message = "message", Meeting = "meeting", Note = "note" }
}

crate::string_enum! {
    /// Who reached out.
    Direction { Inbound = "in", Outbound = "out" }
}

crate::string_enum! {
    /// How it went.
    Outcome {
        Reached = "reached",
        NoAnswer = "no_answer",
        Interested = "interested",
        NotInterested = "not_interested",
        FollowUpNeeded = "follow_up_needed",
    }
}

/// A logged activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub outcome: Option<Outcome>,
    pub occurred_at: DateTime<Utc>,
    pub duration_secs: Option<u32>,
    pub contact_id: Option<Uuid>,
    pub body: Option<String>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub author: crate::customer::UserRef,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/customers/{id}/activities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    pub kind: ActivityKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Defaults to now; at most a few minutes in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

/// `PATCH /api/v1/activities/{id}`: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ActivityKind>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Direction>))]
    pub direction: Option<Option<Direction>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Outcome>))]
    pub outcome: Option<Option<Outcome>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    pub duration_secs: Option<Option<u32>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub body: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub next_follow_up_at: Option<Option<DateTime<Utc>>>,
}

/// The editable fields of an activity after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityFields {
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub outcome: Option<Outcome>,
    pub occurred_at: DateTime<Utc>,
    pub duration_secs: Option<u32>,
    pub body: Option<String>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

impl NewActivity {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ActivityFields, FieldErrors> {
        let base = ActivityFields {
            kind: self.kind,
            direction: None,
            outcome: None,
            occurred_at: now,
            duration_secs: None,
            body: None,
            next_follow_up_at: None,
        };
        ActivityPatch {
            kind: Some(self.kind),
            direction: Some(self.direction),
            outcome: Some(self.outcome),
            occurred_at: self.occurred_at,
            duration_secs: Some(self.duration_secs),
            body: Some(self.body.clone()),
            next_follow_up_at: Some(self.next_follow_up_at),
        }
        .apply(&base, now)
    }
}

impl ActivityPatch {
    /// # Errors
    /// Every rejected field; `current` is untouched then.
    pub fn apply(&self, current: &ActivityFields, now: DateTime<Utc>) -> Result<ActivityFields, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut next = current.clone();
        if let Some(kind) = self.kind {
            next.kind = kind;
        }
        if let Some(direction) = self.direction {
            next.direction = direction;
        }
        if let Some(outcome) = self.outcome {
            next.outcome = outcome;
        }
        if let Some(at) = self.occurred_at {
            if at > now + FUTURE_SKEW {
                e.add("occurred_at", FieldError::UnknownValue);
            }
            next.occurred_at = at;
        }
        if let Some(duration) = self.duration_secs {
            if duration.is_some_and(|d| d > MAX_DURATION_SECS) {
                e.add("duration_secs", FieldError::UnknownValue);
            }
            next.duration_secs = duration;
        }
        if let Some(body) = &self.body {
            next.body = e.check("body", optional_text(body.as_deref(), MAX_BODY)).flatten();
        }
        if let Some(follow_up) = self.next_follow_up_at {
            next.next_follow_up_at = follow_up;
        }
        if next.next_follow_up_at.is_some_and(|f| f <= next.occurred_at) {
            e.add("next_follow_up_at", FieldError::UnknownValue);
        }
        e.into_result(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> NewActivity {
        NewActivity {
            kind: ActivityKind::Call,
            direction: Some(Direction::Outbound),
            outcome: Some(Outcome::Reached),
            occurred_at: None,
            duration_secs: Some(120),
            contact_id: None,
            body: Some("  Wants a quote  ".into()),
            next_follow_up_at: None,
        }
    }

    #[test]
    fn occurred_at_defaults_to_now_and_body_is_trimmed() {
        let now = Utc::now();
        let f = call().validate(now).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(f.occurred_at, now);
        assert_eq!(f.body.as_deref(), Some("Wants a quote"));
    }

    #[test]
    fn the_future_is_refused_beyond_a_small_skew() {
        let now = Utc::now();
        let ok = NewActivity { occurred_at: Some(now + Duration::minutes(2)), ..call() };
        assert!(ok.validate(now).is_ok());
        let bad = NewActivity { occurred_at: Some(now + Duration::hours(1)), ..call() };
        assert!(bad.validate(now).err().is_some_and(|e| e.get("occurred_at").is_some()));
    }

    #[test]
    fn a_follow_up_must_come_after_the_activity() {
        let now = Utc::now();
        let bad = NewActivity { next_follow_up_at: Some(now - Duration::hours(1)), ..call() };
        assert!(bad.validate(now).err().is_some_and(|e| e.get("next_follow_up_at").is_some()));
        let ok = NewActivity { next_follow_up_at: Some(now + Duration::days(1)), ..call() };
        assert!(ok.validate(now).is_ok());
    }

    #[test]
    fn oversized_bodies_and_durations_are_refused() {
        let now = Utc::now();
        let bad =
            NewActivity { body: Some("x".repeat(MAX_BODY + 1)), duration_secs: Some(MAX_DURATION_SECS + 1), ..call() };
        let e = bad.validate(now).err().unwrap_or_default();
        assert!(e.get("body").is_some() && e.get("duration_secs").is_some());
    }
}
