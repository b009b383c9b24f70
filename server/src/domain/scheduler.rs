//! The scheduler's pass: announce reminders that became due or overdue, send
//! each user's daily digest at their local morning, and return customers to
//! the shared pool (`pool::recycle`).
//!
//! At-least-once and idempotent: work is found by index (`next_alert_at`,
//! `next_digest_at`) and claimed in a transaction (reminders `FOR UPDATE
//! SKIP LOCKED` on PostgreSQL, so two processes never take the same rows;
//! SQLite has one writer; a digest by moving its user's `next_digest_at`
//! on), and every notification carries a dedupe key with a unique index,
//! so a retried or raced pass cannot announce the same occurrence twice.
//! `now` is a parameter: tests drive the clock.

use super::recurrence::{local_day_bounds, next_local_time, zone};
use super::reminders::{EFFECTIVE_DUE, effective_due};
use super::{customers, new_id, timeline};
use crate::entity::{customer, notification, org, reminder, user};
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use rapport_shared::reminder::{Notification, NotificationKind, ReminderStatus};
use rapport_shared::timeline::Event;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Rows claimed per transaction: bounds lock time and memory.
const BATCH: u64 = 500;
/// The local hour of the daily digest.
pub const DIGEST_HOUR: u32 = 8;

/// A notification written by this pass, for live delivery to its user.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub user_id: Uuid,
    pub notification: Notification,
}

/// What one pass did.
#[derive(Debug, Default)]
pub struct PassReport {
    pub due: usize,
    pub overdue: usize,
    pub digests: usize,
    /// Customers returned to the shared pool.
    pub pooled: usize,
    pub pushed: Vec<Pushed>,
}

/// Runs one pass at `now`.
///
/// # Errors
/// Database failures (the batch in progress rolls back and is retried by the next pass).
pub async fn run_pass(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<PassReport> {
    let mut report = PassReport::default();
    loop {
        let claimed = alert_batch(db, now, &mut report).await?;
        if claimed < BATCH {
            break;
        }
    }
    loop {
        let claimed = digest_batch(db, now, &mut report).await?;
        if claimed < BATCH {
            break;
        }
    }
    report.pooled = super::pool::recycle(db, now).await?;
    Ok(report)
}

async fn alert_batch(db: &DatabaseConnection, now: DateTime<Utc>, report: &mut PassReport) -> AppResult<u64> {
    let txn = super::begin_write(db).await?;
    let rows = reminder::Entity::find()
        .filter(reminder::Column::NextAlertAt.lte(now))
        .order_by_asc(reminder::Column::NextAlertAt)
        .limit(BATCH)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    let claimed = rows.len() as u64;
    let names = customers::names(&txn, rows.iter().filter_map(|r| r.customer_id)).await?;
    for row in rows {
        let mut model = row.clone().into_active_model();
        if row.status != ReminderStatus::Open.as_str() {
            model.next_alert_at = Set(None);
            model.update(&txn).await?;
            continue;
        }
        let effective = effective_due(&row);
        let stamp = effective.timestamp();
        let customer_name = row.customer_id.and_then(|id| names.get(&id).cloned());
        if row.due_notified_at.is_none() {
            let note = new_notification(
                &row,
                NotificationKind::ReminderDue,
                customer_name,
                now,
                format!("due:{}:{stamp}", row.id),
            );
            if let Some(pushed) = insert_once(&txn, note).await? {
                report.pushed.push(pushed);
                report.due += 1;
            }
            model.due_notified_at = Set(Some(now));
            model.next_alert_at = Set(row.overdue_at);
        } else {
            let note = new_notification(
                &row,
                NotificationKind::ReminderOverdue,
                customer_name,
                now,
                format!("overdue:{}:{stamp}", row.id),
            );
            if let Some(pushed) = insert_once(&txn, note).await? {
                report.pushed.push(pushed);
                report.overdue += 1;
                if let Some(customer_id) = row.customer_id {
                    let event =
                        Event::ReminderOverdue { reminder_id: row.id, title: row.title.clone(), due_at: effective };
                    timeline::record(&txn, row.org_id, customer_id, None, now, Some(row.id), &event).await?;
                }
            }
            model.next_alert_at = Set(None);
        }
        model.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(claimed)
}

fn new_notification(
    row: &reminder::Model,
    kind: NotificationKind,
    customer_name: Option<String>,
    now: DateTime<Utc>,
    dedupe_key: String,
) -> notification::Model {
    let prefix = if kind == NotificationKind::ReminderOverdue { "Overdue: " } else { "" };
    notification::Model {
        id: new_id(),
        org_id: row.org_id,
        user_id: row.assignee_id,
        kind: kind.as_str().to_owned(),
        title: format!("{prefix}{}", row.title),
        body: customer_name,
        reminder_id: Some(row.id),
        customer_id: row.customer_id,
        dedupe_key,
        created_at: now,
        read_at: None,
        emailed_at: None,
        email_retry_at: None,
    }
}

/// Writes a notification unless one with its dedupe key exists.
async fn insert_once(db: &impl ConnectionTrait, note: notification::Model) -> AppResult<Option<Pushed>> {
    let inserted = notification::Entity::insert(note.clone().into_active_model())
        .on_conflict(OnConflict::column(notification::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok((inserted == 1).then(|| Pushed { user_id: note.user_id, notification: to_dto(note) }))
}

/// Users whose digest time has come: the digest, then the next morning.
/// A user without a digest time gets one (their next local morning).
///
/// A digest counts the user's reminders and customers, which takes a while
/// for someone with thousands (0.7 s at the large benchmark scale). So those
/// reads hold no lock: a batch that counted inside its transaction held
/// every claimed user (stopping their sign-ins on PostgreSQL) and, on
/// SQLite, every write for half a minute. Each user is then claimed and
/// written in a short transaction of their own. Moving `next_digest_at` on
/// from the value read is the claim: of two processes, one moves it.
async fn digest_batch(db: &DatabaseConnection, now: DateTime<Utc>, report: &mut PassReport) -> AppResult<u64> {
    let users = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(
            sea_orm::Condition::any()
                .add(user::Column::NextDigestAt.is_null())
                .add(user::Column::NextDigestAt.lte(now)),
        )
        .order_by_asc(user::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let claimed = users.len() as u64;
    for u in users {
        let tz = zone(&u.time_zone);
        // A user without a digest time only gets one.
        let (note, was) = match u.next_digest_at {
            Some(at) => (Some(digest_note(db, &u, now, tz).await?), user::Column::NextDigestAt.eq(at)),
            None => (None, user::Column::NextDigestAt.is_null()),
        };
        let txn = super::begin_write(db).await?;
        let moved = user::Entity::update_many()
            .col_expr(user::Column::NextDigestAt, Expr::value(Some(next_local_time(now, DIGEST_HOUR, tz))))
            .filter(user::Column::Id.eq(u.id))
            .filter(was)
            .exec(&txn)
            .await?
            .rows_affected;
        if moved == 1
            && let Some(note) = note
            && let Some(pushed) = insert_once(&txn, note).await?
        {
            report.pushed.push(pushed);
            report.digests += 1;
        }
        txn.commit().await?;
    }
    Ok(claimed)
}

/// The digest notification of `u` at `now`, not yet written.
async fn digest_note(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> AppResult<notification::Model> {
    let (title, body) = digest_text(db, u, now).await?;
    let local_date = now.with_timezone(&tz).date_naive();
    Ok(notification::Model {
        id: new_id(),
        org_id: u.org_id,
        user_id: u.id,
        kind: NotificationKind::Digest.as_str().to_owned(),
        title,
        body: Some(body),
        reminder_id: None,
        customer_id: None,
        dedupe_key: format!("digest:{}:{local_date}", u.id),
        created_at: now,
        read_at: None,
        emailed_at: None,
        email_retry_at: None,
    })
}

/// The digest of `u` at `now`: due today and overdue reminders, and the
/// customers they own that nobody contacted for the org's N days.
pub async fn digest_text(
    db: &impl ConnectionTrait,
    u: &user::Model,
    now: DateTime<Utc>,
) -> AppResult<(String, String)> {
    let tz = zone(&u.time_zone);
    let (_, end_of_day) = local_day_bounds(now, tz);
    let open = || {
        reminder::Entity::find()
            .filter(reminder::Column::AssigneeId.eq(u.id))
            .filter(reminder::Column::Status.eq(ReminderStatus::Open.as_str()))
    };
    let overdue = open().filter(Expr::cust(EFFECTIVE_DUE).lt(now)).count(db).await?;
    let due_today = open()
        .filter(Expr::cust(EFFECTIVE_DUE).gte(now).and(Expr::cust(EFFECTIVE_DUE).lt(end_of_day)))
        .count(db)
        .await?;
    let days = org::Entity::find_by_id(u.org_id).one(db).await?.map_or(14, |o| o.stale_after_days);
    let stale = customer::Entity::find()
        .filter(customer::Column::OrgId.eq(u.org_id))
        .filter(customer::Column::OwnerId.eq(u.id))
        .filter(customer::Column::ArchivedAt.is_null())
        .filter(customer::Column::PooledAt.is_null())
        .filter(customer::Column::LastTouchAt.lt(now - Duration::days(i64::from(days))))
        .count(db)
        .await?;
    let title = format!("Your day: {due_today} due today, {overdue} overdue");
    let body = format!(
        "{due_today} reminders due today\n{overdue} overdue reminders\n{stale} of your customers not contacted for {days} days"
    );
    Ok((title, body))
}

pub fn to_dto(n: notification::Model) -> Notification {
    Notification {
        id: n.id,
        kind: NotificationKind::parse(&n.kind).unwrap_or(NotificationKind::ReminderDue),
        title: n.title,
        body: n.body,
        reminder_id: n.reminder_id,
        customer_id: n.customer_id,
        created_at: n.created_at,
        read_at: n.read_at,
    }
}
