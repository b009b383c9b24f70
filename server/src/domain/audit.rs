//! The audit log. Domain functions append an [`Entry`] with [`record`] inside
//! the transaction of the change they audit, so a change and its entry commit
//! or roll back together. Admins read the log with [`list`]; there is no
//! function that edits or deletes an entry, so the API cannot either.
//!
//! A failed login for an e-mail nobody has is not stored: it belongs to no
//! org (so no admin could read it), and storing it would let a stranger fill
//! the table with guesses. The server log and the login rate limiter see it.

use super::{Actor, new_id, now, timeline};
use crate::entity::audit_event;
use crate::error::{AppError, AppResult};
use chrono::SecondsFormat;
use rapport_shared::audit::{AuditAction, AuditEvent, AuditQuery, AuditTarget};
use rapport_shared::customer::UserRef;
use rapport_shared::page::clamp_limit;
use rapport_shared::{Cursor, Page};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::{Map, Value};
use uuid::Uuid;

/// An entry about to be appended.
#[derive(Debug, Clone)]
#[must_use = "an entry is only kept once passed to `audit::record`"]
pub struct Entry {
    org_id: Uuid,
    actor_id: Option<Uuid>,
    action: AuditAction,
    target: Option<(AuditTarget, Uuid)>,
    address: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
    /// Set by [`Entry::change`] when the update changed nothing: not worth an entry.
    unchanged: bool,
}

impl Entry {
    /// An action of a signed-in actor, from their request's address.
    pub fn by(actor: &Actor, action: AuditAction) -> Self {
        Self { actor_id: Some(actor.user_id), address: actor.address.clone(), ..Self::in_org(actor.org_id, action) }
    }

    /// An action in `org_id` with nobody signed in yet (a login).
    pub fn in_org(org_id: Uuid, action: AuditAction) -> Self {
        Self {
            org_id,
            actor_id: None,
            action,
            target: None,
            address: None,
            before: None,
            after: None,
            unchanged: false,
        }
    }

    pub fn actor(mut self, user_id: Uuid) -> Self {
        self.actor_id = Some(user_id);
        self
    }

    pub fn target(mut self, kind: AuditTarget, id: Uuid) -> Self {
        self.target = Some((kind, id));
        self
    }

    pub fn address(mut self, address: Option<&str>) -> Self {
        self.address = address.map(str::to_owned);
        self
    }

    /// The state before a change or removal.
    pub fn before(mut self, value: Value) -> Self {
        self.before = Some(value);
        self
    }

    /// The state after a change or creation.
    pub fn after(mut self, value: Value) -> Self {
        self.after = Some(value);
        self
    }

    /// Before and after of an update, cut down to the fields that differ, so
    /// an entry shows what changed rather than whole records. When nothing
    /// differs the entry is dropped.
    pub fn change(mut self, before: Value, after: Value) -> Self {
        let (before, after) = changed_fields(before, after);
        self.unchanged = before.as_object().is_some_and(Map::is_empty) && after.as_object().is_some_and(Map::is_empty);
        self.before = Some(before);
        self.after = Some(after);
        self
    }
}

/// The fields of two JSON objects whose values differ (other values whole).
fn changed_fields(before: Value, after: Value) -> (Value, Value) {
    match (before, after) {
        (Value::Object(mut b), Value::Object(mut a)) => {
            let same: Vec<String> = b.iter().filter(|(k, v)| a.get(*k) == Some(*v)).map(|(k, _)| k.clone()).collect();
            for key in same {
                b.remove(&key);
                a.remove(&key);
            }
            (Value::Object(b), Value::Object(a))
        }
        pair => pair,
    }
}

/// Appends an entry. Pass the transaction of the audited change.
///
/// # Errors
/// Database failures.
pub async fn record(db: &impl ConnectionTrait, entry: Entry) -> AppResult<()> {
    if entry.unchanged {
        return Ok(());
    }
    audit_event::ActiveModel {
        id: Set(new_id()),
        org_id: Set(entry.org_id),
        actor_id: Set(entry.actor_id),
        action: Set(entry.action.as_str().to_owned()),
        target_type: Set(entry.target.map(|(kind, _)| kind.as_str().to_owned())),
        target_id: Set(entry.target.map(|(_, id)| id)),
        address: Set(entry.address),
        before: Set(entry.before),
        after: Set(entry.after),
        occurred_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The list the log's cursors belong to.
const LIST: &str = "audit";

/// A page of the actor's org's audit log, newest first.
///
/// # Errors
/// `Forbidden` for non-admins; `BadRequest` for a cursor this server did not
/// issue; database failures.
pub async fn list(db: &DatabaseConnection, actor: &Actor, query: AuditQuery) -> AppResult<Page<AuditEvent>> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden("only an admin can read the audit log"));
    }
    let limit = clamp_limit(query.limit);
    let mut select = audit_event::Entity::find().filter(audit_event::Column::OrgId.eq(actor.org_id));
    if let Some(action) = query.action {
        select = select.filter(audit_event::Column::Action.eq(action.as_str()));
    }
    if let Some(who) = query.actor_id {
        select = select.filter(audit_event::Column::ActorId.eq(who));
    }
    if let Some(target) = query.target_id {
        select = select.filter(audit_event::Column::TargetId.eq(target));
    }
    if let Some(from) = query.from {
        select = select.filter(audit_event::Column::OccurredAt.gte(from));
    }
    if let Some(to) = query.to {
        select = select.filter(audit_event::Column::OccurredAt.lt(to));
    }
    if let Some(raw) = &query.cursor {
        select = select.filter(super::older_than_cursor(
            raw,
            LIST,
            audit_event::Column::OccurredAt,
            audit_event::Column::Id,
        )?);
    }
    let mut rows = select
        .order_by_desc(audit_event::Column::OccurredAt)
        .order_by_desc(audit_event::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|last| {
            Cursor::new(LIST, last.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true), last.id).encode()
        })
    } else {
        None
    };
    let names = timeline::user_names(db, rows.iter().filter_map(|r| r.actor_id)).await?;
    let items = rows
        .into_iter()
        .map(|row| AuditEvent {
            id: row.id,
            occurred_at: row.occurred_at,
            actor: row.actor_id.map(|id| UserRef { id, name: names.get(&id).cloned().unwrap_or_default() }),
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            address: row.address,
            before: row.before,
            after: row.after,
        })
        .collect();
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_keeps_only_the_fields_that_differ() {
        let (before, after) = changed_fields(
            json!({"name": "Ada", "time_zone": "UTC"}),
            json!({"name": "Ada", "time_zone": "Asia/Shanghai"}),
        );
        assert_eq!(before, json!({"time_zone": "UTC"}));
        assert_eq!(after, json!({"time_zone": "Asia/Shanghai"}));
    }

    #[test]
    fn a_change_that_changes_nothing_is_dropped() {
        let entry = Entry::in_org(Uuid::now_v7(), AuditAction::UserUpdated)
            .change(json!({"name": "Ada"}), json!({"name": "Ada"}));
        assert!(entry.unchanged);
    }
}
