//! Each user's iCalendar feed of their reminders, read by a phone's calendar
//! without a login: the unguessable secret in the URL is the credential, so
//! only its hash is stored, and creating a new feed revokes the old one.

use super::audit::{self, Entry};
use super::ical::{IcsEvent, calendar};
use super::{Actor, customers, new_id, now};
use crate::auth::keys::random_token;
use crate::auth::tokens::sha256_hex;
use crate::entity::{calendar_feed, reminder, user};
use crate::error::{AppError, AppResult};
use chrono::Duration;
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::reminder::{CalendarFeed, CalendarFeedStatus, ReminderStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

/// How far back done and open reminders stay in the feed.
const PAST_DAYS: i64 = 30;
/// Most events in one feed (phones re-read it every few hours).
const MAX_EVENTS: u64 = 2000;

/// A new secret for the actor's feed; the previous one stops working.
///
/// # Errors
/// Database failures.
pub async fn create(db: &DatabaseConnection, actor: &Actor) -> AppResult<CalendarFeed> {
    let secret = random_token(24);
    let txn = super::begin_write(db).await?;
    revoke_in(&txn, actor).await?;
    let feed = calendar_feed::ActiveModel {
        id: Set(new_id()),
        org_id: Set(actor.org_id),
        user_id: Set(actor.user_id),
        secret_hash: Set(sha256_hex(&secret)),
        created_at: Set(now()),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Entry::by(actor, AuditAction::CalendarFeedCreated).target(AuditTarget::CalendarFeed, feed.id))
        .await?;
    txn.commit().await?;
    Ok(CalendarFeed { path: format!("/api/v1/calendar/{secret}") })
}

/// Whether the actor has a feed, and since when.
///
/// # Errors
/// Database failures.
pub async fn status(db: &DatabaseConnection, actor: &Actor) -> AppResult<CalendarFeedStatus> {
    let feed = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::UserId.eq(actor.user_id))
        .filter(calendar_feed::Column::OrgId.eq(actor.org_id))
        .order_by_desc(calendar_feed::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(CalendarFeedStatus { created_at: feed.map(|f| f.created_at) })
}

/// Revokes the actor's feed (its URL answers 404 from now on).
///
/// # Errors
/// Database failures.
pub async fn revoke(db: &DatabaseConnection, actor: &Actor) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    revoke_in(&txn, actor).await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes the actor's feeds, each with its audit entry.
async fn revoke_in(db: &impl sea_orm::ConnectionTrait, actor: &Actor) -> AppResult<()> {
    let mine = Condition::all()
        .add(calendar_feed::Column::UserId.eq(actor.user_id))
        .add(calendar_feed::Column::OrgId.eq(actor.org_id));
    let feeds = calendar_feed::Entity::find().filter(mine.clone()).all(db).await?;
    calendar_feed::Entity::delete_many().filter(mine).exec(db).await?;
    for feed in feeds {
        let entry = Entry::by(actor, AuditAction::CalendarFeedRevoked).target(AuditTarget::CalendarFeed, feed.id);
        audit::record(db, entry).await?;
    }
    Ok(())
}

/// The feed behind `secret`: the user's open reminders and those done or
/// due in the last days, as iCalendar text.
///
/// # Errors
/// `NotFound` for an unknown or revoked secret, or a deactivated user; database failures.
pub async fn render(db: &DatabaseConnection, secret: &str) -> AppResult<String> {
    let feed = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::SecretHash.eq(sha256_hex(secret)))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner = user::Entity::find_by_id(feed.user_id)
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let since = now() - Duration::days(PAST_DAYS);
    let rows = reminder::Entity::find()
        .filter(reminder::Column::AssigneeId.eq(owner.id))
        .filter(reminder::Column::OrgId.eq(feed.org_id))
        .filter(
            Condition::any().add(reminder::Column::Status.eq(ReminderStatus::Open.as_str())).add(
                Condition::all()
                    .add(reminder::Column::Status.eq(ReminderStatus::Done.as_str()))
                    .add(reminder::Column::DueAt.gte(since)),
            ),
        )
        .order_by_asc(reminder::Column::DueAt)
        .limit(MAX_EVENTS)
        .all(db)
        .await?;
    let names = customers::names(db, rows.iter().filter_map(|r| r.customer_id)).await?;
    let descriptions: Vec<Option<String>> = rows
        .iter()
        .map(|r| {
            let customer = r.customer_id.and_then(|id| names.get(&id).cloned());
            match (customer, &r.note) {
                (Some(c), Some(n)) => Some(format!("{c}\n{n}")),
                (c, n) => c.or_else(|| n.clone()),
            }
        })
        .collect();
    let events: Vec<IcsEvent<'_>> = rows
        .iter()
        .zip(&descriptions)
        .map(|(r, d)| IcsEvent {
            uid: r.id,
            summary: &r.title,
            description: d.as_deref(),
            start: super::reminders::effective_due(r),
            minutes: 15,
            updated: r.updated_at,
            url: None,
            done: r.status == ReminderStatus::Done.as_str(),
        })
        .collect();
    Ok(calendar(&format!("Rapport — {}", owner.name), &events))
}
