//! Users: creation, lookup and the DTO a client sees.

use super::audit::{self, Entry};
use super::session_cache::SessionCache;
use super::{Actor, new_id, now};
use crate::auth::password;
use crate::entity::{org, user};
use crate::error::{AppError, AppResult};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::auth::{Language, Role, UpdateMe, User, time_zone};
use rapport_shared::validate::{Email, FieldErrors, required_text};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

/// The fields of a new user, already validated.
pub struct NewUser {
    pub org_id: Uuid,
    pub email: Email,
    pub name: String,
    pub password: String,
    pub role: Role,
    pub time_zone: String,
    pub language: Language,
    pub team_id: Option<Uuid>,
}

/// Inserts a user; an e-mail already in use is a 409.
///
/// # Errors
/// `Conflict` for a taken e-mail; database failures.
pub async fn insert(db: &impl ConnectionTrait, new: NewUser) -> AppResult<user::Model> {
    let taken = user::Entity::find().filter(user::Column::Email.eq(new.email.as_str())).one(db).await?.is_some();
    if taken {
        return Err(AppError::Conflict {
            message: "a user with this e-mail already exists".into(),
            details: Some(serde_json::json!({"field": "email"})),
        });
    }
    let at = now();
    let model = user::ActiveModel {
        id: Set(new_id()),
        org_id: Set(new.org_id),
        email: Set(new.email.to_string()),
        name: Set(new.name),
        password_hash: Set(password::hash(new.password).await?),
        role: Set(new.role.as_str().into()),
        time_zone: Set(new.time_zone),
        language: Set(new.language.tag().into()),
        active: Set(true),
        next_digest_at: Set(None),
        team_id: Set(new.team_id),
        invite_hash: Set(None),
        invite_expires_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    Ok(model.insert(db).await?)
}

/// The active user behind an access token; `None` if gone, deactivated or moved.
///
/// # Errors
/// Database failures.
pub async fn active(db: &impl ConnectionTrait, user_id: Uuid, org_id: Uuid) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(user_id)
        .filter(user::Column::OrgId.eq(org_id))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?)
}

/// The actor's own profile.
///
/// # Errors
/// `Unauthenticated` if the user vanished; database failures.
pub async fn me(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<User> {
    let user = active(db, actor.user_id, actor.org_id).await?.ok_or(AppError::Unauthenticated)?;
    to_dto(db, user).await
}

/// Changes the actor's own name, time zone or language (audited as `user.updated`).
///
/// # Errors
/// `Validation` for bad values (nothing changes then); database failures.
pub async fn update_me(
    db: &DatabaseConnection,
    sessions: &SessionCache,
    actor: &Actor,
    patch: UpdateMe,
) -> AppResult<User> {
    let user = active(db, actor.user_id, actor.org_id).await?.ok_or(AppError::Unauthenticated)?;
    let mut e = FieldErrors::default();
    let name = patch.name.as_deref().and_then(|n| e.check("name", required_text(n, 200)));
    let tz = patch.time_zone.as_deref().and_then(|t| e.check("time_zone", time_zone(t)));
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    super::recurrence::known_zone(tz.as_deref())?;
    let before = profile_json(&user);
    // Sessions carry the user's name (an activity's author is answered from it).
    let renamed = name.as_ref().is_some_and(|n| *n != user.name);
    let mut active = user.into_active_model();
    if let Some(name) = name {
        active.name = Set(name);
    }
    if let Some(tz) = tz {
        active.time_zone = Set(tz);
    }
    if let Some(language) = patch.language {
        active.language = Set(language.tag().into());
    }
    active.updated_at = Set(now());
    let txn = super::begin_write(db).await?;
    let user = active.update(&txn).await?;
    let entry = Entry::by(actor, AuditAction::UserUpdated).target(AuditTarget::User, user.id);
    audit::record(&txn, entry.change(before, profile_json(&user))).await?;
    txn.commit().await?;
    if renamed {
        sessions.changed(db).await;
    }
    to_dto(db, user).await
}

/// The profile fields a user edits, as the audit log shows them.
fn profile_json(user: &user::Model) -> serde_json::Value {
    serde_json::json!({"name": user.name, "time_zone": user.time_zone, "language": user.language})
}

/// # Errors
/// Database failures.
pub async fn to_dto(db: &impl ConnectionTrait, user: user::Model) -> AppResult<User> {
    let org_name = org::Entity::find_by_id(user.org_id).one(db).await?.map(|o| o.name).unwrap_or_default();
    Ok(User {
        id: user.id,
        org_id: user.org_id,
        org_name,
        email: user.email,
        name: user.name,
        role: Role::parse(&user.role).unwrap_or(Role::Rep),
        time_zone: user.time_zone,
        language: Language::from_tag(&user.language).unwrap_or_default(),
        team_id: user.team_id,
        active: user.active,
    })
}
