//! The one place that writes timeline events, and the timeline read.
//! Writers call [`record`] with their own transaction, so an event exists
//! exactly when the change it describes does.

use super::customers::ensure_visible;
use super::{Actor, new_id, now};
use crate::entity::{timeline_event, user};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SecondsFormat, Utc};
use rapport_shared::customer::UserRef;
use rapport_shared::page::clamp_limit;
use rapport_shared::timeline::{Event, FieldChange, TimelineEvent, TimelineQuery, parse_kinds};
use rapport_shared::{Cursor, Page};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// Appends `event` to a customer's timeline, inside the caller's transaction.
///
/// # Errors
/// Database failures (which roll the caller's change back with it).
pub async fn record(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    customer_id: Uuid,
    actor_id: Option<Uuid>,
    occurred_at: DateTime<Utc>,
    subject_id: Option<Uuid>,
    event: &Event,
) -> AppResult<()> {
    record_all(db, &[NewEvent { org_id, customer_id, actor_id, occurred_at, subject_id, event }]).await
}

/// An event for [`record_all`] to append to a customer's timeline.
pub struct NewEvent<'a> {
    pub org_id: Uuid,
    pub customer_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub subject_id: Option<Uuid>,
    pub event: &'a Event,
}

/// Appends events, each to its own customer's timeline, a multi-row INSERT
/// per [`MANY_PER_STATEMENT`] events, inside the caller's transaction.
///
/// # Errors
/// Database failures.
pub async fn record_all(db: &impl ConnectionTrait, events: &[NewEvent<'_>]) -> AppResult<()> {
    let created_at = now();
    for chunk in events.chunks(MANY_PER_STATEMENT) {
        let rows = chunk
            .iter()
            .map(|e| {
                let NewEvent { org_id, customer_id, actor_id, occurred_at, subject_id, event } = *e;
                let row =
                    Row { org_id, actor_id, occurred_at, subject_id, event, payload: payload_of(event)?, created_at };
                Ok(row.on(customer_id))
            })
            .collect::<AppResult<Vec<_>>>()?;
        // Nothing to read back: RETURNING would only parse the payloads again.
        timeline_event::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Records the same event on many customers' timelines (of one org), a
/// multi-row INSERT per [`MANY_PER_STATEMENT`] customers: a handover of
/// thousands of customers is a few statements, not thousands.
///
/// # Errors
/// Database failures.
pub async fn record_many(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    customer_ids: &[Uuid],
    actor_id: Option<Uuid>,
    occurred_at: DateTime<Utc>,
    event: &Event,
) -> AppResult<()> {
    let row =
        Row { org_id, actor_id, occurred_at, subject_id: None, event, payload: payload_of(event)?, created_at: now() };
    for chunk in customer_ids.chunks(MANY_PER_STATEMENT) {
        let rows = chunk.iter().map(|customer_id| row.on(*customer_id));
        timeline_event::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// An event as stored, but for the customer it goes on.
struct Row<'a> {
    org_id: Uuid,
    actor_id: Option<Uuid>,
    occurred_at: DateTime<Utc>,
    subject_id: Option<Uuid>,
    event: &'a Event,
    payload: Value,
    created_at: DateTime<Utc>,
}

impl Row<'_> {
    fn on(&self, customer_id: Uuid) -> timeline_event::ActiveModel {
        timeline_event::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            customer_id: Set(customer_id),
            occurred_at: Set(self.occurred_at),
            kind: Set(self.event.kind().to_owned()),
            actor_id: Set(self.actor_id),
            subject_id: Set(self.subject_id),
            payload: Set(self.payload.clone()),
            created_at: Set(self.created_at),
        }
    }
}

fn payload_of(event: &Event) -> AppResult<Value> {
    serde_json::to_value(event).map_err(|e| AppError::Internal(e.into()))
}

/// Rows per multi-row INSERT: 9 values each, well inside both databases'
/// limit of bound values per statement (32,766 on SQLite).
const MANY_PER_STATEMENT: usize = 500;

/// The fields whose values differ between two `(name, value)` lists.
pub fn changes(before: &[(&'static str, Value)], after: &[(&'static str, Value)]) -> Vec<FieldChange> {
    before
        .iter()
        .zip(after)
        .filter(|((_, b), (_, a))| a != b)
        .map(|((field, b), (_, a))| FieldChange { field: (*field).to_owned(), before: b.clone(), after: a.clone() })
        .collect()
}

/// One page of a visible customer's timeline, newest first.
///
/// # Errors
/// `NotFound` when the customer is not visible; `BadRequest` for an unknown
/// kind or a foreign cursor; database failures.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    customer_id: Uuid,
    query: TimelineQuery,
) -> AppResult<Page<TimelineEvent>> {
    ensure_visible(db, actor, customer_id).await?;
    let limit = clamp_limit(query.limit);
    let select = page_select(actor.org_id, customer_id, &query)?.limit(limit + 1);
    // The actor's name in the same query.
    let by =
        timeline_event::Entity::belongs_to(user::Entity).from(timeline_event::Column::ActorId).to(user::Column::Id);
    let mut rows = select
        .join(JoinType::LeftJoin, by.into())
        .column_as(user::Column::Name, "actor_name")
        .into_model::<WithActor>()
        .all(db)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|last| {
            let key = last.row.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true);
            Cursor::new(list_name(customer_id), key, last.row.id).encode()
        })
    } else {
        None
    };
    let items = rows
        .into_iter()
        .filter_map(|WithActor { row, actor_name }| {
            let event: Event = match serde_json::from_value(row.payload) {
                Ok(event) => event,
                Err(e) => {
                    tracing::error!(event_id = %row.id, error = %e, "unreadable timeline event skipped");
                    return None;
                }
            };
            Some(TimelineEvent {
                id: row.id,
                customer_id: row.customer_id,
                occurred_at: row.occurred_at,
                actor: row.actor_id.map(|id| UserRef { id, name: actor_name.unwrap_or_default() }),
                event,
            })
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// A timeline row and the name of the user who acted.
#[derive(FromQueryResult)]
struct WithActor {
    #[sea_orm(nested)]
    row: timeline_event::Model,
    actor_name: Option<String>,
}

/// The query of one timeline page: a range of the `(org, customer, time, id)`
/// index, newest first, whatever the filters.
///
/// # Errors
/// `BadRequest` for an unknown kind or a cursor this server did not issue.
pub fn page_select(
    org_id: Uuid,
    customer_id: Uuid,
    query: &TimelineQuery,
) -> AppResult<Select<timeline_event::Entity>> {
    let mut select = timeline_event::Entity::find()
        .filter(timeline_event::Column::OrgId.eq(org_id))
        .filter(timeline_event::Column::CustomerId.eq(customer_id));
    if let Some(raw) = query.kinds.as_deref().filter(|k| !k.trim().is_empty()) {
        let kinds = parse_kinds(raw).map_err(|k| AppError::BadRequest(format!("unknown event kind `{k}`")))?;
        select = select.filter(timeline_event::Column::Kind.is_in(kinds));
    }
    if let Some(who) = query.actor {
        select = select.filter(timeline_event::Column::ActorId.eq(who));
    }
    if let Some(before) = query.before {
        select = select.filter(timeline_event::Column::OccurredAt.lt(before));
    }
    if let Some(after) = query.after {
        select = select.filter(timeline_event::Column::OccurredAt.gte(after));
    }
    if let Some(raw) = &query.cursor {
        select = select.filter(super::older_than_cursor(
            raw,
            &list_name(customer_id),
            timeline_event::Column::OccurredAt,
            timeline_event::Column::Id,
        )?);
    }
    Ok(select.order_by_desc(timeline_event::Column::OccurredAt).order_by_desc(timeline_event::Column::Id))
}

/// The list a timeline cursor belongs to: one customer's timeline.
fn list_name(customer_id: Uuid) -> String {
    format!("timeline:{customer_id}")
}

/// Names of the given users, in one query.
///
/// # Errors
/// Database failures.
pub async fn user_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Name)
        .filter(user::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
