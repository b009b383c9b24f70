//! Reminders (follow-up tasks), their recurrence, and notifications.

use crate::activity::NewActivity;
use crate::customer::UserRef;
use crate::double_option;
use crate::validate::{FieldError, FieldErrors, optional_text, required_text};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_TITLE: usize = 200;
pub const MAX_NOTE: usize = 4000;
pub const MAX_COUNT: u32 = 1000;
pub const MAX_EVERY_DAYS: u16 = 365;

crate::string_enum! {
    /// Open until done or cancelled.
    ReminderStatus { Open = "open", Done = "done", Cancelled = "cancelled" }
}

crate::string_enum! {
    Priority { Low = "low", Normal = "normal", High = "high" }
}

crate::string_enum! {
    /// Why the reminder exists.
    ReminderSource { Manual = "manual", FollowUp = "follow_up", Playbook = "playbook" }
}

crate::string_enum! {
    Weekday { Mon = "mon", Tue = "tue", Wed = "wed", Thu = "thu", Fri = "fri", Sat = "sat", Sun = "sun" }
}

impl Weekday {
    /// Monday = 0 … Sunday = 6, as `chrono::Weekday::num_days_from_monday`.
    pub fn index(self) -> u32 {
        match self {
            Self::Mon => 0,
            Self::Tue => 1,
            Self::Wed => 2,
            Self::Thu => 3,
            Self::Fri => 4,
            Self::Sat => 5,
            Self::Sun => 6,
        }
    }
}

/// How a reminder repeats. Occurrences keep the local time of day of the
/// first one, in the assignee's time zone (so 9:00 stays 9:00 across DST).
///
/// Read by hand (`RepeatFields`), written by the derive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "freq", rename_all = "snake_case", deny_unknown_fields)]
pub enum Repeat {
    Daily,
    /// On the given days of the week.
    Weekly {
        days: Vec<Weekday>,
    },
    /// On this day of every month; 29–31 fall on the last day of shorter months.
    Monthly {
        day: u8,
    },
    EveryNDays {
        n: u16,
    },
}

impl<'de> Deserialize<'de> for Repeat {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RepeatFields::deserialize(deserializer)?.into_repeat()
    }
}

/// The fields of every repeat rule, read in one pass (see
/// `timeline::EventFields` for why not serde's tagged-enum derive). As with
/// `deny_unknown_fields` on the enum, a field of another rule is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RepeatFields {
    freq: String,
    days: Option<Vec<Weekday>>,
    day: Option<u8>,
    n: Option<u16>,
}

impl RepeatFields {
    fn into_repeat<E: serde::de::Error>(self) -> Result<Repeat, E> {
        const RULES: &[&str] = &["daily", "weekly", "monthly", "every_n_days"];
        let RepeatFields { freq, days, day, n } = self;
        let present = [("days", days.is_some()), ("day", day.is_some()), ("n", n.is_some())];
        let (repeat, expected): (Repeat, &[&str]) = match freq.as_str() {
            "daily" => (Repeat::Daily, &[]),
            "weekly" => (Repeat::Weekly { days: days.ok_or_else(|| E::missing_field("days"))? }, &["days"]),
            "monthly" => (Repeat::Monthly { day: day.ok_or_else(|| E::missing_field("day"))? }, &["day"]),
            "every_n_days" => (Repeat::EveryNDays { n: n.ok_or_else(|| E::missing_field("n"))? }, &["n"]),
            other => return Err(E::unknown_variant(other, RULES)),
        };
        match present.into_iter().find(|(field, is_there)| *is_there && !expected.contains(field)) {
            Some((field, _)) => Err(E::unknown_field(field, expected)),
            None => Ok(repeat),
        }
    }
}

/// A repeat rule with an optional end: a last local date, or a total count
/// of occurrences (the first included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    pub repeat: Repeat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl Recurrence {
    /// # Errors
    /// The first rejected part, as a field error of `recurrence`.
    pub fn validate(&self) -> Result<(), FieldError> {
        let rule_ok = match &self.repeat {
            Repeat::Daily => true,
            Repeat::Weekly { days } => !days.is_empty() && days.len() <= 7,
            Repeat::Monthly { day } => (1..=31).contains(day),
            Repeat::EveryNDays { n } => (1..=MAX_EVERY_DAYS).contains(n),
        };
        let count_ok = self.count.is_none_or(|c| (1..=MAX_COUNT).contains(&c));
        if rule_ok && count_ok && !(self.until.is_some() && self.count.is_some()) {
            Ok(())
        } else {
            Err(FieldError::UnknownValue)
        }
    }
}

/// The customer a reminder is about, as shown beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRef {
    pub id: Uuid,
    pub name: String,
}

/// A reminder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reminder {
    pub id: Uuid,
    pub title: String,
    pub note: Option<String>,
    /// When it is due (UTC); shown in the assignee's time zone.
    pub due_at: DateTime<Utc>,
    pub assignee: UserRef,
    pub customer: Option<CustomerRef>,
    pub deal_id: Option<Uuid>,
    pub priority: Priority,
    pub status: ReminderStatus,
    /// Hidden from "due" until then; notifications wait for it too.
    pub snoozed_until: Option<DateTime<Utc>>,
    pub recurrence: Option<Recurrence>,
    /// 1 for the first occurrence of a recurring reminder, then 2, 3…
    pub occurrence: u32,
    pub source: ReminderSource,
    /// How to reach out (playbook steps say): the activity to log when done.
    pub channel: Option<crate::activity::ActivityKind>,
    pub playbook_run_id: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Reminder {
    /// When it next asks for attention: the snooze end when later than the due time.
    pub fn effective_due(&self) -> DateTime<Utc> {
        self.snoozed_until.map_or(self.due_at, |s| s.max(self.due_at))
    }

    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status == ReminderStatus::Open && self.effective_due() < now
    }
}

/// When a reminder is due: an instant, or a wall-clock time in the assignee's
/// time zone (`2026-11-23T09:00`), which the server converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum DueTime {
    At(DateTime<Utc>),
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-11-23T09:00"))]
    Local(#[serde(deserialize_with = "wall_clock")] NaiveDateTime),
}

/// A wall-clock time with or without seconds: `2026-11-23T09:00` (what a
/// `datetime-local` input gives, and the documented example) or `…T09:00:00`.
fn wall_clock<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    let raw = String::deserialize(d)?;
    NaiveDateTime::parse_from_str(&raw, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(&raw, "%Y-%m-%dT%H:%M"))
        .map_err(serde::de::Error::custom)
}

/// `POST /api/v1/reminders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReminder {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub due: DueTime,
    /// Defaults to the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
}

/// A new reminder's text fields after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ReminderText {
    pub title: String,
    pub note: Option<String>,
}

impl NewReminder {
    /// Checks what needs no database: text sizes and the recurrence rule.
    ///
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<ReminderText, FieldErrors> {
        let mut e = FieldErrors::default();
        let title = e.check("title", required_text(&self.title, MAX_TITLE));
        let note = e.check("note", optional_text(self.note.as_deref(), MAX_NOTE));
        if let Some(r) = &self.recurrence {
            e.check("recurrence", r.validate());
        }
        e.into_result(ReminderText { title: title.unwrap_or_default(), note: note.flatten() })
    }
}

/// `PATCH /api/v1/reminders/{id}`: absent fields stay, `null` clears.
/// Setting `status: done` with `log_activity` logs that activity on the
/// reminder's customer in the same transaction; completing a recurring
/// reminder creates its next occurrence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReminderPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub note: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DueTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReminderStatus>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub snoozed_until: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Recurrence>))]
    pub recurrence: Option<Option<Recurrence>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_activity: Option<NewActivity>,
}

impl ReminderPatch {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if let Some(t) = &self.title {
            e.check("title", required_text(t, MAX_TITLE));
        }
        if let Some(n) = &self.note {
            e.check("note", optional_text(n.as_deref(), MAX_NOTE));
        }
        if let Some(Some(r)) = &self.recurrence {
            e.check("recurrence", r.validate());
        }
        if self.log_activity.is_some() && self.status != Some(ReminderStatus::Done) {
            e.add("log_activity", FieldError::UnknownValue);
        }
        e.into_result(())
    }
}

/// `GET /api/v1/reminders` filters. `assignee=me` is the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReminderQuery {
    /// A user id or `me`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReminderStatus>,
    /// Due (or snoozed until) before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_before: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_after: Option<DateTime<Utc>>,
    /// Only open reminders whose due time has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Counts for the navigation badge and "my day".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReminderCounts {
    pub overdue: u32,
    pub due_today: u32,
    pub unread_notifications: u32,
}

crate::string_enum! {
    NotificationKind { ReminderDue = "reminder_due", ReminderOverdue = "reminder_overdue", Digest = "digest" }
}

/// Something the user should see; pushed live over SSE and kept until read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub body: Option<String>,
    pub reminder_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The caller's calendar feed, returned once when created: subscribe to
/// `path` on this server from a phone's calendar. Creating a new one
/// revokes the old.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeed {
    pub path: String,
}

/// Whether the caller has a calendar feed, and since when (its address is
/// not kept: only the person who made it has it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeedStatus {
    /// When the address in use was made; `null` when there is none.
    pub created_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_rules_read_back_what_they_write_and_refuse_fields_of_other_rules() {
        let rules = [
            Repeat::Daily,
            Repeat::Weekly { days: vec![Weekday::Mon, Weekday::Fri] },
            Repeat::Monthly { day: 31 },
            Repeat::EveryNDays { n: 3 },
        ];
        for rule in rules {
            let written = serde_json::to_value(&rule).unwrap_or_default();
            assert_eq!(serde_json::from_value::<Repeat>(written).ok(), Some(rule));
        }
        let refused = |v: serde_json::Value| serde_json::from_value::<Repeat>(v).err().map(|e| e.to_string());
        let message = |v| refused(v).unwrap_or_default();
        assert!(message(serde_json::json!({"freq": "daily", "day": 3})).contains("unknown field `day`"));
        assert!(message(serde_json::json!({"freq": "monthly", "day": 3, "n": 2})).contains("unknown field `n`"));
        assert!(message(serde_json::json!({"freq": "weekly"})).contains("missing field `days`"));
        assert!(message(serde_json::json!({"freq": "hourly"})).contains("unknown variant `hourly`"));
        assert!(message(serde_json::json!({"freq": "daily", "at": "9:00"})).contains("unknown field `at`"));
        assert!(refused(serde_json::json!({"day": 3})).is_some());
    }

    #[test]
    fn due_times_are_instants_or_wall_clock_times_with_or_without_seconds() {
        let parse = |s: &str| serde_json::from_value::<DueTime>(serde_json::json!(s)).ok();
        let nine = NaiveDate::from_ymd_opt(2026, 11, 23).and_then(|d| d.and_hms_opt(9, 0, 0));
        assert_eq!(parse("2026-11-23T09:00"), nine.map(DueTime::Local), "the documented example");
        assert_eq!(parse("2026-11-23T09:00:00"), nine.map(DueTime::Local));
        assert_eq!(parse("2026-11-23T09:00:00Z"), nine.map(|n| DueTime::At(n.and_utc())));
        assert_eq!(parse("tomorrow"), None);
        assert_eq!(parse("2026-11-23"), None);
    }

    #[test]
    fn recurrence_json_shape() {
        let r: Recurrence = serde_json::from_str(r#"{"repeat":{"freq":"weekly","days":["mon","thu"]},"count":10}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.repeat, Repeat::Weekly { days: vec![Weekday::Mon, Weekday::Thu] });
        assert_eq!(r.validate(), Ok(()));
        let bad = Recurrence { repeat: Repeat::Monthly { day: 32 }, until: None, count: None };
        assert_eq!(bad.validate(), Err(FieldError::UnknownValue));
        let both = Recurrence { repeat: Repeat::Daily, until: NaiveDate::from_ymd_opt(2027, 1, 1), count: Some(3) };
        assert_eq!(both.validate(), Err(FieldError::UnknownValue));
        let empty = Recurrence { repeat: Repeat::Weekly { days: vec![] }, until: None, count: None };
        assert_eq!(empty.validate(), Err(FieldError::UnknownValue));
    }

    #[test]
    fn due_time_accepts_instant_or_local() {
        let at: DueTime = serde_json::from_str(r#""2026-11-23T09:00:00Z""#).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(at, DueTime::At(_)));
        let local: DueTime = serde_json::from_str(r#""2026-11-23T09:00:00""#).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(local, DueTime::Local(_)));
    }

    #[test]
    fn log_activity_only_with_done() {
        let p = ReminderPatch {
            log_activity: Some(NewActivity {
                kind: crate::activity::ActivityKind::Call,
                direction: None,
                outcome: None,
                occurred_at: None,
                duration_secs: None,
                contact_id: None,
                body: None,
                next_follow_up_at: None,
            }),
            ..ReminderPatch::default()
        };
        assert!(p.validate().is_err());
        assert!(ReminderPatch { status: Some(ReminderStatus::Done), ..p }.validate().is_ok());
    }
}
