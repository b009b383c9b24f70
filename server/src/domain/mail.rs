//! Notification e-mails over SMTP: the step the scheduler runs after each
//! pass when `RAPPORT_SMTP_URL` is set.
//!
//! Durable and at-least-once, driven only by the `notifications` rows:
//! - **Claim** (one short transaction): up to [`BATCH`] rows with no
//!   `emailed_at`, created within [`MAX_AGE`], not read yet, of an active
//!   user, whose `email_retry_at` is empty or past, oldest first, taken with
//!   `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite ignores it and serves one
//!   process) and leased by setting `email_retry_at` to now + [`LEASE`].
//! - **Send** outside any transaction, so a slow SMTP server never holds row
//!   locks (or, on SQLite, the database's single write lock) open.
//! - **Mark**: success sets `emailed_at`. A failure is logged and sets
//!   `email_retry_at` to now + [`RETRY_AFTER`], a back-off instead of hitting
//!   a failing server every tick. If the server itself is unreachable, timed
//!   out or busy (anything but a permanent 5xx refusal of this message) the
//!   step stops and gives the batch's untried rows back for the next pass.
//! - A process that dies between send and mark leaves the lease to expire,
//!   and the row is mailed again: at least once, and the `Message-ID` is the
//!   notification's id, so mail clients can fold such a repeat.
//!
//! Notifications older than [`MAX_AGE`] are never mailed: after an outage,
//! or when SMTP is configured later, people get the last day's news, not a
//! flood of stale reminders (those stay in the app). `now` is a parameter:
//! tests drive the clock.

use crate::entity::{notification, user};
use crate::error::AppResult;
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::fmt;
use std::time::SystemTime;
use uuid::Uuid;

/// Only notifications younger than this are mailed.
pub const MAX_AGE: Duration = Duration::hours(24);
/// After a failed send, the row waits this long for its next try.
pub const RETRY_AFTER: Duration = Duration::minutes(5);
/// How long a claim keeps other processes off a row. Well above a batch's
/// worst send time ([`BATCH`] × a few [`SMTP_TIMEOUT`]s), so a live claim
/// never expires under its owner and the row is sent twice.
const LEASE: Duration = Duration::minutes(15);
/// Rows claimed per step: small, so a step ends quickly and the lease holds.
const BATCH: u64 = 20;
/// Per SMTP command; lettre's default (60 s) would stall the scheduler.
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The configured SMTP transport and sender. Cheap to clone (one shared
/// connection pool).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl fmt::Debug for Mailer {
    // The transport holds the SMTP credentials: show the sender only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://`, `smtp://…?tls=required`, `smtps://`)
    /// sending as `from`. Must run inside the Tokio runtime: the connection
    /// pool starts its clean-up task here. Nothing connects yet.
    ///
    /// # Errors
    /// An unusable URL (unknown scheme, no host) or a `from` that is not a mailbox.
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Self> {
        // The URL may hold a password: the message names the setting, not its value.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .context("RAPPORT_SMTP_URL is not a usable SMTP URL")?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from =
            from.parse::<Mailbox>().with_context(|| format!("RAPPORT_MAIL_FROM {from:?} is not an e-mail address"))?;
        Ok(Self { transport, from })
    }

    async fn send(&self, note: &notification::Model, to: &user::Model, now: DateTime<Utc>) -> Result<(), SendError> {
        let address = to.email.parse::<Address>().map_err(|e| SendError::Message(e.to_string()))?;
        let message = Message::builder()
            // Stable per notification: a repeat after a crash is recognisable.
            .message_id(Some(format!("<{}@{}>", note.id, self.from.email.domain())))
            .date(SystemTime::from(now))
            .from(self.from.clone())
            .to(Mailbox::new(Some(to.name.clone()), address))
            .subject(note.title.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(text(note))
            .map_err(|e| SendError::Message(e.to_string()))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Message(e.to_string())),
            Err(e) => Err(SendError::Server(e)),
        }
    }
}

/// Why one notification was not mailed.
#[derive(Debug, thiserror::Error)]
enum SendError {
    /// This message cannot go (bad address, a 5xx refusal); others may.
    #[error("{0}")]
    Message(String),
    /// The server is unreachable, timed out or busy: try nothing more now.
    #[error(transparent)]
    Server(lettre::transport::smtp::Error),
}

/// The plain-text body: the title, then the notification's text if any.
fn text(note: &notification::Model) -> String {
    let mut text = note.title.clone();
    if let Some(body) = note.body.as_deref().filter(|b| !b.is_empty()) {
        text.push_str("\n\n");
        text.push_str(body);
    }
    text.push_str("\n\n-- \nRapport. This notification is also in the app.\n");
    text
}

/// What one mail step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MailReport {
    pub sent: usize,
    pub failed: usize,
}

/// Claims one batch of unsent notifications at `now` and mails them.
/// One batch per call keeps each step short (and under the lease); the
/// scheduler calls it every tick.
///
/// # Errors
/// Database failures. Send failures are not errors: they are logged, counted
/// in the report and retried later.
pub async fn send_pending(db: &DatabaseConnection, mailer: &Mailer, now: DateTime<Utc>) -> AppResult<MailReport> {
    let mut report = MailReport::default();
    let mut batch = claim(db, now).await?.into_iter();
    while let Some((note, to)) = batch.next() {
        match mailer.send(&note, &to, now).await {
            Ok(()) => {
                set_column(db, [note.id], notification::Column::EmailedAt, Some(now)).await?;
                report.sent += 1;
            }
            Err(e) => {
                report.failed += 1;
                tracing::warn!(notification_id = %note.id, user_id = %to.id, error = %e, "notification e-mail not sent; retrying later");
                set_column(db, [note.id], notification::Column::EmailRetryAt, Some(now + RETRY_AFTER)).await?;
                if matches!(e, SendError::Server(_)) {
                    let untried: Vec<Uuid> = batch.map(|(n, _)| n.id).collect();
                    set_column(db, untried, notification::Column::EmailRetryAt, None).await?;
                    break;
                }
            }
        }
    }
    Ok(report)
}

/// The next batch to mail, leased to this process, with each row's user.
async fn claim(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<Vec<(notification::Model, user::Model)>> {
    let txn = super::begin_write(db).await?;
    let active_users =
        Query::select().column(user::Column::Id).from(user::Entity).and_where(user::Column::Active.eq(true)).to_owned();
    let rows = notification::Entity::find()
        .filter(notification::Column::EmailedAt.is_null())
        .filter(notification::Column::CreatedAt.gt(now - MAX_AGE))
        .filter(notification::Column::ReadAt.is_null())
        .filter(
            Condition::any()
                .add(notification::Column::EmailRetryAt.is_null())
                .add(notification::Column::EmailRetryAt.lte(now)),
        )
        .filter(notification::Column::UserId.in_subquery(active_users))
        .order_by_asc(notification::Column::CreatedAt)
        .limit(BATCH)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    set_column(&txn, rows.iter().map(|n| n.id), notification::Column::EmailRetryAt, Some(now + LEASE)).await?;
    let users: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|n| n.user_id)))
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    txn.commit().await?;
    Ok(rows.into_iter().filter_map(|n| users.get(&n.user_id).cloned().map(|u| (n, u))).collect())
}

/// Sets one timestamp column of the given notifications.
async fn set_column(
    db: &impl sea_orm::ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
    column: notification::Column,
    value: Option<DateTime<Utc>>,
) -> AppResult<()> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if !ids.is_empty() {
        notification::Entity::update_many()
            .col_expr(column, Expr::value(value))
            .filter(notification::Column::Id.is_in(ids))
            .exec(db)
            .await?;
    }
    Ok(())
}
