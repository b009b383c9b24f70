//! Reminders: follow-up tasks with a due time in the assignee's time zone,
//! snooze, recurrence, and completion that can log the activity it was about.
//! Creating, completing, snoozing and cancelling are timeline events of the
//! reminder's customer, written in the same transaction as the change.
//!
//! Alerts: `next_alert_at` is when the scheduler must next look at a
//! reminder — its (snoozed) due time for the "due" notification, then the end
//! of its local due day for "overdue". Any change of timing re-arms it.

use super::customers::find_visible;
use super::recurrence::{local_day_bounds, local_to_utc, next_due, zone};
use super::{Actor, activities, new_id, now, timeline};
use crate::entity::{customer, deal, notification, reminder, user};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SubsecRound, Utc};
use chrono_tz::Tz;
use rapport_shared::activity::{ActivityKind, NewActivity};
use rapport_shared::customer::UserRef;
use rapport_shared::page::clamp_limit;
use rapport_shared::reminder::{
    CustomerRef, DueTime, NewReminder, Priority, Recurrence, Reminder, ReminderCounts, ReminderPatch, ReminderQuery,
    ReminderSource, ReminderStatus,
};
use rapport_shared::timeline::Event;
use rapport_shared::validate::FieldError;
use rapport_shared::{Cursor, Page};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    IntoActiveModel, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, SelectModel, Selector,
    Set,
};
use uuid::Uuid;

/// The list the reminder cursors belong to.
const LIST: &str = "reminders";

/// The time a reminder next asks for attention: its snooze end when set.
pub const EFFECTIVE_DUE: &str = "COALESCE(snoozed_until, due_at)";

/// A reminder about to be written, whoever creates it (a person, an
/// activity's follow-up, a playbook step).
pub struct Draft {
    pub org_id: Uuid,
    pub assignee_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub title: String,
    pub note: Option<String>,
    pub due_at: DateTime<Utc>,
    pub priority: Priority,
    pub recurrence: Option<Recurrence>,
    pub occurrence: i32,
    pub source: ReminderSource,
    /// How to reach out, when the reminder says (playbook steps do).
    pub channel: Option<ActivityKind>,
    pub activity_id: Option<Uuid>,
    pub playbook_run_id: Option<Uuid>,
}

/// The reminders `actor` may see: their org, and assignees they may see.
fn visible(actor: &Actor) -> Condition {
    Condition::all().add(reminder::Column::OrgId.eq(actor.org_id)).add(actor.sees_owner(reminder::Column::AssigneeId))
}

async fn find_visible_reminder(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<reminder::Model> {
    reminder::Entity::find_by_id(id).filter(visible(actor)).one(db).await?.ok_or(AppError::NotFound)
}

/// The time zone a user enters and reads times in.
pub async fn zone_of(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Tz> {
    let user = user::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(zone(&user.time_zone))
}

/// An instant, or a wall-clock time read in `tz`.
pub fn resolve(due: DueTime, tz: Tz) -> DateTime<Utc> {
    match due {
        DueTime::At(at) => at.trunc_subsecs(6),
        DueTime::Local(local) => local_to_utc(local, tz),
    }
}

/// Re-arms the alerts after a change of timing or status.
fn arm(model: &mut reminder::ActiveModel, status: ReminderStatus, effective_due: DateTime<Utc>, tz: Tz) {
    let open = status == ReminderStatus::Open;
    model.due_notified_at = Set(None);
    model.overdue_at = Set(open.then(|| local_day_bounds(effective_due, tz).1));
    model.next_alert_at = Set(open.then_some(effective_due));
}

/// Writes a reminder and its `reminder_created` event.
///
/// # Errors
/// Database failures.
pub async fn insert(db: &impl ConnectionTrait, created_by: Uuid, draft: Draft) -> AppResult<reminder::Model> {
    let tz = zone_of(db, draft.assignee_id).await?;
    let at = now();
    let mut model = reminder::ActiveModel {
        id: Set(new_id()),
        org_id: Set(draft.org_id),
        assignee_id: Set(draft.assignee_id),
        customer_id: Set(draft.customer_id),
        deal_id: Set(draft.deal_id),
        title: Set(draft.title),
        note: Set(draft.note),
        due_at: Set(draft.due_at),
        snoozed_until: Set(None),
        priority: Set(draft.priority.as_str().to_owned()),
        status: Set(ReminderStatus::Open.as_str().to_owned()),
        recurrence: Set(draft.recurrence.map(serde_json::to_value).transpose().map_err(anyhow::Error::from)?),
        occurrence: Set(draft.occurrence),
        source: Set(draft.source.as_str().to_owned()),
        activity_id: Set(draft.activity_id),
        playbook_run_id: Set(draft.playbook_run_id),
        channel: Set(draft.channel.map(|c| c.as_str().to_owned())),
        created_by: Set(created_by),
        completed_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    arm(&mut model, ReminderStatus::Open, draft.due_at, tz);
    let row = model.insert(db).await?;
    if let Some(customer_id) = row.customer_id {
        let names = timeline::user_names(db, [row.assignee_id]).await?;
        let event = Event::ReminderCreated {
            reminder_id: row.id,
            title: row.title.clone(),
            due_at: row.due_at,
            assignee: UserRef { id: row.assignee_id, name: names.get(&row.assignee_id).cloned().unwrap_or_default() },
        };
        timeline::record(db, row.org_id, customer_id, Some(created_by), at, Some(row.id), &event).await?;
    }
    Ok(row)
}

/// Checks that `assignee_id` may receive a reminder from `actor`: oneself, or
/// an active user whose records the actor sees (a manager's team, an admin's org).
async fn check_assignee(db: &impl ConnectionTrait, actor: &Actor, assignee_id: Uuid) -> AppResult<()> {
    if assignee_id == actor.user_id {
        return Ok(());
    }
    let ok = user::Entity::find_by_id(assignee_id)
        .filter(user::Column::OrgId.eq(actor.org_id))
        .filter(user::Column::Active.eq(true))
        .filter(actor.sees_owner(user::Column::Id))
        .one(db)
        .await?
        .is_some();
    if ok { Ok(()) } else { Err(AppError::field("assignee_id", FieldError::UnknownValue)) }
}

/// Creates a reminder on behalf of `actor`.
///
/// # Errors
/// `Validation` for fields, an unknown assignee, customer or deal; database failures.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewReminder) -> AppResult<Reminder> {
    let text = input.validate().map_err(AppError::Validation)?;
    let txn = super::begin_write(db).await?;
    let assignee_id = input.assignee_id.unwrap_or(actor.user_id);
    check_assignee(&txn, actor, assignee_id).await?;
    let customer = match input.customer_id {
        Some(id) => Some(find_visible(&txn, actor, id).await.map_err(|e| unknown_if_missing(e, "customer_id"))?),
        None => None,
    };
    if let Some(deal_id) = input.deal_id {
        let found = deal::Entity::find_by_id(deal_id)
            .filter(deal::Column::OrgId.eq(actor.org_id))
            .filter(actor.sees_owner(deal::Column::OwnerId))
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::field("deal_id", FieldError::UnknownValue))?;
        if customer.as_ref().is_some_and(|c| c.id != found.customer_id) {
            return Err(AppError::field("deal_id", FieldError::UnknownValue));
        }
    }
    let tz = zone_of(&txn, assignee_id).await?;
    let draft = Draft {
        org_id: actor.org_id,
        assignee_id,
        customer_id: customer.map(|c| c.id),
        deal_id: input.deal_id,
        title: text.title,
        note: text.note,
        due_at: resolve(input.due, tz),
        priority: input.priority.unwrap_or(Priority::Normal),
        recurrence: input.recurrence,
        occurrence: 1,
        source: ReminderSource::Manual,
        channel: None,
        activity_id: None,
        playbook_run_id: None,
    };
    let row = insert(&txn, actor.user_id, draft).await?;
    txn.commit().await?;
    get(db, actor, row.id).await
}

fn unknown_if_missing(e: AppError, field: &str) -> AppError {
    match e {
        AppError::NotFound => AppError::field(field, FieldError::UnknownValue),
        other => other,
    }
}

/// One visible reminder.
///
/// # Errors
/// `NotFound`; database failures.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<Reminder> {
    let select = reminder::Entity::find_by_id(id).filter(visible(actor));
    with_names(select).one(db).await?.map(to_dto).ok_or(AppError::NotFound)
}

/// The query of a reminder list page, in order, without its limit.
///
/// # Errors
/// `BadRequest` for a bad cursor or assignee.
fn list_select(actor: &Actor, query: &ReminderQuery) -> AppResult<Select<reminder::Entity>> {
    let assignee = match query.assignee.as_deref() {
        None => None,
        Some("me") => Some(actor.user_id),
        Some(raw) => {
            Some(Uuid::parse_str(raw).map_err(|_| AppError::BadRequest("assignee must be `me` or a user id".into()))?)
        }
    };
    let mut select = reminder::Entity::find()
        .filter(reminder::Column::OrgId.eq(actor.org_id))
        .filter(actor.sees_owner_narrowed(reminder::Column::AssigneeId, assignee));
    // Overdue ones are open; the status is said once (see `sees_owner_narrowed`).
    let mut status = query.status;
    if query.overdue == Some(true) {
        select = select.filter(Expr::cust(EFFECTIVE_DUE).lt(now()));
        if status.is_some_and(|s| s != ReminderStatus::Open) {
            select = select.filter(Condition::any());
        }
        status = Some(ReminderStatus::Open);
    }
    if let Some(status) = status {
        select = select.filter(reminder::Column::Status.eq(status.as_str()));
    }
    if let Some(before) = query.due_before {
        select = select.filter(Expr::cust(EFFECTIVE_DUE).lt(before));
    }
    if let Some(after) = query.due_after {
        select = select.filter(Expr::cust(EFFECTIVE_DUE).gte(after));
    }
    if let Some(customer) = query.customer {
        select = select.filter(reminder::Column::CustomerId.eq(customer));
    }
    if let Some(raw) = &query.cursor {
        let bad = || AppError::BadRequest("cursor is not valid".into());
        let cursor = Cursor::decode(raw, LIST).ok_or_else(bad)?;
        let key: DateTime<Utc> = cursor.key.parse().map_err(|_| bad())?;
        select = select.filter(
            Condition::any()
                .add(Expr::cust(EFFECTIVE_DUE).gt(key))
                .add(Condition::all().add(Expr::cust(EFFECTIVE_DUE).eq(key)).add(reminder::Column::Id.gt(cursor.id))),
        );
    }
    Ok(select.order_by_asc(Expr::cust(EFFECTIVE_DUE)).order_by_asc(reminder::Column::Id))
}

/// A page of visible reminders, earliest (snoozed) due first.
///
/// # Errors
/// `BadRequest` for a bad cursor or assignee; database failures.
pub async fn list(db: &DatabaseConnection, actor: &Actor, query: ReminderQuery) -> AppResult<Page<Reminder>> {
    let limit = clamp_limit(query.limit.map(u64::from));
    let mut rows = with_names(list_select(actor, &query)?.limit(limit + 1)).all(db).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| Cursor::new(LIST, effective_due(&r.row).to_rfc3339(), r.row.id).encode())
    } else {
        None
    };
    Ok(Page { items: rows.into_iter().map(to_dto).collect(), next_cursor })
}

/// The due time, or the snooze end when later.
pub fn effective_due(row: &reminder::Model) -> DateTime<Utc> {
    row.snoozed_until.map_or(row.due_at, |s| std::cmp::max(s, row.due_at))
}

/// Edits, snoozes, completes (optionally logging the activity, and creating
/// the next occurrence of a recurring reminder), cancels or reopens.
///
/// # Errors
/// `NotFound`; `Validation`; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: ReminderPatch) -> AppResult<Reminder> {
    patch.validate().map_err(AppError::Validation)?;
    let txn = super::begin_write(db).await?;
    let row = find_visible_reminder(&txn, actor, id).await?;
    let assignee_id = patch.assignee_id.unwrap_or(row.assignee_id);
    if assignee_id != row.assignee_id {
        check_assignee(&txn, actor, assignee_id).await?;
    }
    let tz = zone_of(&txn, assignee_id).await?;
    let at = now();
    let old_status = ReminderStatus::parse(&row.status).unwrap_or(ReminderStatus::Open);
    let status = patch.status.unwrap_or(old_status);
    let mut model = row.clone().into_active_model();
    if let Some(title) = &patch.title {
        model.title = Set(title.trim().to_owned());
    }
    if let Some(note) = &patch.note {
        model.note = Set(note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned));
    }
    if let Some(p) = patch.priority {
        model.priority = Set(p.as_str().to_owned());
    }
    if let Some(rule) = &patch.recurrence {
        model.recurrence = Set(rule.as_ref().map(serde_json::to_value).transpose().map_err(anyhow::Error::from)?);
    }
    model.assignee_id = Set(assignee_id);
    let due_at = patch.due.map_or(row.due_at, |d| resolve(d, tz));
    model.due_at = Set(due_at);
    let snoozed_until = match patch.snoozed_until {
        Some(Some(until)) if until <= at => return Err(AppError::field("snoozed_until", FieldError::UnknownValue)),
        Some(s) => s.map(|u| u.trunc_subsecs(6)),
        None if patch.due.is_some() => None,
        None => row.snoozed_until,
    };
    model.snoozed_until = Set(snoozed_until);
    let timing_changed = due_at != row.due_at || snoozed_until != row.snoozed_until || status != old_status;
    if timing_changed {
        arm(&mut model, status, snoozed_until.map_or(due_at, |s| std::cmp::max(s, due_at)), tz);
    }
    model.status = Set(status.as_str().to_owned());
    model.completed_at = Set((status == ReminderStatus::Done).then(|| row.completed_at.unwrap_or(at)));
    model.updated_at = Set(at);
    let updated = model.update(&txn).await?;

    let customer = match updated.customer_id {
        Some(cid) => customer::Entity::find_by_id(cid).one(&txn).await?,
        None => None,
    };
    if let Some(c) = &customer {
        let event = match (status, old_status) {
            (ReminderStatus::Done, s) if s != ReminderStatus::Done => {
                Some(Event::ReminderCompleted { reminder_id: id, title: updated.title.clone() })
            }
            (ReminderStatus::Cancelled, s) if s != ReminderStatus::Cancelled => {
                Some(Event::ReminderCancelled { reminder_id: id, title: updated.title.clone() })
            }
            _ => match (patch.snoozed_until, snoozed_until) {
                (Some(_), Some(until)) => {
                    Some(Event::ReminderSnoozed { reminder_id: id, title: updated.title.clone(), until })
                }
                _ => None,
            },
        };
        if let Some(event) = event {
            timeline::record(&txn, c.org_id, c.id, Some(actor.user_id), at, Some(id), &event).await?;
        }
    }
    if status == ReminderStatus::Done && old_status != ReminderStatus::Done {
        if let Some(input) = patch.log_activity {
            let customer = customer.ok_or_else(|| AppError::field("log_activity", FieldError::UnknownValue))?;
            log_activity(&txn, actor, &customer, input).await?;
        }
        schedule_next(&txn, actor, &updated, tz).await?;
        if let Some(run_id) = updated.playbook_run_id {
            super::playbooks::on_step_done(&txn, run_id).await?;
        }
    }
    txn.commit().await?;
    get(db, actor, id).await
}

/// The activity a completed reminder was about, on its customer.
async fn log_activity(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer: &customer::Model,
    input: NewActivity,
) -> AppResult<()> {
    let fields = input.validate(now()).map_err(|e| {
        let mut prefixed = rapport_shared::validate::FieldErrors::default();
        for (field, err) in e.0 {
            prefixed.add(format!("log_activity.{field}"), err);
        }
        AppError::Validation(prefixed)
    })?;
    if input.contact_id.is_some() {
        return Err(AppError::field("log_activity.contact_id", FieldError::UnknownValue));
    }
    activities::insert(db, actor.user_id, customer, None, &fields).await?;
    Ok(())
}

/// The next occurrence of a completed recurring reminder, if its rule goes on.
async fn schedule_next(db: &impl ConnectionTrait, actor: &Actor, done: &reminder::Model, tz: Tz) -> AppResult<()> {
    let Some(rule) = done.recurrence.clone().and_then(|v| serde_json::from_value::<Recurrence>(v).ok()) else {
        return Ok(());
    };
    let Some(due_at) = next_due(&rule, done.due_at, u32::try_from(done.occurrence).unwrap_or(1), tz) else {
        return Ok(());
    };
    let draft = Draft {
        org_id: done.org_id,
        assignee_id: done.assignee_id,
        customer_id: done.customer_id,
        deal_id: done.deal_id,
        title: done.title.clone(),
        note: done.note.clone(),
        due_at,
        priority: Priority::parse(&done.priority).unwrap_or(Priority::Normal),
        recurrence: Some(rule),
        occurrence: done.occurrence + 1,
        source: ReminderSource::parse(&done.source).unwrap_or(ReminderSource::Manual),
        channel: done.channel.as_deref().and_then(ActivityKind::parse),
        activity_id: None,
        playbook_run_id: done.playbook_run_id,
    };
    insert(db, actor.user_id, draft).await?;
    Ok(())
}

/// Cancels a reminder (it stays, as cancelled, on the timeline).
///
/// # Errors
/// `NotFound`; database failures.
pub async fn cancel(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let patch = ReminderPatch { status: Some(ReminderStatus::Cancelled), ..ReminderPatch::default() };
    update(db, actor, id, patch).await.map(|_| ())
}

/// The follow-up an activity asks for, as a reminder for the customer's
/// owner; a changed follow-up moves its open reminder, a cleared one cancels it.
///
/// # Errors
/// Database failures.
pub async fn follow_up(
    db: &impl ConnectionTrait,
    actor_id: Uuid,
    customer: &customer::Model,
    activity_id: Uuid,
    at: Option<DateTime<Utc>>,
) -> AppResult<()> {
    let existing = reminder::Entity::find()
        .filter(reminder::Column::ActivityId.eq(activity_id))
        .filter(reminder::Column::Status.eq(ReminderStatus::Open.as_str()))
        .one(db)
        .await?;
    match (existing, at) {
        (None, None) => Ok(()),
        (None, Some(due_at)) => {
            let draft = Draft {
                org_id: customer.org_id,
                assignee_id: customer.owner_id,
                customer_id: Some(customer.id),
                deal_id: None,
                title: format!("Follow up: {}", customer.name),
                note: None,
                due_at,
                priority: Priority::Normal,
                recurrence: None,
                occurrence: 1,
                source: ReminderSource::FollowUp,
                channel: None,
                activity_id: Some(activity_id),
                playbook_run_id: None,
            };
            insert(db, actor_id, draft).await.map(|_| ())
        }
        (Some(row), Some(due_at)) if row.due_at == due_at => Ok(()),
        (Some(row), next) => {
            let tz = zone_of(db, row.assignee_id).await?;
            let status = if next.is_some() { ReminderStatus::Open } else { ReminderStatus::Cancelled };
            let mut model = row.clone().into_active_model();
            model.due_at = Set(next.unwrap_or(row.due_at));
            model.snoozed_until = Set(None);
            model.status = Set(status.as_str().to_owned());
            model.updated_at = Set(now());
            arm(&mut model, status, next.unwrap_or(row.due_at), tz);
            model.update(db).await?;
            if status == ReminderStatus::Cancelled {
                let event = Event::ReminderCancelled { reminder_id: row.id, title: row.title.clone() };
                timeline::record(db, customer.org_id, customer.id, Some(actor_id), now(), Some(row.id), &event).await?;
            }
            Ok(())
        }
    }
}

/// Follow-ups stored before reminders existed become reminders, once.
///
/// # Errors
/// Database failures.
pub async fn adopt_follow_ups(db: &DatabaseConnection) -> AppResult<usize> {
    use crate::entity::{activity, server_secret};
    const MARK: &str = "upgrade:follow_ups_to_reminders";
    if server_secret::Entity::find_by_id(MARK).one(db).await?.is_some() {
        return Ok(0);
    }
    let txn = super::begin_write(db).await?;
    let pending = activity::Entity::find()
        .filter(activity::Column::NextFollowUpAt.is_not_null())
        .filter(activity::Column::DeletedAt.is_null())
        .all(&txn)
        .await?;
    let mut adopted = 0;
    for a in &pending {
        let Some(customer) = customer::Entity::find_by_id(a.customer_id).one(&txn).await? else { continue };
        follow_up(&txn, a.author_id, &customer, a.id, a.next_follow_up_at).await?;
        adopted += 1;
    }
    server_secret::ActiveModel { name: Set(MARK.into()), value: Set(adopted.to_string()), created_at: Set(now()) }
        .insert(&txn)
        .await?;
    txn.commit().await?;
    Ok(adopted)
}

/// Overdue and due-today counts for the navigation, and unread notifications.
///
/// # Errors
/// Database failures.
pub async fn counts(db: &DatabaseConnection, actor: &Actor) -> AppResult<ReminderCounts> {
    let at = now();
    let tz = zone_of(db, actor.user_id).await?;
    let (_, end_of_day) = local_day_bounds(at, tz);
    let mine = || {
        reminder::Entity::find()
            .filter(reminder::Column::OrgId.eq(actor.org_id))
            .filter(reminder::Column::AssigneeId.eq(actor.user_id))
            .filter(reminder::Column::Status.eq(ReminderStatus::Open.as_str()))
    };
    let overdue = mine().filter(Expr::cust(EFFECTIVE_DUE).lt(at)).count(db).await?;
    let due_today = mine()
        .filter(Expr::cust(EFFECTIVE_DUE).gte(at).and(Expr::cust(EFFECTIVE_DUE).lt(end_of_day)))
        .count(db)
        .await?;
    let unread = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?;
    let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(ReminderCounts { overdue: n(overdue), due_today: n(due_today), unread_notifications: n(unread) })
}

/// A reminder row with its assignee's and customer's names, read in one query.
#[derive(FromQueryResult)]
struct Named {
    #[sea_orm(nested)]
    row: reminder::Model,
    assignee_name: Option<String>,
    customer_name: Option<String>,
}

/// `select` with each row's assignee's and customer's names joined in.
fn with_names(select: Select<reminder::Entity>) -> Selector<SelectModel<Named>> {
    let assignee = reminder::Entity::belongs_to(user::Entity).from(reminder::Column::AssigneeId).to(user::Column::Id);
    let customer =
        reminder::Entity::belongs_to(customer::Entity).from(reminder::Column::CustomerId).to(customer::Column::Id);
    select
        .join(JoinType::LeftJoin, assignee.into())
        .join(JoinType::LeftJoin, customer.into())
        .column_as(user::Column::Name, "assignee_name")
        .column_as(customer::Column::Name, "customer_name")
        .into_model()
}

/// A row → API shape.
fn to_dto(Named { row: r, assignee_name, customer_name }: Named) -> Reminder {
    Reminder {
        id: r.id,
        title: r.title,
        note: r.note,
        due_at: r.due_at,
        assignee: UserRef { id: r.assignee_id, name: assignee_name.unwrap_or_default() },
        customer: r.customer_id.map(|id| CustomerRef { id, name: customer_name.unwrap_or_default() }),
        deal_id: r.deal_id,
        priority: Priority::parse(&r.priority).unwrap_or(Priority::Normal),
        status: ReminderStatus::parse(&r.status).unwrap_or(ReminderStatus::Open),
        snoozed_until: r.snoozed_until,
        recurrence: r.recurrence.and_then(|v| serde_json::from_value(v).ok()),
        occurrence: u32::try_from(r.occurrence).unwrap_or(1),
        source: ReminderSource::parse(&r.source).unwrap_or(ReminderSource::Manual),
        channel: r.channel.as_deref().and_then(ActivityKind::parse),
        playbook_run_id: r.playbook_run_id,
        completed_at: r.completed_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sea_orm::{DbBackend, QueryTrait};

    /// SQLite 3.51 answers `assignee_id = ? AND assignee_id = ?` with a
    /// skip-scan and a sort of all the rep's reminders (18 ms instead of 2 at
    /// 1M reminders), so the due-reminder scan must say each column once.
    #[test]
    fn a_reps_due_reminder_scan_names_assignee_and_status_once() {
        let actor = Actor::test_rep();
        for status in [None, Some(ReminderStatus::Open)] {
            let query =
                ReminderQuery { assignee: Some("me".into()), overdue: Some(true), status, ..Default::default() };
            let sql = list_select(&actor, &query).unwrap().build(DbBackend::Sqlite).sql;
            assert_eq!(sql.matches("\"assignee_id\" =").count(), 1, "{sql}");
            assert_eq!(sql.matches("\"status\" =").count(), 1, "{sql}");
        }
        // Overdue ones are open: asking for overdue and done asks for nothing.
        let query = ReminderQuery { overdue: Some(true), status: Some(ReminderStatus::Done), ..Default::default() };
        let sql = list_select(&actor, &query).unwrap().build(DbBackend::Sqlite).sql;
        assert!(sql.contains(" AND FALSE"), "{sql}");
    }
}
