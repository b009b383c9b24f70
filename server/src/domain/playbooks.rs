//! Follow-up playbooks and their runs. Applying a playbook to a customer
//! (by hand, or when one of their deals enters the playbook's trigger stage)
//! turns every step into a reminder for the customer's owner. A run ends as
//! completed when its last step is done, or stopped — by hand or when its
//! deal is won or lost — which cancels the steps still open. Starting and
//! stopping are timeline events, written in the transaction of the change.

use super::audit::{self, Entry};
use super::customers::{ensure_visible, find_visible};
use super::recurrence::local_to_utc;
use super::reminders::{self, Draft};
use super::{Actor, new_id, now, timeline};
use crate::entity::{customer, deal, playbook, playbook_run, reminder, stage};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Days, Utc};
use rapport_shared::activity::ActivityKind;
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::playbook::{
    ApplyPlaybook, NewPlaybook, Playbook, PlaybookPatch, PlaybookRun, PlaybookStep, RunStatus, RunStep,
};
use rapport_shared::reminder::{Priority, ReminderSource, ReminderStatus};
use rapport_shared::timeline::Event;
use rapport_shared::validate::FieldError;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Why a run stopped.
pub const STOPPED_BY_USER: &str = "by_user";
pub const STOPPED_DEAL_WON: &str = "deal_won";
pub const STOPPED_DEAL_LOST: &str = "deal_lost";

fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.is_admin() { Ok(()) } else { Err(AppError::Forbidden("only an admin can change playbooks")) }
}

fn live(org_id: Uuid) -> Condition {
    Condition::all().add(playbook::Column::OrgId.eq(org_id)).add(playbook::Column::ArchivedAt.is_null())
}

async fn find_playbook(db: &impl ConnectionTrait, org_id: Uuid, id: Uuid) -> AppResult<playbook::Model> {
    playbook::Entity::find_by_id(id).filter(live(org_id)).one(db).await?.ok_or(AppError::NotFound)
}

fn steps_of(row: &playbook::Model) -> Vec<PlaybookStep> {
    serde_json::from_value(row.steps.clone()).unwrap_or_default()
}

fn to_dto(row: playbook::Model) -> Playbook {
    Playbook {
        steps: steps_of(&row),
        id: row.id,
        name: row.name,
        trigger_stage_id: row.trigger_stage_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// A trigger must be an open stage of the org: deals only enter those on their way.
async fn check_trigger(db: &impl ConnectionTrait, org_id: Uuid, stage_id: Option<Uuid>) -> AppResult<()> {
    let Some(id) = stage_id else { return Ok(()) };
    let found = stage::Entity::find_by_id(id).filter(stage::Column::OrgId.eq(org_id)).one(db).await?;
    match found {
        Some(s) if s.kind == "open" => Ok(()),
        _ => Err(AppError::field("trigger_stage_id", FieldError::UnknownValue)),
    }
}

fn json(steps: &[PlaybookStep]) -> AppResult<serde_json::Value> {
    serde_json::to_value(steps).map_err(|e| AppError::Internal(e.into()))
}

/// A change of the org's playbooks, for the audit log.
fn settings(actor: &Actor, id: Uuid) -> Entry {
    Entry::by(actor, AuditAction::SettingsChanged).target(AuditTarget::Playbook, id)
}

/// A playbook's settings as the audit log shows them.
fn audit_json(row: &playbook::Model) -> serde_json::Value {
    serde_json::json!({"name": row.name, "steps": row.steps, "trigger_stage_id": row.trigger_stage_id})
}

/// The org's playbooks, by name.
///
/// # Errors
/// Database failures.
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<Playbook>> {
    let rows = playbook::Entity::find().filter(live(actor.org_id)).order_by_asc(playbook::Column::Name).all(db).await?;
    Ok(rows.into_iter().map(to_dto).collect())
}

/// # Errors
/// `Forbidden` for non-admins; `Validation`; database failures.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewPlaybook) -> AppResult<Playbook> {
    require_admin(actor)?;
    let (name, steps) = input.validate().map_err(AppError::Validation)?;
    check_trigger(db, actor.org_id, input.trigger_stage_id).await?;
    let at = now();
    let row = playbook::ActiveModel {
        id: Set(new_id()),
        org_id: Set(actor.org_id),
        name: Set(name),
        steps: Set(json(&steps)?),
        trigger_stage_id: Set(input.trigger_stage_id),
        archived_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    let txn = super::begin_write(db).await?;
    let row = row.insert(&txn).await?;
    audit::record(&txn, settings(actor, row.id).after(audit_json(&row))).await?;
    txn.commit().await?;
    Ok(to_dto(row))
}

/// Changes apply to runs started afterwards; running ones keep their reminders.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation`; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: PlaybookPatch) -> AppResult<Playbook> {
    require_admin(actor)?;
    let (name, steps) = patch.validate().map_err(AppError::Validation)?;
    let row = find_playbook(db, actor.org_id, id).await?;
    if let Some(trigger) = patch.trigger_stage_id {
        check_trigger(db, actor.org_id, trigger).await?;
    }
    let before = audit_json(&row);
    let mut model = row.into_active_model();
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(steps) = steps {
        model.steps = Set(json(&steps)?);
    }
    if let Some(trigger) = patch.trigger_stage_id {
        model.trigger_stage_id = Set(trigger);
    }
    model.updated_at = Set(now());
    let txn = super::begin_write(db).await?;
    let row = model.update(&txn).await?;
    audit::record(&txn, settings(actor, id).change(before, audit_json(&row))).await?;
    txn.commit().await?;
    Ok(to_dto(row))
}

/// Archives a playbook: it can no longer be applied or triggered; runs in
/// progress keep their reminders.
///
/// # Errors
/// `Forbidden`; `NotFound`; database failures.
pub async fn archive(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    require_admin(actor)?;
    let txn = super::begin_write(db).await?;
    let row = find_playbook(&txn, actor.org_id, id).await?;
    let entry = settings(actor, id).before(serde_json::json!({"name": row.name, "archived": false}));
    let mut model = row.into_active_model();
    let at = now();
    model.archived_at = Set(Some(at));
    model.updated_at = Set(at);
    model.update(&txn).await?;
    audit::record(&txn, entry.after(serde_json::json!({"archived": true}))).await?;
    txn.commit().await?;
    Ok(())
}

/// Applies a playbook to a customer the actor can see.
///
/// # Errors
/// `NotFound` (customer); `Validation` (unknown playbook, or a deal not of
/// this customer); `Conflict` when the playbook already runs for the
/// customer; database failures.
pub async fn apply(
    db: &DatabaseConnection,
    actor: &Actor,
    customer_id: Uuid,
    input: ApplyPlaybook,
) -> AppResult<PlaybookRun> {
    let txn = super::begin_write(db).await?;
    let customer = find_visible(&txn, actor, customer_id).await?;
    let book = find_playbook(&txn, actor.org_id, input.playbook_id)
        .await
        .map_err(|_| AppError::field("playbook_id", FieldError::UnknownValue))?;
    if let Some(deal_id) = input.deal_id {
        let found = deal::Entity::find_by_id(deal_id)
            .filter(deal::Column::OrgId.eq(actor.org_id))
            .filter(deal::Column::CustomerId.eq(customer.id))
            .one(&txn)
            .await?;
        if found.is_none() {
            return Err(AppError::field("deal_id", FieldError::UnknownValue));
        }
    }
    if active_run(&txn, book.id, customer.id).await?.is_some() {
        return Err(AppError::Conflict {
            message: format!("“{}” is already running for this customer; stop it first", book.name),
            details: None,
        });
    }
    let run = start(&txn, actor.user_id, &book, &customer, input.deal_id, now()).await?;
    txn.commit().await?;
    get_run(db, run.id).await
}

async fn active_run(
    db: &impl ConnectionTrait,
    playbook_id: Uuid,
    customer_id: Uuid,
) -> AppResult<Option<playbook_run::Model>> {
    Ok(playbook_run::Entity::find()
        .filter(playbook_run::Column::PlaybookId.eq(playbook_id))
        .filter(playbook_run::Column::CustomerId.eq(customer_id))
        .filter(playbook_run::Column::Status.eq(RunStatus::Active.as_str()))
        .one(db)
        .await?)
}

/// When a step falls due: `day_offset` days after the start day, at the
/// step's time in the owner's time zone — never before `at` (a step for
/// "today 9:00" applied in the afternoon is due at once).
fn step_due(step: &PlaybookStep, at: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let start_day = at.with_timezone(&tz).date_naive();
    let day = start_day.checked_add_days(Days::new(u64::from(step.day_offset))).unwrap_or(start_day);
    std::cmp::max(local_to_utc(day.and_time(step.time), tz), at)
}

/// Starts a run: every step a reminder for the customer's owner.
async fn start(
    db: &impl ConnectionTrait,
    actor_id: Uuid,
    book: &playbook::Model,
    customer: &customer::Model,
    deal_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> AppResult<playbook_run::Model> {
    let run = playbook_run::ActiveModel {
        id: Set(new_id()),
        org_id: Set(customer.org_id),
        playbook_id: Set(book.id),
        customer_id: Set(customer.id),
        deal_id: Set(deal_id),
        started_by: Set(actor_id),
        status: Set(RunStatus::Active.as_str().to_owned()),
        stop_reason: Set(None),
        started_at: Set(at),
        ended_at: Set(None),
    }
    .insert(db)
    .await?;
    let tz = reminders::zone_of(db, customer.owner_id).await?;
    let steps = steps_of(book);
    for step in &steps {
        let draft = Draft {
            org_id: customer.org_id,
            assignee_id: customer.owner_id,
            customer_id: Some(customer.id),
            deal_id,
            title: step.title.clone(),
            note: step.script.clone(),
            due_at: step_due(step, at, tz),
            priority: Priority::Normal,
            recurrence: None,
            occurrence: 1,
            source: ReminderSource::Playbook,
            channel: Some(step.channel),
            activity_id: None,
            playbook_run_id: Some(run.id),
        };
        reminders::insert(db, actor_id, draft).await?;
    }
    let steps = u32::try_from(steps.len()).unwrap_or(u32::MAX);
    let event = Event::PlaybookStarted { run_id: run.id, playbook: book.name.clone(), steps };
    timeline::record(db, customer.org_id, customer.id, Some(actor_id), at, Some(run.id), &event).await?;
    Ok(run)
}

/// A deal entered a stage: start every playbook triggered by it that is not
/// already running for the customer. Runs in the deal's transaction.
///
/// # Errors
/// Database failures.
pub async fn on_stage_entered(db: &impl ConnectionTrait, actor_id: Uuid, row: &deal::Model) -> AppResult<()> {
    let books = playbook::Entity::find()
        .filter(live(row.org_id))
        .filter(playbook::Column::TriggerStageId.eq(row.stage_id))
        .all(db)
        .await?;
    if books.is_empty() {
        return Ok(());
    }
    let customer = customer::Entity::find_by_id(row.customer_id).one(db).await?.ok_or(AppError::NotFound)?;
    for book in &books {
        if active_run(db, book.id, customer.id).await?.is_none() {
            start(db, actor_id, book, &customer, Some(row.id), now()).await?;
        }
    }
    Ok(())
}

/// A deal was won or lost: the customer's active runs about that deal, or
/// about no deal in particular, stop. Runs in the deal's transaction.
///
/// # Errors
/// Database failures.
pub async fn on_deal_closed(db: &impl ConnectionTrait, actor_id: Uuid, row: &deal::Model, won: bool) -> AppResult<()> {
    let runs = playbook_run::Entity::find()
        .filter(playbook_run::Column::CustomerId.eq(row.customer_id))
        .filter(playbook_run::Column::Status.eq(RunStatus::Active.as_str()))
        .filter(
            Condition::any().add(playbook_run::Column::DealId.eq(row.id)).add(playbook_run::Column::DealId.is_null()),
        )
        .all(db)
        .await?;
    let reason = if won { STOPPED_DEAL_WON } else { STOPPED_DEAL_LOST };
    for run in runs {
        stop_run(db, Some(actor_id), run, reason).await?;
    }
    Ok(())
}

/// Stops a run by hand; stopping an ended run changes nothing.
///
/// # Errors
/// `NotFound` when the run or its customer is not visible; database failures.
pub async fn stop(db: &DatabaseConnection, actor: &Actor, run_id: Uuid) -> AppResult<PlaybookRun> {
    let txn = super::begin_write(db).await?;
    let run = playbook_run::Entity::find_by_id(run_id)
        .filter(playbook_run::Column::OrgId.eq(actor.org_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    ensure_visible(&txn, actor, run.customer_id).await?;
    if run.status == RunStatus::Active.as_str() {
        stop_run(&txn, Some(actor.user_id), run, STOPPED_BY_USER).await?;
    }
    txn.commit().await?;
    get_run(db, run_id).await
}

/// Cancels the open steps and records `playbook_stopped`.
async fn stop_run(
    db: &impl ConnectionTrait,
    actor_id: Option<Uuid>,
    run: playbook_run::Model,
    reason: &str,
) -> AppResult<()> {
    let at = now();
    let cancelled = reminder::Entity::update_many()
        .col_expr(reminder::Column::Status, Expr::value(ReminderStatus::Cancelled.as_str()))
        .col_expr(reminder::Column::NextAlertAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(reminder::Column::UpdatedAt, Expr::value(at))
        .filter(reminder::Column::PlaybookRunId.eq(run.id))
        .filter(reminder::Column::Status.eq(ReminderStatus::Open.as_str()))
        .exec(db)
        .await?
        .rows_affected;
    let name = playbook::Entity::find_by_id(run.playbook_id).one(db).await?.map(|p| p.name).unwrap_or_default();
    let (org_id, customer_id, run_id) = (run.org_id, run.customer_id, run.id);
    let mut model = run.into_active_model();
    model.status = Set(RunStatus::Stopped.as_str().to_owned());
    model.stop_reason = Set(Some(reason.to_owned()));
    model.ended_at = Set(Some(at));
    model.update(db).await?;
    let event = Event::PlaybookStopped {
        run_id,
        playbook: name,
        reason: reason.to_owned(),
        cancelled_steps: u32::try_from(cancelled).unwrap_or(u32::MAX),
    };
    timeline::record(db, org_id, customer_id, actor_id, at, Some(run_id), &event).await
}

/// A step of `run_id` was completed: the run completes with its last open step.
///
/// # Errors
/// Database failures.
pub async fn on_step_done(db: &impl ConnectionTrait, run_id: Uuid) -> AppResult<()> {
    let open = reminder::Entity::find()
        .filter(reminder::Column::PlaybookRunId.eq(run_id))
        .filter(reminder::Column::Status.eq(ReminderStatus::Open.as_str()))
        .one(db)
        .await?;
    if open.is_none() {
        playbook_run::Entity::update_many()
            .col_expr(playbook_run::Column::Status, Expr::value(RunStatus::Completed.as_str()))
            .col_expr(playbook_run::Column::EndedAt, Expr::value(now()))
            .filter(playbook_run::Column::Id.eq(run_id))
            .filter(playbook_run::Column::Status.eq(RunStatus::Active.as_str()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The runs of a customer the actor can see, newest first, with their steps.
///
/// # Errors
/// `NotFound`; database failures.
pub async fn runs_of_customer(
    db: &DatabaseConnection,
    actor: &Actor,
    customer_id: Uuid,
) -> AppResult<Vec<PlaybookRun>> {
    ensure_visible(db, actor, customer_id).await?;
    let runs = playbook_run::Entity::find()
        .filter(playbook_run::Column::OrgId.eq(actor.org_id))
        .filter(playbook_run::Column::CustomerId.eq(customer_id))
        .order_by_desc(playbook_run::Column::StartedAt)
        .all(db)
        .await?;
    to_runs(db, runs).await
}

async fn get_run(db: &impl ConnectionTrait, id: Uuid) -> AppResult<PlaybookRun> {
    let run = playbook_run::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    to_runs(db, vec![run]).await?.pop().ok_or(AppError::NotFound)
}

/// Runs → API shape: playbook names and steps in two queries.
async fn to_runs(db: &impl ConnectionTrait, runs: Vec<playbook_run::Model>) -> AppResult<Vec<PlaybookRun>> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let names: HashMap<Uuid, String> = playbook::Entity::find()
        .filter(playbook::Column::Id.is_in(runs.iter().map(|r| r.playbook_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut steps: HashMap<Uuid, Vec<RunStep>> = HashMap::new();
    let reminders = reminder::Entity::find()
        .filter(reminder::Column::PlaybookRunId.is_in(runs.iter().map(|r| r.id)))
        .order_by_asc(reminder::Column::DueAt)
        .order_by_asc(reminder::Column::Id)
        .all(db)
        .await?;
    for r in reminders {
        let Some(run_id) = r.playbook_run_id else { continue };
        steps.entry(run_id).or_default().push(RunStep {
            reminder_id: r.id,
            title: r.title,
            channel: r.channel.as_deref().and_then(ActivityKind::parse),
            due_at: r.due_at,
            status: ReminderStatus::parse(&r.status).unwrap_or(ReminderStatus::Open),
        });
    }
    Ok(runs
        .into_iter()
        .map(|r| PlaybookRun {
            playbook_name: names.get(&r.playbook_id).cloned().unwrap_or_default(),
            steps: steps.remove(&r.id).unwrap_or_default(),
            status: RunStatus::parse(&r.status).unwrap_or(RunStatus::Active),
            id: r.id,
            playbook_id: r.playbook_id,
            customer_id: r.customer_id,
            deal_id: r.deal_id,
            stop_reason: r.stop_reason,
            started_at: r.started_at,
            ended_at: r.ended_at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::recurrence::zone;
    use super::*;
    use chrono::{NaiveTime, TimeZone};

    #[test]
    fn steps_fall_on_local_days_and_never_in_the_past() {
        let tz = zone("Europe/Berlin");
        // 2026-03-27 15:00 Berlin (UTC+1); the clocks go forward on the 29th.
        let at = Utc.with_ymd_and_hms(2026, 3, 27, 14, 0, 0).single().unwrap_or_default();
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
        let step = |day_offset| PlaybookStep {
            day_offset,
            time: nine,
            channel: ActivityKind::Call,
            title: "Call".into(),
            script: None,
        };
        assert_eq!(step_due(&step(0), at, tz), at, "today 9:00 has passed: due at once");
        assert_eq!(step_due(&step(1), at, tz), Utc.with_ymd_and_hms(2026, 3, 28, 8, 0, 0).single().unwrap_or_default());
        // After the change to summer time 9:00 is 07:00 UTC.
        assert_eq!(step_due(&step(3), at, tz), Utc.with_ymd_and_hms(2026, 3, 30, 7, 0, 0).single().unwrap_or_default());
    }
}
