//! A user's notifications: newest first, mark read one by one or all at once.
//! Everyone sees only their own.

use super::scheduler::to_dto;
use super::{Actor, now};
use crate::entity::notification;
use crate::error::{AppError, AppResult};
use chrono::Duration;
use rapport_shared::page::clamp_limit;
use rapport_shared::reminder::Notification;
use rapport_shared::{Cursor, Page};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// The list the notification cursors belong to.
const LIST: &str = "notifications";

/// How far before the last event a reconnecting stream looks again: two
/// processes may commit notifications slightly out of id order.
const REPLAY_SLACK: Duration = Duration::seconds(10);

fn mine(actor: &Actor) -> sea_orm::Select<notification::Entity> {
    notification::Entity::find()
        .filter(notification::Column::OrgId.eq(actor.org_id))
        .filter(notification::Column::UserId.eq(actor.user_id))
}

/// # Errors
/// `BadRequest` for a bad cursor; database failures.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> AppResult<Page<Notification>> {
    let limit = clamp_limit(limit);
    let mut select = mine(actor);
    if let Some(raw) = cursor {
        let cursor = Cursor::decode(raw, LIST).ok_or_else(|| AppError::BadRequest("cursor is not valid".into()))?;
        select = select.filter(notification::Column::Id.lt(cursor.id));
    }
    let mut rows = select.order_by_desc(notification::Column::Id).limit(limit + 1).all(db).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| Cursor::new(LIST, "", r.id).encode())
    } else {
        None
    };
    Ok(Page { items: rows.into_iter().map(to_dto).collect(), next_cursor })
}

/// # Errors
/// `NotFound` for someone else's notification; database failures.
pub async fn mark_read(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let found = mine(actor).filter(notification::Column::Id.eq(id)).one(db).await?.ok_or(AppError::NotFound)?;
    if found.read_at.is_none() {
        notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(now()))
            .filter(notification::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// # Errors
/// Database failures.
pub async fn mark_all_read(db: &DatabaseConnection, actor: &Actor) -> AppResult<u64> {
    let result = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now()))
        .filter(notification::Column::OrgId.eq(actor.org_id))
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// What a stream that last saw `last_id` may have missed, oldest first (the
/// client ignores ids it has already shown).
///
/// # Errors
/// Database failures.
pub async fn since(db: &DatabaseConnection, actor: &Actor, last_id: Uuid) -> AppResult<Vec<Notification>> {
    let Some(last) = mine(actor).filter(notification::Column::Id.eq(last_id)).one(db).await? else {
        return Ok(Vec::new());
    };
    let rows = mine(actor)
        .filter(notification::Column::CreatedAt.gte(last.created_at - REPLAY_SLACK))
        .filter(notification::Column::Id.ne(last_id))
        .order_by_asc(notification::Column::CreatedAt)
        .limit(500)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(to_dto).collect())
}
