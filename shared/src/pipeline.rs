//! Sales pipelines, their stages, deals and stage history.

use crate::customer::UserRef;
use crate::double_option;
use crate::validate::{FieldError, FieldErrors, optional_text, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_STAGES: usize = 30;

crate::string_enum! {
    /// Open stages hold deals in progress; a deal entering a won or lost stage is closed.
    StageKind { Open = "open", Won = "won", Lost = "lost" }
}

crate::string_enum! {
    /// Where a deal stands overall.
    DealStatus { Open = "open", Won = "won", Lost = "lost" }
}

/// A stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stage {
    pub id: Uuid,
    pub pipeline_id: Uuid,
    pub name: String,
    pub position: i32,
    /// Win probability, 0–100.
    pub probability: i32,
    /// A deal idle in this stage longer than this is flagged.
    pub rotting_days: Option<i32>,
    pub kind: StageKind,
}

/// A pipeline with its stages in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pipeline {
    pub id: Uuid,
    pub name: String,
    pub stages: Vec<Stage>,
}

/// `POST /api/v1/pipelines`: a pipeline, with the default stages unless given.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPipeline {
    pub name: String,
    #[serde(default)]
    pub stages: Option<Vec<NewStage>>,
}

/// `PATCH /api/v1/pipelines/{id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PipelinePatch {
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/v1/pipelines/{id}/stages`: appended at the end of the open stages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewStage {
    pub name: String,
    #[serde(default)]
    pub probability: Option<i32>,
    #[serde(default)]
    pub rotting_days: Option<i32>,
    #[serde(default)]
    pub kind: Option<StageKind>,
}

/// `PATCH /api/v1/stages/{id}`: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StagePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub probability: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    pub rotting_days: Option<Option<i32>>,
    #[serde(default)]
    pub kind: Option<StageKind>,
}

/// `POST /api/v1/pipelines/{id}/stages/reorder`: every stage id, in the new order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReorderStages {
    pub stage_ids: Vec<Uuid>,
}

/// A stage's fields after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFields {
    pub name: String,
    pub probability: i32,
    pub rotting_days: Option<i32>,
    pub kind: StageKind,
}

impl NewStage {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<StageFields, FieldErrors> {
        let kind = self.kind.unwrap_or(StageKind::Open);
        let base = StageFields {
            name: String::new(),
            probability: match kind {
                StageKind::Won => 100,
                StageKind::Lost => 0,
                StageKind::Open => 50,
            },
            rotting_days: None,
            kind,
        };
        StagePatch {
            name: Some(self.name.clone()),
            probability: self.probability,
            rotting_days: Some(self.rotting_days),
            kind: Some(kind),
        }
        .apply(&base)
    }
}

impl StagePatch {
    /// # Errors
    /// Every rejected field; `current` is untouched then.
    pub fn apply(&self, current: &StageFields) -> Result<StageFields, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut next = current.clone();
        if let Some(name) = &self.name {
            next.name = e.check("name", required_text(name, 120)).unwrap_or_default();
        }
        if let Some(p) = self.probability {
            if !(0..=100).contains(&p) {
                e.add("probability", FieldError::UnknownValue);
            }
            next.probability = p;
        }
        if let Some(days) = self.rotting_days {
            if days.is_some_and(|d| !(1..=3650).contains(&d)) {
                e.add("rotting_days", FieldError::UnknownValue);
            }
            next.rotting_days = days;
        }
        if let Some(kind) = self.kind {
            next.kind = kind;
        }
        e.into_result(next)
    }
}

/// The stages a new pipeline gets: lead → contacted → needs analysis →
/// proposal → negotiation → won / lost.
pub fn default_stages() -> Vec<StageFields> {
    [
        ("Lead", 10, Some(14), StageKind::Open),
        ("Contacted", 20, Some(14), StageKind::Open),
        ("Needs analysis", 40, Some(21), StageKind::Open),
        ("Proposal", 60, Some(21), StageKind::Open),
        ("Negotiation", 80, Some(14), StageKind::Open),
        ("Won", 100, None, StageKind::Won),
        ("Lost", 0, None, StageKind::Lost),
    ]
    .into_iter()
    .map(|(name, probability, rotting_days, kind)| StageFields { name: name.into(), probability, rotting_days, kind })
    .collect()
}

/// Reasons a deal may be lost, until the org edits them.
pub const DEFAULT_LOST_REASONS: &[&str] = &["Price", "Competitor", "No budget", "No response", "Timing", "Other"];

/// A deal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deal {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub title: String,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    /// Integer minor units (cents, fen) of `currency`.
    pub amount_minor: Option<i64>,
    /// ISO 4217, e.g. `CNY`, `EUR`.
    pub currency: String,
    pub expected_close: Option<NaiveDate>,
    pub notes: Option<String>,
    pub owner: UserRef,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    /// Incremented by every change; send it back as `expected_version` to move safely.
    pub version: i32,
    /// Order within the stage (ascending).
    pub rank: i64,
    pub stage_entered_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/deals`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDeal {
    pub customer_id: Uuid,
    pub title: String,
    /// Defaults to the org's first pipeline.
    #[serde(default)]
    pub pipeline_id: Option<Uuid>,
    /// Defaults to the pipeline's first stage.
    #[serde(default)]
    pub stage_id: Option<Uuid>,
    #[serde(default)]
    pub amount_minor: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub expected_close: Option<NaiveDate>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// `PATCH /api/v1/deals/{id}`: absent fields stay, `null` clears. Stage
/// changes go through `move`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DealPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub amount_minor: Option<Option<i64>>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub expected_close: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
}

/// `POST /api/v1/deals/{id}/move`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveDeal {
    pub stage_id: Uuid,
    /// The `version` the client saw; a different current version is a 409.
    #[serde(default)]
    pub expected_version: Option<i32>,
    /// Place the deal right after this deal of the target stage (else at its end).
    #[serde(default)]
    pub rank_after: Option<Uuid>,
    /// Sets the amount as part of the move (winning needs one).
    #[serde(default)]
    pub amount_minor: Option<i64>,
    /// Required when the target stage is a lost stage.
    #[serde(default)]
    pub lost_reason: Option<String>,
}

/// Query of `GET /api/v1/deals`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct DealQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Uuid>,
    /// Only deals owned by members of this team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DealStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Uuid>,
    /// Expected to close in this month, `YYYY-MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_month: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One stay of a deal in a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageVisit {
    pub stage_id: Uuid,
    pub stage_name: String,
    pub entered_at: DateTime<Utc>,
    pub entered_by: UserRef,
    pub left_at: Option<DateTime<Utc>>,
    /// Seconds spent in the stage (until now for the current stage).
    pub duration_secs: i64,
}

/// A deal with its stage history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DealDetail {
    pub deal: Deal,
    pub history: Vec<StageVisit>,
}

/// One column of the pipeline board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardColumn {
    pub stage: Stage,
    /// Deals in the stage (all of them, not only the cards shown).
    pub count: u64,
    /// Sum of `amount_minor` of those deals.
    pub total_minor: i64,
    /// `total_minor` × the stage's win probability.
    pub weighted_minor: i64,
    /// The first cards in rank order; more with `GET /deals?stage=…&cursor=`.
    pub cards: Vec<Deal>,
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/pipelines/{id}/board`: every stage's figures and first cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    pub pipeline: Pipeline,
    pub columns: Vec<BoardColumn>,
    /// The org's reasons for lost deals (the lose dialog offers them).
    pub lost_reasons: Vec<String>,
    /// Open deals by expected-close month (the owner filter applies, the
    /// month filter does not), earliest first; deals without a date last.
    pub forecast: Vec<ForecastMonth>,
}

/// Open and weighted amounts of the open deals expected to close in a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForecastMonth {
    /// `YYYY-MM`; `null` for deals without an expected close date.
    pub month: Option<String>,
    pub count: u64,
    pub open_minor: i64,
    pub weighted_minor: i64,
}

/// Query of the board.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// Only this owner's deals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Uuid>,
    /// Only deals owned by members of this team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Uuid>,
    /// Only deals expected to close in this month, `YYYY-MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_month: Option<String>,
    /// Cards per column (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// A month `YYYY-MM` as its first day and the first day of the next month.
///
/// # Errors
/// `UnknownValue` for anything else.
pub fn month_range(raw: &str) -> Result<(NaiveDate, NaiveDate), FieldError> {
    let bad = FieldError::UnknownValue;
    let (y, m) = raw.trim().split_once('-').ok_or(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad);
    }
    let (year, month) = (y.parse::<i32>().map_err(|_| bad)?, m.parse::<u32>().map_err(|_| bad)?);
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or(bad)?;
    let next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    Ok((first, next.ok_or(bad)?))
}

/// A deal's editable fields after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct DealFields {
    pub title: String,
    pub amount_minor: Option<i64>,
    pub currency: String,
    pub expected_close: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// An ISO 4217-shaped currency code: three ASCII letters, upper-cased.
///
/// # Errors
/// `UnknownValue` otherwise.
pub fn currency(raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(FieldError::UnknownValue)
    }
}

impl NewDeal {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<DealFields, FieldErrors> {
        let base = DealFields {
            title: String::new(),
            amount_minor: None,
            currency: "CNY".into(),
            expected_close: None,
            notes: None,
        };
        DealPatch {
            title: Some(self.title.clone()),
            amount_minor: Some(self.amount_minor),
            currency: self.currency.clone(),
            expected_close: Some(self.expected_close),
            notes: Some(self.notes.clone()),
        }
        .apply(&base)
    }
}

impl DealPatch {
    /// # Errors
    /// Every rejected field; `current` is untouched then.
    pub fn apply(&self, current: &DealFields) -> Result<DealFields, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut next = current.clone();
        if let Some(title) = &self.title {
            next.title = e.check("title", required_text(title, 200)).unwrap_or_default();
        }
        if let Some(amount) = self.amount_minor {
            if amount.is_some_and(|a| a < 0) {
                e.add("amount_minor", FieldError::UnknownValue);
            }
            next.amount_minor = amount;
        }
        if let Some(code) = &self.currency {
            next.currency = e.check("currency", currency(code)).unwrap_or_default();
        }
        if let Some(close) = self.expected_close {
            next.expected_close = close;
        }
        if let Some(notes) = &self.notes {
            next.notes = e.check("notes", optional_text(notes.as_deref(), 4000)).flatten();
        }
        e.into_result(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_pipeline_ends_in_won_and_lost() {
        let stages = default_stages();
        assert_eq!(stages.len(), 7);
        assert_eq!(stages[0].name, "Lead");
        assert_eq!(stages[5].kind, StageKind::Won);
        assert_eq!(stages[6].kind, StageKind::Lost);
    }

    #[test]
    fn stage_rules() {
        let bad = NewStage { name: " ".into(), probability: Some(120), rotting_days: Some(0), kind: None };
        let e = bad.validate().err().unwrap_or_default();
        assert!(e.get("name").is_some() && e.get("probability").is_some() && e.get("rotting_days").is_some());
        let won = NewStage { name: "Signed".into(), probability: None, rotting_days: None, kind: Some(StageKind::Won) };
        assert_eq!(won.validate().map(|s| s.probability), Ok(100));
    }

    #[test]
    fn months() {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        assert_eq!(month_range("2026-12"), Ok((d(2026, 12), d(2027, 1))));
        assert_eq!(month_range("2027-02"), Ok((d(2027, 2), d(2027, 3))));
        for bad in ["2026", "2026-13", "2026-00", "x-01", "2026-1-1", ""] {
            assert!(month_range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deal_rules() {
        assert_eq!(currency(" eur "), Ok("EUR".into()));
        assert!(currency("EURO").is_err() && currency("€").is_err());
        let bad = NewDeal {
            customer_id: Uuid::nil(),
            title: "".into(),
            pipeline_id: None,
            stage_id: None,
            amount_minor: Some(-1),
            currency: Some("x".into()),
            expected_close: None,
            notes: None,
        };
        let e = bad.validate().err().unwrap_or_default();
        assert!(e.get("title").is_some() && e.get("amount_minor").is_some() && e.get("currency").is_some());
    }
}
