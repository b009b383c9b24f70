//! The customer follow-up timeline: one ordered stream of everything that
//! happened with a customer. A new kind of event is one variant here.

use crate::activity::{ActivityKind, Direction, Outcome};
use crate::customer::UserRef;
use crate::pool::PoolReason;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One entry of a customer's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEvent {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// Who did it (absent for the system).
    pub actor: Option<UserRef>,
    /// The kind (`call`, `customer_updated`, …) and what it carries.
    pub event: Event,
}

/// What happened. The `kind` tags are one flat snake_case list; an activity's
/// event is named by its activity kind. `customer_pooled` is the scheduler
/// returning a customer to the shared pool (`after_days`: the org's setting
/// then); `customer_claimed` is a claim from the pool.
///
/// Read by hand (`EventFields`), written by the derive.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    CustomerCreated { name: String },
    CustomerUpdated { changes: Vec<FieldChange> },
    ContactAdded { contact_id: Uuid, name: String },
    ContactUpdated { contact_id: Uuid, name: String, changes: Vec<FieldChange> },
    Call(ActivityLogged),
    Visit(ActivityLogged),
    Email(ActivityLogged),
    Message(ActivityLogged),
    Meeting(ActivityLogged),
    Note(ActivityLogged),
    ActivityEdited { activity_id: Uuid, changes: Vec<FieldChange> },
    ActivityDeleted { activity_id: Uuid, activity_kind: ActivityKind },
    OwnerChanged { from: UserRef, to: UserRef },
    DealCreated { deal_id: Uuid, title: String, stage: String },
    StageChanged { deal_id: Uuid, title: String, from: String, to: String },
    DealWon { deal_id: Uuid, title: String, amount_minor: Option<i64>, currency: String },
    DealLost { deal_id: Uuid, title: String, reason: String },
    ReminderCreated { reminder_id: Uuid, title: String, due_at: DateTime<Utc>, assignee: UserRef },
    ReminderCompleted { reminder_id: Uuid, title: String },
    ReminderSnoozed { reminder_id: Uuid, title: String, until: DateTime<Utc> },
    ReminderCancelled { reminder_id: Uuid, title: String },
    ReminderOverdue { reminder_id: Uuid, title: String, due_at: DateTime<Utc> },
    PlaybookStarted { run_id: Uuid, playbook: String, steps: u32 },
    PlaybookStopped { run_id: Uuid, playbook: String, reason: String, cancelled_steps: u32 },
    CustomerPooled { reason: PoolReason, previous_owner: UserRef, after_days: u32 },
    CustomerClaimed { from: UserRef, to: UserRef },
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        EventFields::deserialize(deserializer)?.into_event()
    }
}

/// Every field of every event kind, read in one pass and assembled by
/// `kind`. Serde's derive for an internally tagged enum first copies each
/// event into a generic buffer and then reads every variant out of it; that
/// machinery was a twentieth of the browser's code. Fields whose type
/// depends on the kind (`from`, `to`, `reason`) are read as JSON values.
/// Like the derive, this ignores fields it does not know and names the
/// first missing one.
#[derive(Deserialize)]
struct EventFields {
    kind: String,
    name: Option<String>,
    changes: Option<Vec<FieldChange>>,
    contact_id: Option<Uuid>,
    activity_id: Option<Uuid>,
    direction: Option<Direction>,
    outcome: Option<Outcome>,
    duration_secs: Option<u32>,
    body: Option<String>,
    next_follow_up_at: Option<DateTime<Utc>>,
    activity_kind: Option<ActivityKind>,
    from: Option<Value>,
    to: Option<Value>,
    deal_id: Option<Uuid>,
    title: Option<String>,
    stage: Option<String>,
    amount_minor: Option<i64>,
    currency: Option<String>,
    reason: Option<Value>,
    reminder_id: Option<Uuid>,
    due_at: Option<DateTime<Utc>>,
    assignee: Option<UserRef>,
    until: Option<DateTime<Utc>>,
    run_id: Option<Uuid>,
    playbook: Option<String>,
    steps: Option<u32>,
    cancelled_steps: Option<u32>,
    previous_owner: Option<UserRef>,
    after_days: Option<u32>,
}

impl EventFields {
    fn into_event<E: serde::de::Error>(self) -> Result<Event, E> {
        let f = self;
        let event = match f.kind.as_str() {
            "customer_created" => Event::CustomerCreated { name: need(f.name, "name")? },
            "customer_updated" => Event::CustomerUpdated { changes: need(f.changes, "changes")? },
            "contact_added" => {
                Event::ContactAdded { contact_id: need(f.contact_id, "contact_id")?, name: need(f.name, "name")? }
            }
            "contact_updated" => Event::ContactUpdated {
                contact_id: need(f.contact_id, "contact_id")?,
                name: need(f.name, "name")?,
                changes: need(f.changes, "changes")?,
            },
            "activity_edited" => Event::ActivityEdited {
                activity_id: need(f.activity_id, "activity_id")?,
                changes: need(f.changes, "changes")?,
            },
            "activity_deleted" => Event::ActivityDeleted {
                activity_id: need(f.activity_id, "activity_id")?,
                activity_kind: need(f.activity_kind, "activity_kind")?,
            },
            "owner_changed" => Event::OwnerChanged { from: typed(f.from, "from")?, to: typed(f.to, "to")? },
            "deal_created" => Event::DealCreated {
                deal_id: need(f.deal_id, "deal_id")?,
                title: need(f.title, "title")?,
                stage: need(f.stage, "stage")?,
            },
            "stage_changed" => Event::StageChanged {
                deal_id: need(f.deal_id, "deal_id")?,
                title: need(f.title, "title")?,
                from: typed(f.from, "from")?,
                to: typed(f.to, "to")?,
            },
            "deal_won" => Event::DealWon {
                deal_id: need(f.deal_id, "deal_id")?,
                title: need(f.title, "title")?,
                amount_minor: f.amount_minor,
                currency: need(f.currency, "currency")?,
            },
            "deal_lost" => Event::DealLost {
                deal_id: need(f.deal_id, "deal_id")?,
                title: need(f.title, "title")?,
                reason: typed(f.reason, "reason")?,
            },
            "reminder_created" => Event::ReminderCreated {
                reminder_id: need(f.reminder_id, "reminder_id")?,
                title: need(f.title, "title")?,
                due_at: need(f.due_at, "due_at")?,
                assignee: need(f.assignee, "assignee")?,
            },
            "reminder_completed" => Event::ReminderCompleted {
                reminder_id: need(f.reminder_id, "reminder_id")?,
                title: need(f.title, "title")?,
            },
            "reminder_snoozed" => Event::ReminderSnoozed {
                reminder_id: need(f.reminder_id, "reminder_id")?,
                title: need(f.title, "title")?,
                until: need(f.until, "until")?,
            },
            "reminder_cancelled" => Event::ReminderCancelled {
                reminder_id: need(f.reminder_id, "reminder_id")?,
                title: need(f.title, "title")?,
            },
            "reminder_overdue" => Event::ReminderOverdue {
                reminder_id: need(f.reminder_id, "reminder_id")?,
                title: need(f.title, "title")?,
                due_at: need(f.due_at, "due_at")?,
            },
            "playbook_started" => Event::PlaybookStarted {
                run_id: need(f.run_id, "run_id")?,
                playbook: need(f.playbook, "playbook")?,
                steps: need(f.steps, "steps")?,
            },
            "playbook_stopped" => Event::PlaybookStopped {
                run_id: need(f.run_id, "run_id")?,
                playbook: need(f.playbook, "playbook")?,
                reason: typed(f.reason, "reason")?,
                cancelled_steps: need(f.cancelled_steps, "cancelled_steps")?,
            },
            "customer_pooled" => Event::CustomerPooled {
                reason: typed(f.reason, "reason")?,
                previous_owner: need(f.previous_owner, "previous_owner")?,
                after_days: need(f.after_days, "after_days")?,
            },
            "customer_claimed" => Event::CustomerClaimed { from: typed(f.from, "from")?, to: typed(f.to, "to")? },
            other => {
                let kind = ActivityKind::parse(other).ok_or_else(|| E::unknown_variant(other, EVENT_KINDS))?;
                Event::activity(
                    kind,
                    ActivityLogged {
                        activity_id: need(f.activity_id, "activity_id")?,
                        direction: f.direction,
                        outcome: f.outcome,
                        duration_secs: f.duration_secs,
                        contact_id: f.contact_id,
                        body: f.body,
                        next_follow_up_at: f.next_follow_up_at,
                    },
                )
            }
        };
        Ok(event)
    }
}

fn need<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

/// A field read as a JSON value, now read as the type its kind gives it.
fn typed<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    value: Option<Value>,
    field: &'static str,
) -> Result<T, E> {
    T::deserialize(need::<Value, E>(value, field)?).map_err(E::custom)
}

/// An activity as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityLogged {
    pub activity_id: Uuid,
    pub direction: Option<Direction>,
    pub outcome: Option<Outcome>,
    pub duration_secs: Option<u32>,
    pub contact_id: Option<Uuid>,
    pub body: Option<String>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

/// One changed field: its value before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub before: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub after: Value,
}

impl Event {
    /// The activity event for `kind`.
    pub fn activity(kind: ActivityKind, logged: ActivityLogged) -> Self {
        match kind {
            ActivityKind::Call => Self::Call(logged),
            ActivityKind::Visit => Self::Visit(logged),
            ActivityKind::Email => Self::Email(logged),
            ActivityKind::Message => Self::Message(logged),
            ActivityKind::Meeting => Self::Meeting(logged),
            ActivityKind::Note => Self::Note(logged),
        }
    }

    /// The `kind` tag, as stored and filtered on.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CustomerCreated { .. } => "customer_created",
            Self::CustomerUpdated { .. } => "customer_updated",
            Self::ContactAdded { .. } => "contact_added",
            Self::ContactUpdated { .. } => "contact_updated",
            Self::Call(_) => "call",
            Self::Visit(_) => "visit",
            Self::Email(_) => "email",
            Self::Message(_) => "message",
            Self::Meeting(_) => "meeting",
            Self::Note(_) => "note",
            Self::ActivityEdited { .. } => "activity_edited",
            Self::ActivityDeleted { .. } => "activity_deleted",
            Self::OwnerChanged { .. } => "owner_changed",
            Self::DealCreated { .. } => "deal_created",
            Self::StageChanged { .. } => "stage_changed",
            Self::DealWon { .. } => "deal_won",
            Self::DealLost { .. } => "deal_lost",
            Self::ReminderCreated { .. } => "reminder_created",
            Self::ReminderCompleted { .. } => "reminder_completed",
            Self::ReminderSnoozed { .. } => "reminder_snoozed",
            Self::ReminderCancelled { .. } => "reminder_cancelled",
            Self::ReminderOverdue { .. } => "reminder_overdue",
            Self::PlaybookStarted { .. } => "playbook_started",
            Self::PlaybookStopped { .. } => "playbook_stopped",
            Self::CustomerPooled { .. } => "customer_pooled",
            Self::CustomerClaimed { .. } => "customer_claimed",
        }
    }
}

/// Every event kind, for validating `?kinds=` filters.
pub const EVENT_KINDS: &[&str] = &[
    "customer_created",
    "customer_updated",
    "contact_added",
    "contact_updated",
    "call",
    "visit",
    "email",
    "message",
    "meeting",
    "note",
    "activity_edited",
    "activity_deleted",
    "owner_changed",
    "deal_created",
    "stage_changed",
    "deal_won",
    "deal_lost",
    "reminder_created",
    "reminder_completed",
    "reminder_snoozed",
    "reminder_cancelled",
    "reminder_overdue",
    "playbook_started",
    "playbook_stopped",
    "customer_pooled",
    "customer_claimed",
];

/// Query of `GET /api/v1/customers/{id}/timeline`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// Comma-separated event kinds, e.g. `call,visit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<String>,
    /// Only events by this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Uuid>,
    /// Only events before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<DateTime<Utc>>,
    /// Only events at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Parses `call,visit` into known kinds.
///
/// # Errors
/// The first unknown kind.
pub fn parse_kinds(raw: &str) -> Result<Vec<&'static str>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| EVENT_KINDS.iter().copied().find(|known| *known == k).ok_or_else(|| k.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_serialise_with_a_flat_kind_tag() {
        let e = Event::activity(
            ActivityKind::Call,
            ActivityLogged {
                activity_id: Uuid::nil(),
                direction: Some(Direction::Outbound),
                outcome: Some(Outcome::NoAnswer),
                duration_secs: None,
                contact_id: None,
                body: None,
                next_follow_up_at: None,
            },
        );
        let v = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(v["kind"], "call");
        assert_eq!(v["outcome"], "no_answer");
        assert_eq!(e.kind(), "call");
        let back: Event = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, e);
    }

    #[test]
    fn every_kind_is_listed_once() {
        let who = || UserRef { id: Uuid::nil(), name: "A".into() };
        let logged = || ActivityLogged {
            activity_id: Uuid::nil(),
            direction: None,
            outcome: None,
            duration_secs: None,
            contact_id: None,
            body: None,
            next_follow_up_at: None,
        };
        // One of each variant: a kind missing from EVENT_KINDS could not be filtered on.
        let mut all = vec![
            Event::CustomerCreated { name: "A".into() },
            Event::CustomerUpdated { changes: vec![] },
            Event::ContactAdded { contact_id: Uuid::nil(), name: "A".into() },
            Event::ContactUpdated { contact_id: Uuid::nil(), name: "A".into(), changes: vec![] },
            Event::ActivityEdited { activity_id: Uuid::nil(), changes: vec![] },
            Event::ActivityDeleted { activity_id: Uuid::nil(), activity_kind: ActivityKind::Call },
            Event::OwnerChanged { from: who(), to: who() },
            Event::DealCreated { deal_id: Uuid::nil(), title: "D".into(), stage: "Lead".into() },
            Event::StageChanged { deal_id: Uuid::nil(), title: "D".into(), from: "A".into(), to: "B".into() },
            Event::DealWon { deal_id: Uuid::nil(), title: "D".into(), amount_minor: Some(1), currency: "CNY".into() },
            Event::DealLost { deal_id: Uuid::nil(), title: "D".into(), reason: "Price".into() },
            Event::ReminderCreated { reminder_id: Uuid::nil(), title: "R".into(), due_at: Utc::now(), assignee: who() },
            Event::ReminderCompleted { reminder_id: Uuid::nil(), title: "R".into() },
            Event::ReminderSnoozed { reminder_id: Uuid::nil(), title: "R".into(), until: Utc::now() },
            Event::ReminderCancelled { reminder_id: Uuid::nil(), title: "R".into() },
            Event::ReminderOverdue { reminder_id: Uuid::nil(), title: "R".into(), due_at: Utc::now() },
            Event::PlaybookStarted { run_id: Uuid::nil(), playbook: "P".into(), steps: 3 },
            Event::PlaybookStopped {
                run_id: Uuid::nil(),
                playbook: "P".into(),
                reason: "won".into(),
                cancelled_steps: 2,
            },
            Event::CustomerPooled { reason: PoolReason::Untouched, previous_owner: who(), after_days: 30 },
            Event::CustomerClaimed { from: who(), to: who() },
        ];
        all.extend(ActivityKind::ALL.iter().map(|k| Event::activity(*k, logged())));
        let mut kinds: Vec<&str> = all.iter().map(Event::kind).collect();
        for (event, kind) in all.iter().zip(&kinds) {
            let written = serde_json::to_value(event).unwrap_or_default();
            assert_eq!(written["kind"], json!(kind));
            // The hand-written reader reads back what the derive wrote.
            let back: Event = serde_json::from_value(written).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(&back, event);
            let text = serde_json::to_string(event).unwrap_or_default();
            let back: Event = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(&back, event);
        }
        kinds.sort_unstable();
        let mut listed = EVENT_KINDS.to_vec();
        listed.sort_unstable();
        assert_eq!(kinds, listed);
    }

    #[test]
    fn events_that_do_not_fit_their_kind_are_refused() {
        let refused = |v: Value| serde_json::from_value::<Event>(v).map(|_| ()).map_err(|e| e.to_string());
        let missing = refused(json!({"kind": "deal_created", "deal_id": Uuid::nil(), "title": "D"}));
        assert!(missing.as_ref().is_err_and(|m| m.contains("missing field `stage`")), "{missing:?}");
        let unknown = refused(json!({"kind": "teleported", "name": "A"}));
        assert!(unknown.as_ref().is_err_and(|m| m.contains("unknown variant `teleported`")), "{unknown:?}");
        // `from` is a user when an owner changes and a stage name when a deal moves.
        let who = json!({"id": Uuid::nil(), "name": "A"});
        assert!(refused(json!({"kind": "owner_changed", "from": "Lead", "to": who})).is_err());
        assert!(
            refused(json!({"kind": "stage_changed", "deal_id": Uuid::nil(), "title": "D", "from": who, "to": "B"}))
                .is_err()
        );
        assert!(
            refused(json!({"kind": "customer_pooled", "reason": "bored", "previous_owner": who, "after_days": 3}))
                .is_err()
        );
        assert!(refused(json!({"kind": "call"})).is_err_and(|m| m.contains("activity_id")));
        assert!(refused(json!({"name": "A"})).is_err_and(|m| m.contains("kind")));
    }

    #[test]
    fn kind_filters_are_checked() {
        assert_eq!(parse_kinds("call, visit,"), Ok(vec!["call", "visit"]));
        assert_eq!(parse_kinds("call,teleport"), Err("teleport".into()));
    }
}
