//! Follow-up playbooks (cadences): ordered steps that become reminders for
//! the customer's owner when the playbook is applied to a customer, by hand
//! or when one of their deals enters the playbook's trigger stage.

use crate::activity::ActivityKind;
use crate::double_option;
use crate::reminder::{MAX_NOTE, MAX_TITLE, ReminderStatus};
use crate::validate::{FieldError, FieldErrors, optional_text, required_text};
use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_NAME: usize = 120;
pub const MAX_STEPS: usize = 30;
/// The last day a step may fall on, counted from the start.
pub const MAX_DAY_OFFSET: u16 = 365;

/// One step: on day `day_offset` after the start (0 = the start day), at
/// `time` in the owner's time zone, reach out by `channel` using `script`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlaybookStep {
    pub day_offset: u16,
    #[serde(default = "nine")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "09:00:00"))]
    pub time: NaiveTime,
    pub channel: ActivityKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
}

fn nine() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()
}

/// A playbook of the org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Playbook {
    pub id: Uuid,
    pub name: String,
    pub steps: Vec<PlaybookStep>,
    /// A deal entering this stage starts the playbook for its customer.
    pub trigger_stage_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/playbooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPlaybook {
    pub name: String,
    pub steps: Vec<PlaybookStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_stage_id: Option<Uuid>,
}

impl NewPlaybook {
    /// The trimmed name and steps.
    ///
    /// # Errors
    /// Every rejected field (`name`, `steps`, `steps[i].title`, …).
    pub fn validate(&self) -> Result<(String, Vec<PlaybookStep>), FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.check("name", required_text(&self.name, MAX_NAME));
        let steps = validate_steps(&self.steps, &mut e);
        e.into_result((name.unwrap_or_default(), steps))
    }
}

/// `PATCH /api/v1/playbooks/{id}`: absent fields stay; `trigger_stage_id: null` clears.
/// New steps apply to runs started afterwards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlaybookPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<PlaybookStep>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub trigger_stage_id: Option<Option<Uuid>>,
}

impl PlaybookPatch {
    /// The trimmed name and steps, when given.
    ///
    /// # Errors
    /// Every rejected field.
    #[allow(clippy::type_complexity)]
    pub fn validate(&self) -> Result<(Option<String>, Option<Vec<PlaybookStep>>), FieldErrors> {
        let mut e = FieldErrors::default();
        let name = self.name.as_deref().and_then(|n| e.check("name", required_text(n, MAX_NAME)));
        let steps = self.steps.as_deref().map(|s| validate_steps(s, &mut e));
        e.into_result((name, steps))
    }
}

/// Steps with trimmed text, in the order given; at least one, day offsets
/// never going back.
fn validate_steps(steps: &[PlaybookStep], e: &mut FieldErrors) -> Vec<PlaybookStep> {
    if steps.is_empty() {
        e.add("steps", FieldError::Required);
    }
    if steps.len() > MAX_STEPS {
        e.add("steps", FieldError::TooMany { max: MAX_STEPS });
    }
    let mut previous = 0;
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let title = e.check(&format!("steps[{i}].title"), required_text(&step.title, MAX_TITLE));
            let script = e.check(&format!("steps[{i}].script"), optional_text(step.script.as_deref(), MAX_NOTE));
            if step.day_offset > MAX_DAY_OFFSET || step.day_offset < previous {
                e.add(format!("steps[{i}].day_offset"), FieldError::UnknownValue);
            }
            previous = step.day_offset;
            PlaybookStep { title: title.unwrap_or_default(), script: script.flatten(), ..step.clone() }
        })
        .collect()
}

/// `POST /api/v1/customers/{id}/playbooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplyPlaybook {
    pub playbook_id: Uuid,
    /// The deal the run is about: winning or losing it stops the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_id: Option<Uuid>,
}

crate::string_enum! {
    /// Active until every step is done (completed) or it is stopped.
    RunStatus { Active = "active", Completed = "completed", Stopped = "stopped" }
}

/// One step of a run: the reminder it became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunStep {
    pub reminder_id: Uuid,
    pub title: String,
    pub channel: Option<ActivityKind>,
    pub due_at: DateTime<Utc>,
    pub status: ReminderStatus,
}

/// A playbook applied to a customer, with its steps' progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaybookRun {
    pub id: Uuid,
    pub playbook_id: Uuid,
    pub playbook_name: String,
    pub customer_id: Uuid,
    pub deal_id: Option<Uuid>,
    pub status: RunStatus,
    /// `by_user`, `deal_won`, `deal_lost` or `playbook_deleted`.
    pub stop_reason: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub steps: Vec<RunStep>,
}

impl PlaybookRun {
    pub fn steps_done(&self) -> usize {
        self.steps.iter().filter(|s| s.status == ReminderStatus::Done).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(day_offset: u16, title: &str) -> PlaybookStep {
        PlaybookStep { day_offset, time: nine(), channel: ActivityKind::Call, title: title.into(), script: None }
    }

    #[test]
    fn steps_need_titles_and_forward_offsets() {
        let ok = NewPlaybook {
            name: " Welcome ".into(),
            steps: vec![step(0, " Call "), step(3, "Visit")],
            trigger_stage_id: None,
        };
        let (name, steps) = ok.validate().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(name, "Welcome");
        assert_eq!(steps[0].title, "Call");

        let bad = NewPlaybook {
            name: String::new(),
            steps: vec![step(3, "A"), step(1, ""), step(400, "C")],
            trigger_stage_id: None,
        };
        let errors = bad.validate().err().unwrap_or_default();
        assert_eq!(errors.get("name"), Some(FieldError::Required));
        assert_eq!(errors.get("steps[1].title"), Some(FieldError::Required));
        assert_eq!(errors.get("steps[1].day_offset"), Some(FieldError::UnknownValue));
        assert_eq!(errors.get("steps[2].day_offset"), Some(FieldError::UnknownValue));

        let empty = NewPlaybook { name: "X".into(), steps: vec![], trigger_stage_id: None };
        assert_eq!(empty.validate().err().unwrap_or_default().get("steps"), Some(FieldError::Required));
    }

    #[test]
    fn step_time_defaults_to_nine() {
        let s: PlaybookStep = serde_json::from_str(r#"{"day_offset":2,"channel":"visit","title":"Drop by"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.time, nine());
        assert_eq!(s.channel, ActivityKind::Visit);
    }

    #[test]
    fn patch_tells_absent_from_null_trigger() {
        let p: PlaybookPatch = serde_json::from_str(r#"{"trigger_stage_id":null}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.trigger_stage_id, Some(None));
        let p: PlaybookPatch = serde_json::from_str("{}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.trigger_stage_id, None);
    }
}
