//! Business rules, one module per area. Every function that touches business
//! rows takes the [`Actor`] first and scopes its queries by it: the org always,
//! then the owner — a rep's own records, a manager's team's, an admin's all.
//! A record the actor may not see is `NotFound`, never `Forbidden`.

pub mod activities;
pub mod api_keys;
pub mod audit;
pub mod calendar_feeds;
pub mod contacts;
pub mod customer_search;
pub mod customers;
pub mod deals;
pub mod demo;
pub mod duplicates;
pub mod ical;
pub mod mail;
pub mod notifications;
pub mod org_settings;
pub mod people;
pub mod pipelines;
pub mod playbooks;
pub mod pool;
pub mod recurrence;
pub mod reminders;
pub mod scale_data;
pub mod scheduler;
pub mod search_grams;
pub mod search_sample;
pub mod session_cache;
pub mod sessions;
pub mod setup;
pub mod team_dashboard;
pub mod timeline;
pub mod users;
pub mod write_txn;

use crate::entity::user;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SubsecRound, Utc};
use rapport_shared::auth::Role;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

/// The signed-in user a request acts for.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    /// Their display name, as it was when the session was last checked
    /// (at most a second ago): what a record they write answers as its author.
    pub name: String,
    pub org_id: Uuid,
    pub role: Role,
    /// A manager's team: they see its members' records.
    pub team_id: Option<Uuid>,
    /// The client's network address, for the audit log; `None` outside a request.
    pub address: Option<String>,
}

/// Whose records an actor sees, by their owner.
enum SeenOwners {
    Anyone,
    Team(Uuid),
    Own,
}

impl Actor {
    /// The actor a signed-in user is.
    pub fn of(user: &user::Model) -> Self {
        Self {
            user_id: user.id,
            name: user.name.clone(),
            org_id: user.org_id,
            role: Role::parse(&user.role).unwrap_or(Role::Rep),
            team_id: user.team_id,
            address: None,
        }
    }

    /// A rep of an org of their own, for unit tests.
    #[cfg(test)]
    pub fn test_rep() -> Self {
        Self {
            user_id: Uuid::now_v7(),
            name: String::new(),
            org_id: Uuid::now_v7(),
            role: Role::Rep,
            team_id: None,
            address: None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whose records the actor sees: anyone's (within the org) for an
    /// admin, their team's for a manager, their own otherwise.
    fn seen_owners(&self) -> SeenOwners {
        match (self.role, self.team_id) {
            (Role::Admin, _) => SeenOwners::Anyone,
            (Role::Manager, Some(team)) => SeenOwners::Team(team),
            _ => SeenOwners::Own,
        }
    }

    /// Rows whose `owner` column names someone the actor may see (within
    /// the org, which callers add).
    pub fn sees_owner<C: ColumnTrait>(&self, owner: C) -> Condition {
        match self.seen_owners() {
            SeenOwners::Anyone => Condition::all(),
            SeenOwners::Team(team) => Condition::all().add(
                owner.in_subquery(
                    Query::select()
                        .column(user::Column::Id)
                        .from(user::Entity)
                        .and_where(user::Column::TeamId.eq(team))
                        .to_owned(),
                ),
            ),
            SeenOwners::Own => Condition::all().add(owner.eq(self.user_id)),
        }
    }

    /// Whether [`Self::sees_owner_narrowed`] is a single owner's records.
    pub fn sees_one_owner(&self, only: Option<Uuid>) -> bool {
        only.is_some() || matches!(self.seen_owners(), SeenOwners::Own)
    }

    /// [`Self::sees_owner`], narrowed to the one owner `only` names, if any.
    /// Everyone sees their own records, so narrowed to the actor it is just
    /// `owner = me`: the rule said twice (`owner = ? AND owner = ?`) makes
    /// SQLite 3.51 skip-scan the index and sort, 10× slower for a busy rep.
    pub fn sees_owner_narrowed<C: ColumnTrait>(&self, owner: C, only: Option<Uuid>) -> Condition {
        match only {
            Some(id) if id == self.user_id => Condition::all().add(owner.eq(id)),
            Some(id) => self.sees_owner(owner).add(owner.eq(id)),
            None => self.sees_owner(owner),
        }
    }
}

/// The current time at the precision both databases store (microseconds), so
/// a value read back equals the value written and keyset cursors match exactly.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub use write_txn::{WriteTxn, begin_write};

/// The rows after a newest-first cursor (time descending, then id): written
/// `time <= t AND (time < t OR id < i)` so that `time <= t` bounds the index
/// range; the textbook `time < t OR (time = t AND id < i)` makes the planner
/// scan from the top.
///
/// # Errors
/// `BadRequest` for a cursor this server did not write for `list`.
pub fn older_than_cursor<T: ColumnTrait, I: ColumnTrait>(
    raw: &str,
    list: &str,
    time: T,
    id: I,
) -> AppResult<Condition> {
    let bad = || AppError::BadRequest("cursor is not valid".into());
    let cursor = rapport_shared::Cursor::decode(raw, list).ok_or_else(bad)?;
    let at = DateTime::parse_from_rfc3339(&cursor.key).map_err(|_| bad())?.with_timezone(&Utc);
    Ok(Condition::all().add(time.lte(at)).add(Condition::any().add(time.lt(at)).add(id.lt(cursor.id))))
}

/// A new time-ordered id.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}
