//! People administration: the users an actor may see, invitations, roles and
//! teams; reassigning customers; deactivating a user with a handover of
//! everything they own. Admins manage people; a manager sees their team,
//! reassigns within it and deactivates its reps.

use super::audit::{self, Entry};
use super::customers::visible as visible_customers;
use super::recurrence::known_zone;
use super::session_cache::SessionCache;
use super::{Actor, new_id, now, timeline};
use crate::auth::keys::random_token;
use crate::auth::{password, tokens};
use crate::entity::{api_key, calendar_feed, customer, deal, org, refresh_token, reminder, team, user};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::auth::{Language, Role, User, time_zone};
use rapport_shared::customer::UserRef;
use rapport_shared::pipeline::DealStatus;
use rapport_shared::reminder::ReminderStatus;
use rapport_shared::team::{
    AcceptInvite, Deactivate, Moved, NewUserRequest, Reassign, Team, TeamInput, UserCreated, UserPatch,
};
use rapport_shared::timeline::Event;
use rapport_shared::validate::{FieldError, new_password};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// How long an invitation link works.
const INVITE_DAYS: i64 = 7;

fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.is_admin() { Ok(()) } else { Err(AppError::Forbidden("only an admin can manage people")) }
}

/// The users `actor` may see (admin: the org, manager: their team, rep:
/// themselves), active first, then by name.
///
/// # Errors
/// Database failures.
pub async fn list_users(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<User>> {
    let rows = user::Entity::find()
        .filter(user::Column::OrgId.eq(actor.org_id))
        .filter(actor.sees_owner(user::Column::Id))
        .order_by_desc(user::Column::Active)
        .order_by_asc(user::Column::Name)
        .all(db)
        .await?;
    let org_name = org::Entity::find_by_id(actor.org_id).one(db).await?.map(|o| o.name).unwrap_or_default();
    Ok(rows.into_iter().map(|u| user_dto(u, &org_name)).collect())
}

fn user_dto(u: user::Model, org_name: &str) -> User {
    User {
        id: u.id,
        org_id: u.org_id,
        org_name: org_name.to_owned(),
        role: Role::parse(&u.role).unwrap_or(Role::Rep),
        language: Language::from_tag(&u.language).unwrap_or_default(),
        email: u.email,
        name: u.name,
        time_zone: u.time_zone,
        team_id: u.team_id,
        active: u.active,
    }
}

async fn check_team(db: &impl ConnectionTrait, org_id: Uuid, team_id: Option<Uuid>) -> AppResult<()> {
    let Some(id) = team_id else { return Ok(()) };
    let found = team::Entity::find_by_id(id).filter(team::Column::OrgId.eq(org_id)).one(db).await?;
    found.map(|_| ()).ok_or_else(|| AppError::field("team_id", FieldError::UnknownValue))
}

/// Adds a user: ready to sign in with the given password, or invited with
/// a one-time link (returned once; only its hash is kept).
///
/// # Errors
/// `Forbidden` for non-admins; `Validation`; `Conflict` for a taken e-mail.
pub async fn create_user(db: &DatabaseConnection, actor: &Actor, req: NewUserRequest) -> AppResult<UserCreated> {
    require_admin(actor)?;
    let valid = req.validate().map_err(AppError::Validation)?;
    known_zone(Some(&valid.time_zone))?;
    check_team(db, actor.org_id, req.team_id).await?;
    let invite = valid.password.is_none().then(|| random_token(24));
    let new = super::users::NewUser {
        org_id: actor.org_id,
        email: valid.email,
        name: valid.name,
        // An invited user has no usable password until they set one.
        password: valid.password.unwrap_or_else(|| random_token(32)),
        role: req.role,
        time_zone: valid.time_zone,
        language: req.language.unwrap_or_default(),
        team_id: req.team_id,
    };
    let txn = super::begin_write(db).await?;
    let row = super::users::insert(&txn, new).await?;
    let row = match &invite {
        Some(token) => {
            let mut model = row.into_active_model();
            model.invite_hash = Set(Some(tokens::sha256_hex(token)));
            model.invite_expires_at = Set(Some(now() + Duration::days(INVITE_DAYS)));
            model.update(&txn).await?
        }
        None => row,
    };
    let after = serde_json::json!({
        "email": row.email, "role": row.role, "team_id": row.team_id, "invited": invite.is_some(),
    });
    audit::record(&txn, Entry::by(actor, AuditAction::UserCreated).target(AuditTarget::User, row.id).after(after))
        .await?;
    txn.commit().await?;
    Ok(UserCreated { user: super::users::to_dto(db, row).await?, invite_path: invite.map(|t| format!("/invite/{t}")) })
}

/// Sets the password (and the time zone, when given) of an invited user
/// (the link works once) and returns the user, for the caller to open a session.
///
/// # Errors
/// `Validation` for an unknown, used or expired invitation or a weak password.
pub async fn accept_invite(db: &DatabaseConnection, req: AcceptInvite) -> AppResult<user::Model> {
    let password = new_password(&req.password).map_err(|e| AppError::field("password", e))?;
    let zone = req.time_zone.as_deref().map(time_zone).transpose().map_err(|e| AppError::field("time_zone", e))?;
    known_zone(zone.as_deref())?;
    let found = user::Entity::find()
        .filter(user::Column::InviteHash.eq(tokens::sha256_hex(req.token.trim())))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?;
    let row = match found {
        Some(u) if u.invite_expires_at.is_some_and(|t| t > now()) => u,
        _ => return Err(AppError::field("token", FieldError::UnknownValue)),
    };
    let mut model = row.into_active_model();
    model.password_hash = Set(password::hash(password).await?);
    model.invite_hash = Set(None);
    model.invite_expires_at = Set(None);
    if let Some(zone) = zone {
        model.time_zone = Set(zone);
    }
    model.updated_at = Set(now());
    let txn = super::begin_write(db).await?;
    let row = model.update(&txn).await?;
    let entry = Entry::in_org(row.org_id, AuditAction::InviteAccepted).actor(row.id).target(AuditTarget::User, row.id);
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(row)
}

/// Changes a user's name, role, team, time zone or language. The org keeps
/// at least one active admin.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation`; `Conflict` for the last admin.
pub async fn update_user(
    db: &DatabaseConnection,
    sessions: &SessionCache,
    actor: &Actor,
    id: Uuid,
    patch: UserPatch,
) -> AppResult<User> {
    require_admin(actor)?;
    patch.validate().map_err(AppError::Validation)?;
    known_zone(patch.time_zone.as_deref())?;
    let txn = super::begin_write(db).await?;
    let row = find_user(&txn, actor, id).await?;
    if let Some(Some(team)) = patch.team_id {
        check_team(&txn, actor.org_id, Some(team)).await?;
    }
    if patch.role.is_some_and(|r| r != Role::Admin) && row.role == Role::Admin.as_str() {
        keep_an_admin(&txn, actor.org_id, row.id).await?;
    }
    let (role_before, before) = (row.role.clone(), profile_json(&row));
    let mut model = row.into_active_model();
    if let Some(name) = &patch.name {
        model.name = Set(name.trim().to_owned());
    }
    if let Some(role) = patch.role {
        model.role = Set(role.as_str().to_owned());
    }
    if let Some(team) = patch.team_id {
        model.team_id = Set(team);
    }
    if let Some(tz) = &patch.time_zone {
        model.time_zone = Set(tz.trim().to_owned());
    }
    if let Some(language) = patch.language {
        model.language = Set(language.tag().to_owned());
    }
    model.updated_at = Set(now());
    let row = model.update(&txn).await?;
    // A role change is its own action, so "who became admin" is one filter away.
    if row.role != role_before {
        let entry = Entry::by(actor, AuditAction::UserRoleChanged)
            .target(AuditTarget::User, row.id)
            .before(serde_json::json!({"role": role_before}))
            .after(serde_json::json!({"role": row.role}));
        audit::record(&txn, entry).await?;
    }
    let entry = Entry::by(actor, AuditAction::UserUpdated).target(AuditTarget::User, row.id);
    audit::record(&txn, entry.change(before, profile_json(&row))).await?;
    txn.commit().await?;
    sessions.changed(db).await;
    super::users::to_dto(db, row).await
}

/// The fields an admin edits besides the role, as the audit log shows them.
fn profile_json(u: &user::Model) -> serde_json::Value {
    serde_json::json!({"name": u.name, "team_id": u.team_id, "time_zone": u.time_zone, "language": u.language})
}

async fn find_user(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<user::Model> {
    user::Entity::find_by_id(id).filter(user::Column::OrgId.eq(actor.org_id)).one(db).await?.ok_or(AppError::NotFound)
}

async fn keep_an_admin(db: &impl ConnectionTrait, org_id: Uuid, leaving: Uuid) -> AppResult<()> {
    let others = user::Entity::find()
        .filter(user::Column::OrgId.eq(org_id))
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Id.ne(leaving))
        .count(db)
        .await?;
    if others == 0 { Err(AppError::conflict("the organisation needs at least one active admin")) } else { Ok(()) }
}

/// The org's teams with their number of active members.
///
/// # Errors
/// Database failures.
pub async fn list_teams(db: &DatabaseConnection, actor: &Actor) -> AppResult<Vec<Team>> {
    let teams = team::Entity::find()
        .filter(team::Column::OrgId.eq(actor.org_id))
        .order_by_asc(team::Column::Name)
        .all(db)
        .await?;
    let members = user::Entity::find()
        .filter(user::Column::OrgId.eq(actor.org_id))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::TeamId.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .fold(HashMap::<Uuid, u32>::new(), |mut counts, u| {
            if let Some(t) = u.team_id {
                *counts.entry(t).or_default() += 1;
            }
            counts
        });
    Ok(teams
        .into_iter()
        .map(|t| Team {
            members: members.get(&t.id).copied().unwrap_or(0),
            id: t.id,
            name: t.name,
            created_at: t.created_at,
        })
        .collect())
}

/// # Errors
/// `Forbidden`; `Validation`; database failures.
pub async fn create_team(db: &DatabaseConnection, actor: &Actor, input: TeamInput) -> AppResult<Team> {
    require_admin(actor)?;
    let name = input.validate().map_err(AppError::Validation)?;
    let at = now();
    let txn = super::begin_write(db).await?;
    let row = team::ActiveModel {
        id: Set(new_id()),
        org_id: Set(actor.org_id),
        name: Set(name),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let entry = Entry::by(actor, AuditAction::SettingsChanged).target(AuditTarget::Team, row.id);
    audit::record(&txn, entry.after(serde_json::json!({"name": row.name}))).await?;
    txn.commit().await?;
    Ok(Team { id: row.id, name: row.name, members: 0, created_at: row.created_at })
}

/// # Errors
/// `Forbidden`; `NotFound`; `Validation`; database failures.
pub async fn rename_team(db: &DatabaseConnection, actor: &Actor, id: Uuid, input: TeamInput) -> AppResult<Team> {
    require_admin(actor)?;
    let name = input.validate().map_err(AppError::Validation)?;
    let row = team::Entity::find_by_id(id)
        .filter(team::Column::OrgId.eq(actor.org_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let entry = Entry::by(actor, AuditAction::SettingsChanged)
        .target(AuditTarget::Team, id)
        .change(serde_json::json!({"name": row.name}), serde_json::json!({"name": name}));
    let txn = super::begin_write(db).await?;
    let mut model = row.into_active_model();
    model.name = Set(name);
    model.updated_at = Set(now());
    model.update(&txn).await?;
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    list_teams(db, actor).await?.into_iter().find(|t| t.id == id).ok_or(AppError::NotFound)
}

/// Moves customers the actor sees to `owner_id` (someone the actor sees),
/// with their open deals and open reminders; each customer's timeline
/// records the owner change.
///
/// # Errors
/// `Forbidden` for reps; `Validation` for an unknown receiver or customer
/// (nothing moves then); database failures.
pub async fn reassign(db: &DatabaseConnection, actor: &Actor, req: Reassign) -> AppResult<Moved> {
    if actor.role == Role::Rep {
        return Err(AppError::Forbidden("only managers and admins reassign customers"));
    }
    req.validate().map_err(AppError::Validation)?;
    let txn = super::begin_write(db).await?;
    let receiver = user::Entity::find_by_id(req.owner_id)
        .filter(user::Column::OrgId.eq(actor.org_id))
        .filter(user::Column::Active.eq(true))
        .filter(actor.sees_owner(user::Column::Id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::field("owner_id", FieldError::UnknownValue))?;
    let customers = customer::Entity::find()
        .filter(visible_customers(actor))
        .filter(customer::Column::Id.is_in(req.customer_ids.iter().copied()))
        .all(&txn)
        .await?;
    if customers.len() != dedup_len(&req.customer_ids) {
        return Err(AppError::field("customer_ids", FieldError::UnknownValue));
    }
    let plan: Vec<Handover> =
        customers.iter().map(|c| Handover { customer_id: c.id, from: c.owner_id, to: receiver.id }).collect();
    let moved = move_customers(&txn, actor.org_id, Some(actor.user_id), &plan).await?;
    let before: serde_json::Map<String, serde_json::Value> =
        customers.iter().map(|c| (c.id.to_string(), serde_json::json!(c.owner_id))).collect();
    let entry = Entry::by(actor, AuditAction::CustomersReassigned)
        .target(AuditTarget::User, receiver.id)
        .before(serde_json::json!({ "owners": before }))
        .after(moved_json(serde_json::json!({"owner_id": receiver.id}), &moved));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    Ok(moved)
}

/// `fields` plus how much a handover moved, as the audit log shows it.
fn moved_json(mut fields: serde_json::Value, moved: &Moved) -> serde_json::Value {
    if let Some(map) = fields.as_object_mut() {
        map.insert("customers".into(), moved.customers.into());
        map.insert("deals".into(), moved.deals.into());
        map.insert("reminders".into(), moved.reminders.into());
    }
    fields
}

fn dedup_len(ids: &[Uuid]) -> usize {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// Deactivates a user and, in the same transaction, hands everything they
/// own to one receiver or round-robin over the other active members of
/// their team: customers, open deals, open reminders (a running playbook's
/// steps among them). Their sessions, API keys and calendar feed stop
/// working at once.
///
/// # Errors
/// `Forbidden` (reps; a manager outside their team's reps); `NotFound`;
/// `Validation` (no or unknown receiver, a team with no one left);
/// `Conflict` for the last admin or oneself.
pub async fn deactivate(
    db: &DatabaseConnection,
    sessions: &SessionCache,
    actor: &Actor,
    id: Uuid,
    req: Deactivate,
) -> AppResult<Moved> {
    if actor.role == Role::Rep {
        return Err(AppError::Forbidden("only managers and admins deactivate people"));
    }
    req.validate().map_err(AppError::Validation)?;
    if id == actor.user_id {
        return Err(AppError::conflict("you cannot deactivate yourself"));
    }
    let txn = super::begin_write(db).await?;
    let leaving = find_user(&txn, actor, id).await?;
    // A manager deactivates the reps of their own team; admins anyone.
    if !actor.is_admin()
        && (leaving.role != Role::Rep.as_str() || leaving.team_id.is_none() || leaving.team_id != actor.team_id)
    {
        return Err(AppError::Forbidden("a manager deactivates only the reps of their team"));
    }
    if !leaving.active {
        return Err(AppError::conflict("the user is already deactivated"));
    }
    if leaving.role == Role::Admin.as_str() {
        keep_an_admin(&txn, actor.org_id, leaving.id).await?;
    }
    let receivers: Vec<Uuid> = match req.handover_to {
        Some(to) => {
            let found = user::Entity::find_by_id(to)
                .filter(user::Column::OrgId.eq(actor.org_id))
                .filter(user::Column::Active.eq(true))
                .filter(user::Column::Id.ne(leaving.id))
                .filter(actor.sees_owner(user::Column::Id))
                .one(&txn)
                .await?;
            vec![found.ok_or_else(|| AppError::field("handover_to", FieldError::UnknownValue))?.id]
        }
        None => {
            let team = leaving.team_id.ok_or_else(|| AppError::field("handover", FieldError::UnknownValue))?;
            let members = user::Entity::find()
                .filter(user::Column::TeamId.eq(team))
                .filter(user::Column::Active.eq(true))
                .filter(user::Column::Id.ne(leaving.id))
                .order_by_asc(user::Column::Id)
                .all(&txn)
                .await?;
            if members.is_empty() {
                return Err(AppError::field("handover", FieldError::UnknownValue));
            }
            members.into_iter().map(|m| m.id).collect()
        }
    };
    let owned: Vec<Uuid> = customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .filter(customer::Column::OrgId.eq(actor.org_id))
        .filter(customer::Column::OwnerId.eq(leaving.id))
        .order_by_asc(customer::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    let plan: Vec<Handover> = owned
        .into_iter()
        .enumerate()
        .map(|(i, customer_id)| Handover { customer_id, from: leaving.id, to: receivers[i % receivers.len()] })
        .collect();
    let mut moved = move_customers(&txn, actor.org_id, Some(actor.user_id), &plan).await?;
    // What is left of theirs outside those customers goes to the first receiver.
    let at = now();
    moved.deals += count(
        deal::Entity::update_many()
            .col_expr(deal::Column::OwnerId, Expr::value(receivers[0]))
            .col_expr(deal::Column::UpdatedAt, Expr::value(at))
            .filter(deal::Column::OwnerId.eq(leaving.id))
            .filter(deal::Column::Status.eq(DealStatus::Open.as_str()))
            .exec(&txn)
            .await?
            .rows_affected,
    );
    moved.reminders += count(
        reminder::Entity::update_many()
            .col_expr(reminder::Column::AssigneeId, Expr::value(receivers[0]))
            .col_expr(reminder::Column::UpdatedAt, Expr::value(at))
            .filter(reminder::Column::AssigneeId.eq(leaving.id))
            .filter(reminder::Column::Status.eq(ReminderStatus::Open.as_str()))
            .exec(&txn)
            .await?
            .rows_affected,
    );
    let entry = Entry::by(actor, AuditAction::UserDeactivated)
        .target(AuditTarget::User, leaving.id)
        .before(serde_json::json!({"active": true}))
        .after(moved_json(serde_json::json!({"active": false, "handover_to": receivers}), &moved));
    end_access(&txn, leaving, at).await?;
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    sessions.changed(db).await;
    Ok(moved)
}

/// The user can no longer sign in, refresh, or use keys and feeds: every
/// request checks `active`, and the stored credentials are revoked too.
async fn end_access(db: &impl ConnectionTrait, leaving: user::Model, at: DateTime<Utc>) -> AppResult<()> {
    let id = leaving.id;
    let mut model = leaving.into_active_model();
    model.active = Set(false);
    model.invite_hash = Set(None);
    model.updated_at = Set(at);
    model.update(db).await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(at))
        .filter(refresh_token::Column::UserId.eq(id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(at))
        .filter(api_key::Column::UserId.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    calendar_feed::Entity::delete_many().filter(calendar_feed::Column::UserId.eq(id)).exec(db).await?;
    Ok(())
}

/// One customer changing hands.
struct Handover {
    customer_id: Uuid,
    from: Uuid,
    to: Uuid,
}

/// Customers changing hands per statement.
const HANDOVER_CHUNK: usize = 500;

/// Gives each customer its new owner, with the old owner's open deals and
/// open reminders on it, and records `owner_changed` on its timeline.
///
/// Set-based, a chunk of customers with the same old and new owner at a
/// time: four statements per chunk instead of four per customer, so a rep
/// with tens of thousands of customers leaves in seconds, and SQLite's
/// other writers are not kept waiting behind the handover for minutes.
async fn move_customers(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    actor_id: Option<Uuid>,
    plan: &[Handover],
) -> AppResult<Moved> {
    let at = now();
    let names = timeline::user_names(db, plan.iter().flat_map(|h| [h.from, h.to])).await?;
    let user_ref = |id: Uuid| UserRef { id, name: names.get(&id).cloned().unwrap_or_default() };
    let mut pairs: std::collections::BTreeMap<(Uuid, Uuid), Vec<Uuid>> = Default::default();
    for h in plan.iter().filter(|h| h.from != h.to) {
        pairs.entry((h.from, h.to)).or_default().push(h.customer_id);
    }
    let mut moved = Moved::default();
    for ((from, to), customer_ids) in pairs {
        let event = Event::OwnerChanged { from: user_ref(from), to: user_ref(to) };
        for chunk in customer_ids.chunks(HANDOVER_CHUNK) {
            // Only those still `from`'s move, and only those get the rest.
            let ids: Vec<Uuid> = customer::Entity::update_many()
                .col_expr(customer::Column::OwnerId, Expr::value(to))
                .col_expr(customer::Column::UpdatedAt, Expr::value(at))
                .filter(customer::Column::Id.is_in(chunk.iter().copied()))
                .filter(customer::Column::OwnerId.eq(from))
                .exec_with_returning(db)
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect();
            let deals = deal::Entity::update_many()
                .col_expr(deal::Column::OwnerId, Expr::value(to))
                .col_expr(deal::Column::UpdatedAt, Expr::value(at))
                .filter(deal::Column::CustomerId.is_in(ids.iter().copied()))
                .filter(deal::Column::OwnerId.eq(from))
                .filter(deal::Column::Status.eq(DealStatus::Open.as_str()))
                .exec(db)
                .await?;
            let reminders = reminder::Entity::update_many()
                .col_expr(reminder::Column::AssigneeId, Expr::value(to))
                .col_expr(reminder::Column::UpdatedAt, Expr::value(at))
                .filter(reminder::Column::CustomerId.is_in(ids.iter().copied()))
                .filter(reminder::Column::AssigneeId.eq(from))
                .filter(reminder::Column::Status.eq(ReminderStatus::Open.as_str()))
                .exec(db)
                .await?;
            timeline::record_many(db, org_id, &ids, actor_id, at, &event).await?;
            moved.customers += u32::try_from(ids.len()).unwrap_or(u32::MAX);
            moved.deals += count(deals.rows_affected);
            moved.reminders += count(reminders.rows_affected);
        }
    }
    Ok(moved)
}

fn count(rows: u64) -> u32 {
    u32::try_from(rows).unwrap_or(u32::MAX)
}
