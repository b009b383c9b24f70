//! The shared pool.
//!
//! Recycling (a step of the scheduler's pass, clock passed in): in each org
//! with `pool_after_days` = N, a customer that is not archived and not yet
//! pooled, and is either untouched for N days or lost, goes to the pool
//! (`pooled_at`), with a `customer_pooled` event in the same transaction. It
//! keeps its `owner_id` (who had it last) but belongs to nobody: everyone in
//! the org sees it (`customers::visible`), lists show it only under
//! `pool=true`. A customer claimed in the last N days is not recycled, so a
//! claim gets the same grace as a new customer.
//!
//! Claiming (`POST /customers/{id}/claim`): one conditional `UPDATE … WHERE
//! pooled_at IS NOT NULL`, so of two claims at once exactly one changes the
//! row; the other finds it owned and gets `409 conflict`. The claim makes the
//! caller the owner, clears `pooled_at`, and writes a `customer_claimed`
//! event (its own kind rather than `owner_changed`, so the timeline and its
//! filters tell a claim from a hand-over). Then the org's limits, counted
//! with the claim included, roll it back when exceeded:
//! - `max_owned_per_rep`: customers the caller owns outside the pool and not
//!   archived → `409 owned_limit_reached` (`details.limit`);
//! - `daily_claim_quota`: claims by the caller in the last 24 hours (a
//!   rolling window, the same for every time zone) → `429
//!   claim_quota_exceeded` with `Retry-After` until the oldest of them is 24
//!   hours old (`details.quota`).
//!
//! One person's claims are serialised (a row lock on their user on
//! PostgreSQL; SQLite has one writer), so two claims at once cannot both
//! slip under a limit.

use super::audit::{self, Entry};
use super::org_settings::{from_db, org_of};
use super::{Actor, customers, now, timeline};
use crate::entity::{customer, org, user};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::customer::{Customer, LifecycleStatus, UserRef};
use rapport_shared::pool::PoolReason;
use rapport_shared::timeline::Event;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// Customers recycled per transaction: bounds lock time and memory.
const BATCH: u64 = 500;
/// The window of the daily claim quota.
const QUOTA_WINDOW_HOURS: i64 = 24;

/// Moves every customer due for the pool there, as of `now`; returns how many.
///
/// # Errors
/// Database failures (the batch in progress rolls back; the next pass retries).
pub async fn recycle(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<usize> {
    let orgs = org::Entity::find().filter(org::Column::PoolAfterDays.is_not_null()).all(db).await?;
    let mut pooled = 0;
    for o in orgs {
        let Some(days) = o.pool_after_days.map(from_db) else { continue };
        let cutoff = now - Duration::days(i64::from(days));
        for due in
            [customer::Column::LastTouchAt.lt(cutoff), customer::Column::Status.eq(LifecycleStatus::Lost.as_str())]
        {
            loop {
                let n = recycle_batch(db, o.id, days, cutoff, Condition::all().add(due.clone()), now).await?;
                pooled += n;
                if (n as u64) < BATCH {
                    break;
                }
            }
        }
    }
    Ok(pooled)
}

/// One batch of one org's customers that are `due`: claimed (`FOR UPDATE
/// SKIP LOCKED` on PostgreSQL), pooled, and each noted on its timeline.
async fn recycle_batch(
    db: &DatabaseConnection,
    org_id: Uuid,
    days: u32,
    cutoff: DateTime<Utc>,
    due: Condition,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let txn = super::begin_write(db).await?;
    let rows = customer::Entity::find()
        .filter(customer::Column::OrgId.eq(org_id))
        .filter(customer::Column::PooledAt.is_null())
        .filter(customer::Column::ArchivedAt.is_null())
        .filter(due)
        .filter(Condition::any().add(customer::Column::ClaimedAt.is_null()).add(customer::Column::ClaimedAt.lt(cutoff)))
        .limit(BATCH)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    customer::Entity::update_many()
        .col_expr(customer::Column::PooledAt, Expr::value(Some(now)))
        .col_expr(customer::Column::UpdatedAt, Expr::value(now))
        .filter(customer::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .filter(customer::Column::PooledAt.is_null())
        .exec(&txn)
        .await?;
    let names = timeline::user_names(&txn, rows.iter().map(|r| r.owner_id)).await?;
    for row in &rows {
        let reason =
            if row.status == LifecycleStatus::Lost.as_str() { PoolReason::Lost } else { PoolReason::Untouched };
        let previous_owner = UserRef { id: row.owner_id, name: names.get(&row.owner_id).cloned().unwrap_or_default() };
        let event = Event::CustomerPooled { reason, previous_owner, after_days: days };
        timeline::record(&txn, org_id, row.id, None, now, None, &event).await?;
    }
    txn.commit().await?;
    Ok(rows.len())
}

/// Claims a pool customer for the actor (see the module notes).
///
/// # Errors
/// `NotFound` when the customer is not visible; `Conflict` when it is not in
/// the pool (any more); `OwnedLimitReached`; `ClaimQuotaExceeded`; database failures.
pub async fn claim(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<Customer> {
    // Read first: who had it, for the timeline (the claim below decides).
    let before = customer::Entity::find_by_id(id)
        .filter(customer::Column::OrgId.eq(actor.org_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = org_of(db, actor).await?;
    let at = now();
    // A pool customer is visible to everyone in the org, so the conditions
    // of the claim below are also the visibility check.
    let txn = super::begin_write(db).await?;
    let claimed = customer::Entity::update_many()
        .col_expr(customer::Column::OwnerId, Expr::value(actor.user_id))
        .col_expr(customer::Column::PooledAt, Expr::value(None::<DateTime<Utc>>))
        .col_expr(customer::Column::ClaimedAt, Expr::value(Some(at)))
        .col_expr(customer::Column::ClaimedBy, Expr::value(Some(actor.user_id)))
        .col_expr(customer::Column::UpdatedAt, Expr::value(at))
        .filter(customer::Column::Id.eq(id))
        .filter(customer::Column::OrgId.eq(actor.org_id))
        .filter(customer::Column::PooledAt.is_not_null())
        .filter(customer::Column::ArchivedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        drop(txn);
        return Err(refusal(db, actor, &before).await?);
    }
    check_limits(&txn, actor, &settings, at).await?;
    let names = timeline::user_names(&txn, [before.owner_id, actor.user_id]).await?;
    let user_ref = |id: Uuid| UserRef { id, name: names.get(&id).cloned().unwrap_or_default() };
    let event = Event::CustomerClaimed { from: user_ref(before.owner_id), to: user_ref(actor.user_id) };
    timeline::record(&txn, actor.org_id, id, Some(actor.user_id), at, None, &event).await?;
    let entry = Entry::by(actor, AuditAction::CustomerClaimed)
        .target(AuditTarget::Customer, id)
        .before(serde_json::json!({"owner_id": before.owner_id}))
        .after(serde_json::json!({"owner_id": actor.user_id}));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    customers::get(db, actor, id).await
}

/// Why a claim of `before` changed nothing. The loser of a race gets `409`
/// even though the customer, now someone else's, is out of their sight: it
/// was in the pool, which the whole org saw. Otherwise a customer the actor
/// does not see stays a `404`.
async fn refusal(db: &DatabaseConnection, actor: &Actor, before: &customer::Model) -> AppResult<AppError> {
    let visible = customers::ensure_visible(db, actor, before.id).await.is_ok();
    Ok(if before.pooled_at.is_some() || (!visible && before.claimed_by.is_some()) {
        AppError::conflict("someone else claimed this customer first")
    } else if visible {
        AppError::conflict("this customer is not in the shared pool")
    } else {
        AppError::NotFound
    })
}

/// The org's limits, counted with the claim in `txn` included; an error
/// drops (rolls back) the transaction.
async fn check_limits(txn: &super::WriteTxn, actor: &Actor, settings: &org::Model, at: DateTime<Utc>) -> AppResult<()> {
    let limit = settings.max_owned_per_rep.map(from_db);
    let quota = settings.daily_claim_quota.map(from_db);
    if limit.is_none() && quota.is_none() {
        return Ok(());
    }
    // Serialise this person's claims: a second one waits here until the first
    // commits, then counts it (PostgreSQL; SQLite ignores the lock and already
    // serialises writers).
    user::Entity::find_by_id(actor.user_id).lock_exclusive().one(txn).await?;
    if let Some(limit) = limit {
        let owned = customer::Entity::find()
            .filter(customer::Column::OrgId.eq(actor.org_id))
            .filter(customer::Column::OwnerId.eq(actor.user_id))
            .filter(customer::Column::PooledAt.is_null())
            .filter(customer::Column::ArchivedAt.is_null())
            .count(txn)
            .await?;
        if owned > u64::from(limit) {
            return Err(AppError::OwnedLimitReached { limit });
        }
    }
    if let Some(quota) = quota {
        let window = Duration::hours(QUOTA_WINDOW_HOURS);
        let recent = || {
            customer::Entity::find()
                .filter(customer::Column::ClaimedBy.eq(actor.user_id))
                .filter(customer::Column::ClaimedAt.gt(at - window))
        };
        let claims = recent().count(txn).await?;
        if claims > u64::from(quota) {
            let oldest = recent().order_by_asc(customer::Column::ClaimedAt).one(txn).await?;
            let frees_at = oldest.and_then(|c| c.claimed_at).map_or(at + window, |t| t + window);
            let retry_after_secs = u64::try_from((frees_at - at).num_seconds()).unwrap_or(0).max(1);
            return Err(AppError::ClaimQuotaExceeded { quota, retry_after_secs });
        }
    }
    Ok(())
}
