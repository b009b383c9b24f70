//! First run: an organisation and its first admin. `POST /api/v1/setup` is
//! open only while no organisation exists; `rapport create-admin` adds more.

use super::audit::{self, Entry};
use super::users::{self, NewUser};
use super::{new_id, now};
use crate::entity::{org, server_secret, user};
use crate::error::{AppError, AppResult};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::auth::{Role, ValidSetup};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};

const SETUP_MARKER: &str = "setup_done";

/// # Errors
/// Database failures.
pub async fn needs_setup(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(org::Entity::find().count(db).await? == 0)
}

/// Creates the first organisation and its admin, once.
///
/// # Errors
/// `Conflict` when an organisation exists already; database failures.
pub async fn first_run(db: &DatabaseConnection, setup: ValidSetup) -> AppResult<user::Model> {
    let txn = super::begin_write(db).await?;
    if org::Entity::find().count(&txn).await? > 0 {
        return Err(AppError::conflict("Rapport is already set up; sign in instead"));
    }
    // A unique marker row: of two concurrent first runs, the second insert fails.
    server_secret::ActiveModel { name: Set(SETUP_MARKER.into()), value: Set(String::new()), created_at: Set(now()) }
        .insert(&txn)
        .await
        .map_err(|_| AppError::conflict("Rapport is already set up; sign in instead"))?;
    let user = create_org_with_admin(&txn, setup).await?;
    txn.commit().await?;
    Ok(user)
}

/// Creates another organisation and its admin, all or nothing (`rapport create-admin`).
///
/// # Errors
/// `Conflict` for a taken e-mail; database failures.
pub async fn create_org(db: &DatabaseConnection, setup: ValidSetup) -> AppResult<user::Model> {
    let txn = super::begin_write(db).await?;
    let user = create_org_with_admin(&txn, setup).await?;
    txn.commit().await?;
    Ok(user)
}

/// Creates an organisation and its admin inside the caller's transaction.
///
/// # Errors
/// `Validation` for an unknown time zone; `Conflict` for a taken e-mail; database failures.
pub async fn create_org_with_admin(db: &impl sea_orm::ConnectionTrait, setup: ValidSetup) -> AppResult<user::Model> {
    super::recurrence::known_zone(Some(&setup.time_zone))?;
    let at = now();
    let org = org::ActiveModel {
        id: Set(new_id()),
        name: Set(setup.org_name),
        stale_after_days: Set(14),
        created_at: Set(at),
        updated_at: Set(at),
        // The pool and its limits start off.
        ..Default::default()
    }
    .insert(db)
    .await?;
    super::pipelines::seed_defaults(db, org.id).await?;
    let user = users::insert(
        db,
        NewUser {
            org_id: org.id,
            email: setup.email,
            name: setup.name,
            password: setup.password,
            role: Role::Admin,
            time_zone: setup.time_zone,
            language: setup.language,
            team_id: None,
        },
    )
    .await?;
    // Nobody is signed in yet: the org's first entry has no actor.
    let entry = Entry::in_org(org.id, AuditAction::UserCreated)
        .target(AuditTarget::User, user.id)
        .after(serde_json::json!({"email": user.email, "role": user.role}));
    audit::record(db, entry).await?;
    Ok(user)
}
