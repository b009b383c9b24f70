//! Personal API keys: an integration authenticates as its key's owner, with
//! the owner's visibility, read-only or read-write. The secret is shown once
//! and stored as SHA-256; revoking (or deactivating the owner) ends it at once.

use super::audit::{self, Entry};
use super::{Actor, new_id, now};
use crate::auth::keys::random_token;
use crate::auth::tokens::sha256_hex;
use crate::entity::{api_key, user};
use crate::error::{AppError, AppResult};
use chrono::Duration;
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::team::{ApiKey, ApiKeyCreated, KeyScope, NewApiKey};
use rapport_shared::validate::required_text;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// Every key starts with this, so a bearer token is told from a session token at a glance.
pub const KEY_PREFIX: &str = "rk_";
/// Characters of the key kept visible to tell keys apart.
const SHOWN: usize = 10;
/// `last_used_at` is written at most this often per key, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

fn to_dto(row: api_key::Model) -> ApiKey {
    ApiKey {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        scope: KeyScope::parse(&row.scope).unwrap_or(KeyScope::Read),
        last_used_at: row.last_used_at,
        created_at: row.created_at,
    }
}

/// The actor's own keys that still work, newest first.
///
/// # Errors
/// Database failures.
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<ApiKey>> {
    let rows = api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(actor.user_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .order_by_desc(api_key::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(to_dto).collect())
}

/// A new key for the actor; the secret is in the answer and nowhere else.
///
/// # Errors
/// `Validation` for the name; database failures.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewApiKey) -> AppResult<ApiKeyCreated> {
    let name = required_text(&input.name, 120).map_err(|e| AppError::field("name", e))?;
    let secret = format!("{KEY_PREFIX}{}", random_token(24));
    let txn = super::begin_write(db).await?;
    let row = api_key::ActiveModel {
        id: Set(new_id()),
        org_id: Set(actor.org_id),
        user_id: Set(actor.user_id),
        name: Set(name),
        prefix: Set(secret.chars().take(SHOWN).collect()),
        secret_hash: Set(sha256_hex(&secret)),
        scope: Set(input.scope.as_str().to_owned()),
        last_used_at: Set(None),
        created_at: Set(now()),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let after = serde_json::json!({"name": row.name, "prefix": row.prefix, "scope": row.scope});
    audit::record(&txn, Entry::by(actor, AuditAction::ApiKeyCreated).target(AuditTarget::ApiKey, row.id).after(after))
        .await?;
    txn.commit().await?;
    Ok(ApiKeyCreated { key: to_dto(row), secret })
}

/// Revokes one of the actor's keys.
///
/// # Errors
/// `NotFound` for a key that is not theirs or already revoked.
pub async fn revoke(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    let row = api_key::Entity::find_by_id(id)
        .filter(api_key::Column::UserId.eq(actor.user_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = serde_json::json!({"name": row.name, "prefix": row.prefix});
    let mut model = row.into_active_model();
    model.revoked_at = Set(Some(now()));
    model.update(&txn).await?;
    audit::record(&txn, Entry::by(actor, AuditAction::ApiKeyRevoked).target(AuditTarget::ApiKey, id).before(before))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// A presented key that works: its id, owner and scope.
#[derive(Debug)]
pub struct KeyHolder {
    pub key_id: Uuid,
    pub owner: user::Model,
    pub scope: KeyScope,
}

/// The key behind a presented secret, if it works: not revoked, and its
/// owner still active.
///
/// # Errors
/// Database failures.
pub async fn authenticate(db: &DatabaseConnection, secret: &str) -> AppResult<Option<KeyHolder>> {
    let Some(key) = api_key::Entity::find()
        .filter(api_key::Column::SecretHash.eq(sha256_hex(secret)))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(owner) = super::users::active(db, key.user_id, key.org_id).await? else { return Ok(None) };
    let scope = KeyScope::parse(&key.scope).unwrap_or(KeyScope::Read);
    let key_id = key.id;
    let at = now();
    if key.last_used_at.is_none_or(|t| at - t > TOUCH_EVERY) {
        let mut model = key.into_active_model();
        model.last_used_at = Set(Some(at));
        model.update(db).await?;
    }
    Ok(Some(KeyHolder { key_id, owner, scope }))
}
