//! The org's follow-up settings: read by everyone in the org, changed by admins.

use super::audit::{self, Entry};
use super::{Actor, now};
use crate::entity::org;
use crate::error::{AppError, AppResult};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::org_settings::{OrgSettings, OrgSettingsPatch};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, Set};

/// The actor's org.
///
/// # Errors
/// `NotFound` when the org is gone; database failures.
pub async fn org_of(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<org::Model> {
    org::Entity::find_by_id(actor.org_id).one(db).await?.ok_or(AppError::NotFound)
}

/// # Errors
/// Database failures.
pub async fn get(db: &DatabaseConnection, actor: &Actor) -> AppResult<OrgSettings> {
    Ok(to_dto(&org_of(db, actor).await?))
}

/// Applies a patch; nothing changes when any field is rejected.
///
/// # Errors
/// `Forbidden` unless the actor is an admin; `Validation`; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, patch: OrgSettingsPatch) -> AppResult<OrgSettings> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden("only an admin can change the organisation's settings"));
    }
    let row = org_of(db, actor).await?;
    let before = to_dto(&row);
    let next = patch.apply(&before).map_err(AppError::Validation)?;
    let mut model = row.into_active_model();
    model.stale_after_days = Set(to_db(next.stale_after_days));
    model.pool_after_days = Set(next.pool_after_days.map(to_db));
    model.max_owned_per_rep = Set(next.max_owned_per_rep.map(to_db));
    model.daily_claim_quota = Set(next.daily_claim_quota.map(to_db));
    model.updated_at = Set(now());
    let txn = super::begin_write(db).await?;
    let after = to_dto(&model.update(&txn).await?);
    let entry = Entry::by(actor, AuditAction::SettingsChanged)
        .target(AuditTarget::Org, actor.org_id)
        .change(audit_json(&before), audit_json(&after));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(after)
}

/// The settings as the audit log shows them.
fn audit_json(s: &OrgSettings) -> serde_json::Value {
    serde_json::json!({
        "stale_after_days": s.stale_after_days,
        "pool_after_days": s.pool_after_days,
        "max_owned_per_rep": s.max_owned_per_rep,
        "daily_claim_quota": s.daily_claim_quota,
    })
}

/// The settings of a stored org (numbers were validated on the way in).
pub fn to_dto(row: &org::Model) -> OrgSettings {
    OrgSettings {
        stale_after_days: from_db(row.stale_after_days),
        pool_after_days: row.pool_after_days.map(from_db),
        max_owned_per_rep: row.max_owned_per_rep.map(from_db),
        daily_claim_quota: row.daily_claim_quota.map(from_db),
    }
}

/// A stored setting; anything below 1 counts as 1.
pub fn from_db(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0).max(1)
}

fn to_db(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
