//! Sessions: login, refresh-token rotation with reuse detection, logout, and
//! whether the session an access token names is still live.

use super::audit::{self, Entry};
use super::session_cache::SessionCache;
use super::{Actor, new_id, now, users};
use crate::auth::keys::{Keys, random_token};
use crate::auth::password;
use crate::auth::tokens::{self, REFRESH_TTL_DAYS};
use crate::entity::{refresh_token, user};
use crate::error::{AppError, AppResult};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::auth::{ChangePassword, User};
use rapport_shared::validate::FieldError;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// A fresh session: the access token, the refresh token (plain, for the
/// cookie only) and the user.
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub user: User,
}

/// Checks credentials and opens a session. Success, and failure for an
/// existing account, go to its org's audit log with the client's `address`.
///
/// # Errors
/// `InvalidCredentials` for an unknown e-mail, a wrong password or a
/// deactivated user (indistinguishable on purpose); database failures.
pub async fn login(
    db: &DatabaseConnection,
    keys: &Keys,
    email: &str,
    password: &str,
    address: Option<&str>,
) -> AppResult<Session> {
    let email = email.trim().to_lowercase();
    let found = user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?;
    // Verify even when there is no such user, so timing does not reveal accounts.
    let stored = found.as_ref().map_or(password::DUMMY_HASH.to_owned(), |u| u.password_hash.clone());
    let matches = password::verify(password.to_owned(), stored).await;
    match found {
        Some(user) if matches && user.active => {
            let entry = Entry::in_org(user.org_id, AuditAction::LoginSucceeded)
                .actor(user.id)
                .target(AuditTarget::User, user.id)
                .address(address);
            let session = open(db, keys, user).await?;
            audit::record(db, entry).await?;
            Ok(session)
        }
        Some(user) => {
            // Only admins read the reason; the caller gets the same answer either way.
            let reason = if matches { "deactivated" } else { "wrong_password" };
            let entry = Entry::in_org(user.org_id, AuditAction::LoginFailed)
                .target(AuditTarget::User, user.id)
                .address(address)
                .after(serde_json::json!({ "reason": reason }));
            audit::record(db, entry).await?;
            Err(AppError::InvalidCredentials)
        }
        None => Err(AppError::InvalidCredentials),
    }
}

/// Opens a session for a user already authenticated (login, first run).
///
/// # Errors
/// Database failures.
pub async fn open(db: &DatabaseConnection, keys: &Keys, user: user::Model) -> AppResult<Session> {
    issue(db, keys, user, None).await
}

/// A new refresh token and access token: the next of session `chain`, or
/// the first of a new session.
async fn issue(db: &impl ConnectionTrait, keys: &Keys, user: user::Model, chain: Option<Uuid>) -> AppResult<Session> {
    let refresh_token = random_token(32);
    let id = new_id();
    let session_id = chain.unwrap_or(id);
    refresh_token::ActiveModel {
        id: Set(id),
        org_id: Set(user.org_id),
        user_id: Set(user.id),
        token_hash: Set(tokens::sha256_hex(&refresh_token)),
        expires_at: Set(now() + chrono::Duration::days(REFRESH_TTL_DAYS)),
        revoked_at: Set(None),
        created_at: Set(now()),
        session_id: Set(Some(session_id)),
    }
    .insert(db)
    .await?;
    let access_token = tokens::issue_access(keys, user.id, user.org_id, session_id)?;
    Ok(Session { access_token, refresh_token, user: users::to_dto(db, user).await? })
}

/// The actor an access token speaks for, if its session is live: a token
/// of that chain neither revoked nor expired, of an active user. Signing
/// out, a reused refresh token and deactivation all end the session, and
/// with it every access token issued in it. A session found live is
/// remembered for a second ([`SessionCache`]).
///
/// # Errors
/// Database failures.
pub async fn live_actor(
    db: &DatabaseConnection,
    sessions: &SessionCache,
    user_id: Uuid,
    org_id: Uuid,
    session_id: Uuid,
) -> AppResult<Option<Actor>> {
    if let Some(actor) = sessions.recall(session_id, user_id, org_id) {
        return Ok(Some(actor));
    }
    let generation = sessions.generation();
    // One query: the user, if a live token of the session is theirs.
    let live = Query::select()
        .column(refresh_token::Column::UserId)
        .from(refresh_token::Entity)
        .and_where(refresh_token::Column::SessionId.eq(session_id))
        .and_where(refresh_token::Column::RevokedAt.is_null())
        .and_where(refresh_token::Column::ExpiresAt.gt(now()))
        .to_owned();
    let user = user::Entity::find_by_id(user_id)
        .filter(user::Column::OrgId.eq(org_id))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Id.in_subquery(live))
        .one(db)
        .await?;
    let actor = user.as_ref().map(Actor::of);
    if let Some(actor) = &actor {
        sessions.remember(generation, session_id, actor);
    }
    Ok(actor)
}

/// Exchanges a refresh token for a new session; the old token stops working.
/// Presenting an already-used token (one exchanged before) revokes every
/// session of its user, since it means the token was copied; a token whose
/// session ended is only refused. Both are audited with the client's `address`.
///
/// # Errors
/// `Unauthenticated` for an unknown, expired, reused or orphaned token.
pub async fn refresh(
    db: &DatabaseConnection,
    sessions: &SessionCache,
    keys: &Keys,
    token: &str,
    address: Option<&str>,
) -> AppResult<Session> {
    let txn = super::begin_write(db).await?;
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(tokens::sha256_hex(token)))
        .one(&txn)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let chain = stored.session_id.unwrap_or(stored.id);
    // A token ended with its session (sign-out, password change) is merely
    // stale: another device still holding it must not sign everyone out.
    if stored.revoked_at.is_some() && !was_rotated(&txn, &stored, chain).await? {
        return Err(AppError::Unauthenticated);
    }
    if stored.revoked_at.is_some() {
        revoke_all(&txn, stored.user_id).await?;
        // No actor: whoever presented the copied token is not known to be the user.
        let entry = Entry::in_org(stored.org_id, AuditAction::SessionEnded)
            .target(AuditTarget::User, stored.user_id)
            .address(address)
            .after(serde_json::json!({ "reason": "refresh_token_reused", "sessions": "all" }));
        audit::record(&txn, entry).await?;
        txn.commit().await?;
        sessions.changed(db).await;
        tracing::warn!(user_id = %stored.user_id, "refresh token reused; all sessions revoked");
        return Err(AppError::Unauthenticated);
    }
    if stored.expires_at <= now() {
        return Err(AppError::Unauthenticated);
    }
    let user = users::active(&txn, stored.user_id, stored.org_id).await?.ok_or(AppError::Unauthenticated)?;
    let mut used: refresh_token::ActiveModel = stored.into();
    used.revoked_at = Set(Some(now()));
    used.update(&txn).await?;
    let entry = Entry::in_org(user.org_id, AuditAction::SessionRefreshed)
        .actor(user.id)
        .target(AuditTarget::User, user.id)
        .address(address);
    audit::record(&txn, entry).await?;
    // In the same transaction: the session never lacks a live token, so its
    // access tokens keep working through the rotation.
    let session = issue(&txn, keys, user, Some(chain)).await?;
    txn.commit().await?;
    Ok(session)
}

/// Ends the session of `token` if it is live (every token of its chain, so
/// its access tokens stop working too), and audits it with the client's `address`.
///
/// # Errors
/// Database failures.
pub async fn logout(
    db: &DatabaseConnection,
    sessions: &SessionCache,
    token: &str,
    address: Option<&str>,
) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    let live = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(tokens::sha256_hex(token)))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .one(&txn)
        .await?;
    if let Some(live) = live {
        let chain = live.session_id.unwrap_or(live.id);
        end_chain(&txn, live.org_id, live.user_id, chain, address).await?;
    }
    txn.commit().await?;
    sessions.changed(db).await;
    Ok(())
}

/// Ends session `session_id` of a user, as named by an access token (an API
/// client that signs out holds no refresh cookie), and audits it with the
/// client's `address`. Ending a session already over changes nothing.
///
/// # Errors
/// Database failures.
pub async fn end_session(
    db: &DatabaseConnection,
    sessions: &SessionCache,
    user_id: Uuid,
    org_id: Uuid,
    session_id: Uuid,
    address: Option<&str>,
) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    end_chain(&txn, org_id, user_id, session_id, address).await?;
    txn.commit().await?;
    sessions.changed(db).await;
    Ok(())
}

/// Revokes the live tokens of one session chain of `user_id`; audits it
/// when there was one.
async fn end_chain(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    user_id: Uuid,
    chain: Uuid,
    address: Option<&str>,
) -> AppResult<()> {
    let ended = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::SessionId.eq(chain))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::OrgId.eq(org_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if ended.rows_affected > 0 {
        let entry = Entry::in_org(org_id, AuditAction::SessionEnded)
            .actor(user_id)
            .target(AuditTarget::User, user_id)
            .address(address);
        audit::record(db, entry).await?;
    }
    Ok(())
}

/// Changes the actor's password, proven by the current one. Every session
/// of the user ends (each other device must sign in again) and the caller
/// gets a new one; the new hash, the revocations, the audit entry and the
/// new session are one transaction.
///
/// # Errors
/// `Validation` for a new password that breaks the rules, or a wrong current
/// password (`current_password`: `incorrect`); nothing changes then.
/// `Unauthenticated` if the user is gone; database failures.
pub async fn change_password(
    db: &DatabaseConnection,
    sessions: &SessionCache,
    keys: &Keys,
    actor: &Actor,
    change: &ChangePassword,
) -> AppResult<Session> {
    let new = change.validate().map_err(AppError::Validation)?;
    let user = users::active(db, actor.user_id, actor.org_id).await?.ok_or(AppError::Unauthenticated)?;
    let old_hash = user.password_hash.clone();
    if !password::verify(change.current_password.clone(), old_hash.clone()).await {
        return Err(AppError::field("current_password", FieldError::Incorrect));
    }
    let new_hash = password::hash(new).await?;
    let txn = super::begin_write(db).await?;
    // Only over the hash just verified: a change that won a race makes this
    // one's current password wrong.
    let changed = user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(new_hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now()))
        .filter(user::Column::Id.eq(user.id))
        .filter(user::Column::PasswordHash.eq(old_hash))
        .filter(user::Column::Active.eq(true))
        .exec(&txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::field("current_password", FieldError::Incorrect));
    }
    revoke_all(&txn, user.id).await?;
    let entry = Entry::by(actor, AuditAction::PasswordChanged)
        .target(AuditTarget::User, user.id)
        .after(serde_json::json!({ "sessions": "all_ended" }));
    audit::record(&txn, entry).await?;
    let session = issue(&txn, keys, user, None).await?;
    txn.commit().await?;
    sessions.changed(db).await;
    Ok(session)
}

/// Whether `token` was exchanged for a successor (rotation issues the next
/// token of the chain in the same transaction that revokes it); a token that
/// was not was ended with its whole session.
async fn was_rotated(db: &impl ConnectionTrait, token: &refresh_token::Model, chain: Uuid) -> AppResult<bool> {
    let successor = refresh_token::Entity::find()
        .filter(refresh_token::Column::SessionId.eq(chain))
        .filter(refresh_token::Column::Id.ne(token.id))
        .filter(refresh_token::Column::CreatedAt.gte(token.created_at))
        .one(db)
        .await?;
    Ok(successor.is_some())
}

async fn revoke_all(db: &impl sea_orm::ConnectionTrait, user_id: uuid::Uuid) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
