//! Activities: log, edit and delete what happened with a customer. Each
//! change writes its timeline event and keeps the customer's last touch
//! (the latest live activity) current, all in one transaction. A retried
//! create with the same `Idempotency-Key` returns the first activity. A
//! `next_follow_up_at` becomes a reminder for the customer's owner.

use super::audit::{self, Entry};
use super::customers::{find_visible, visible};
use super::{Actor, new_id, now, reminders, timeline};
use crate::entity::{activity, contact, customer, idempotency_key};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SubsecRound, Utc};
use rapport_shared::activity::{
    Activity, ActivityFields, ActivityKind, ActivityPatch, Direction, NewActivity, Outcome,
};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::customer::UserRef;
use rapport_shared::timeline::{ActivityLogged, Event};
use rapport_shared::validate::FieldError;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set, SqlErr,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// A client's retry token and a fingerprint of the request it was sent with.
pub struct Idempotency {
    pub key: String,
    pub request_hash: String,
}

/// Logs an activity on a visible customer.
///
/// # Errors
/// `NotFound` when the customer is not visible; `Validation`; `Unprocessable`
/// when the idempotency key was used for a different request; database failures.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    customer_id: Uuid,
    input: NewActivity,
    idempotency: Option<Idempotency>,
) -> AppResult<Activity> {
    let at = now();
    let fields = input.validate(at).map_err(AppError::Validation)?;
    if let Some(replay) = replayed(db, actor, idempotency.as_ref()).await? {
        return Ok(replay);
    }
    let txn = super::begin_write(db).await?;
    // The visibility check and the last touch are one statement: each one a
    // writer makes is time the others wait for SQLite's write lock.
    let visible = Condition::all().add(customer::Column::Id.eq(customer_id)).add(visible(actor));
    let customer = touch(&txn, visible, fields.occurred_at.trunc_subsecs(6)).await?.ok_or(AppError::NotFound)?;
    if let Some(contact_id) = input.contact_id {
        let belongs = contact::Entity::find_by_id(contact_id)
            .filter(contact::Column::CustomerId.eq(customer.id))
            .one(&txn)
            .await?
            .is_some();
        if !belongs {
            return Err(AppError::field("contact_id", FieldError::UnknownValue));
        }
    }
    let row = record(&txn, actor.user_id, &customer, input.contact_id, &fields).await?;
    if let Some(idem) = &idempotency {
        let stored = idempotency_key::ActiveModel {
            id: Set(new_id()),
            user_id: Set(actor.user_id),
            key: Set(idem.key.clone()),
            request_hash: Set(idem.request_hash.clone()),
            resource_id: Set(row.id),
            created_at: Set(at),
        }
        .insert(&txn)
        .await;
        if let Err(e) = stored {
            // A concurrent retry won the race: answer with its activity.
            if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                drop(txn);
                return replayed(db, actor, Some(idem)).await?.ok_or(AppError::conflict("retry in progress"));
            }
            return Err(e.into());
        }
    }
    txn.commit().await?;
    Ok(to_dto(row, UserRef { id: actor.user_id, name: actor.name.clone() }))
}

/// Writes a validated activity, its timeline event and the customer's new
/// last touch, inside the caller's transaction (also used by demo data).
///
/// # Errors
/// Database failures.
pub async fn insert(
    db: &impl ConnectionTrait,
    author_id: Uuid,
    customer: &customer::Model,
    contact_id: Option<Uuid>,
    fields: &ActivityFields,
) -> AppResult<activity::Model> {
    let row = record(db, author_id, customer, contact_id, fields).await?;
    touch(db, Condition::all().add(customer::Column::Id.eq(customer.id)), row.occurred_at).await?;
    Ok(row)
}

/// The activity and its timeline event (and follow-up reminder); the caller
/// moves the customer's last touch.
async fn record(
    db: &impl ConnectionTrait,
    author_id: Uuid,
    customer: &customer::Model,
    contact_id: Option<Uuid>,
    fields: &ActivityFields,
) -> AppResult<activity::Model> {
    let at = now();
    let mut model = activity::ActiveModel {
        id: Set(new_id()),
        org_id: Set(customer.org_id),
        customer_id: Set(customer.id),
        author_id: Set(author_id),
        contact_id: Set(contact_id),
        deleted_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    write_fields(&mut model, fields);
    let row = model.insert(db).await?;
    let event = Event::activity(fields.kind, logged(&row));
    timeline::record(db, row.org_id, row.customer_id, Some(author_id), row.occurred_at, Some(row.id), &event).await?;
    if row.next_follow_up_at.is_some() {
        reminders::follow_up(db, author_id, customer, row.id, row.next_follow_up_at).await?;
    }
    Ok(row)
}

/// The activity a previous request with the same key created, if any.
async fn replayed(db: &DatabaseConnection, actor: &Actor, idem: Option<&Idempotency>) -> AppResult<Option<Activity>> {
    let Some(idem) = idem else { return Ok(None) };
    let Some(stored) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(actor.user_id))
        .filter(idempotency_key::Column::Key.eq(idem.key.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if stored.request_hash != idem.request_hash {
        return Err(AppError::Unprocessable("this Idempotency-Key was used for a different request".into()));
    }
    let row = activity::Entity::find_by_id(stored.resource_id)
        .filter(activity::Column::OrgId.eq(actor.org_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    with_author(db, row).await.map(Some)
}

/// Edits an activity; only its author or an admin may.
///
/// # Errors
/// `NotFound` when not visible or deleted; `Forbidden` for someone else's
/// activity; `Validation`; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: ActivityPatch) -> AppResult<Activity> {
    let txn = super::begin_write(db).await?;
    let (row, customer) = find_editable(&txn, actor, id).await?;
    let current = fields_of(&row);
    let next = patch.apply(&current, now()).map_err(AppError::Validation)?;
    let changed = timeline::changes(&field_values(&current), &field_values(&next));
    let mut model = row.into_active_model();
    write_fields(&mut model, &next);
    model.updated_at = Set(now());
    let row = model.update(&txn).await?;
    if !changed.is_empty() {
        let event = Event::ActivityEdited { activity_id: row.id, changes: changed };
        timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), row.updated_at, Some(row.id), &event)
            .await?;
        refresh_last_touch(&txn, &customer).await?;
        reminders::follow_up(&txn, actor.user_id, &customer, row.id, row.next_follow_up_at).await?;
    }
    txn.commit().await?;
    with_author(db, row).await
}

/// Deletes an activity (kept as deleted, and recorded on the timeline).
///
/// # Errors
/// `NotFound` when not visible or already deleted; `Forbidden` for someone
/// else's activity; database failures.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    let (row, customer) = find_editable(&txn, actor, id).await?;
    let kind = ActivityKind::parse(&row.kind).unwrap_or(ActivityKind::Note);
    let at = now();
    let mut model = row.into_active_model();
    model.deleted_at = Set(Some(at));
    model.updated_at = Set(at);
    let row = model.update(&txn).await?;
    let event = Event::ActivityDeleted { activity_id: row.id, activity_kind: kind };
    timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), at, Some(row.id), &event).await?;
    let before = json!({"kind": kind.as_str(), "customer_id": row.customer_id, "author_id": row.author_id});
    let entry = Entry::by(actor, AuditAction::ActivityDeleted).target(AuditTarget::Activity, row.id).before(before);
    audit::record(&txn, entry).await?;
    refresh_last_touch(&txn, &customer).await?;
    reminders::follow_up(&txn, actor.user_id, &customer, row.id, None).await?;
    txn.commit().await?;
    Ok(())
}

/// A live activity on a visible customer that the actor may change.
async fn find_editable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(activity::Model, customer::Model)> {
    let row = activity::Entity::find_by_id(id)
        .filter(activity::Column::OrgId.eq(actor.org_id))
        .filter(activity::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let customer = find_visible(db, actor, row.customer_id).await?;
    if row.author_id != actor.user_id && !actor.is_admin() {
        return Err(AppError::Forbidden("only the author or an admin can change an activity"));
    }
    Ok((row, customer))
}

/// Moves the last touch of the customer `which` selects forward to `at`
/// (never back), with no read of its activities, and answers the customer
/// as it now is; `None` when `which` selects none.
async fn touch(db: &impl ConnectionTrait, which: Condition, at: DateTime<Utc>) -> AppResult<Option<customer::Model>> {
    let last = customer::Column::LastTouchAt;
    let mut rows = customer::Entity::update_many()
        .col_expr(last, Expr::case(last.lt(at), at).finally(Expr::col(last)).into())
        .filter(which)
        .exec_with_returning(db)
        .await?;
    Ok(rows.pop())
}

/// Sets the customer's last touch to its latest live activity (or its
/// creation), after an edit or a deletion may have moved it back.
async fn refresh_last_touch(db: &impl ConnectionTrait, customer: &customer::Model) -> AppResult<()> {
    let latest = activity::Entity::find()
        .filter(activity::Column::OrgId.eq(customer.org_id))
        .filter(activity::Column::CustomerId.eq(customer.id))
        .filter(activity::Column::DeletedAt.is_null())
        .order_by_desc(activity::Column::OccurredAt)
        .one(db)
        .await?;
    let touch = latest.map_or(customer.created_at, |a| a.occurred_at.max(customer.created_at));
    if touch != customer.last_touch_at {
        let mut model = customer.clone().into_active_model();
        model.last_touch_at = Set(touch);
        model.update(db).await?;
    }
    Ok(())
}

fn write_fields(model: &mut activity::ActiveModel, f: &ActivityFields) {
    model.kind = Set(f.kind.as_str().to_owned());
    model.direction = Set(f.direction.map(|d| d.as_str().to_owned()));
    model.outcome = Set(f.outcome.map(|o| o.as_str().to_owned()));
    // Stored at the precision both databases keep, so cursors match exactly.
    model.occurred_at = Set(f.occurred_at.trunc_subsecs(6));
    model.duration_secs = Set(f.duration_secs.and_then(|d| i32::try_from(d).ok()));
    model.body = Set(f.body.clone());
    model.next_follow_up_at = Set(f.next_follow_up_at.map(|t| t.trunc_subsecs(6)));
}

fn fields_of(row: &activity::Model) -> ActivityFields {
    ActivityFields {
        kind: ActivityKind::parse(&row.kind).unwrap_or(ActivityKind::Note),
        direction: row.direction.as_deref().and_then(Direction::parse),
        outcome: row.outcome.as_deref().and_then(Outcome::parse),
        occurred_at: row.occurred_at,
        duration_secs: row.duration_secs.and_then(|d| u32::try_from(d).ok()),
        body: row.body.clone(),
        next_follow_up_at: row.next_follow_up_at,
    }
}

fn field_values(f: &ActivityFields) -> Vec<(&'static str, Value)> {
    vec![
        ("kind", json!(f.kind)),
        ("direction", json!(f.direction)),
        ("outcome", json!(f.outcome)),
        ("occurred_at", json!(f.occurred_at)),
        ("duration_secs", json!(f.duration_secs)),
        ("body", json!(f.body)),
        ("next_follow_up_at", json!(f.next_follow_up_at)),
    ]
}

fn logged(row: &activity::Model) -> ActivityLogged {
    let f = fields_of(row);
    ActivityLogged {
        activity_id: row.id,
        direction: f.direction,
        outcome: f.outcome,
        duration_secs: f.duration_secs,
        contact_id: row.contact_id,
        body: f.body,
        next_follow_up_at: f.next_follow_up_at,
    }
}

fn to_dto(row: activity::Model, author: UserRef) -> Activity {
    let f = fields_of(&row);
    Activity {
        id: row.id,
        customer_id: row.customer_id,
        kind: f.kind,
        direction: f.direction,
        outcome: f.outcome,
        occurred_at: f.occurred_at,
        duration_secs: f.duration_secs,
        contact_id: row.contact_id,
        body: f.body,
        next_follow_up_at: f.next_follow_up_at,
        author,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The activity with its author's name read from the database (the author
/// may be someone other than the actor).
async fn with_author(db: &impl ConnectionTrait, row: activity::Model) -> AppResult<Activity> {
    let names = timeline::user_names(db, [row.author_id]).await?;
    let author = UserRef { id: row.author_id, name: names.get(&row.author_id).cloned().unwrap_or_default() };
    Ok(to_dto(row, author))
}
