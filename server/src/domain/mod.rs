//! Business rules, one module per area. Every function that touches business
//! rows takes the [`Actor`] first and scopes its queries by it: the org always,
//! and the owner for reps and managers (teams arrive with the teams issue).
//! A record the actor may not see is `NotFound`, never `Forbidden`.

pub mod activities;
pub mod calendar_feeds;
pub mod contacts;
pub mod customers;
pub mod deals;
pub mod demo;
pub mod ical;
pub mod mail;
pub mod notifications;
pub mod pipelines;
pub mod playbooks;
pub mod recurrence;
pub mod reminders;
pub mod scheduler;
pub mod sessions;
pub mod setup;
pub mod timeline;
pub mod users;

use chrono::{DateTime, SubsecRound, Utc};
use rapport_shared::auth::Role;
use uuid::Uuid;

/// The signed-in user a request acts for.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub role: Role,
}

impl Actor {
    /// Sees every record of the org (not only their own).
    pub fn sees_whole_org(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The current time at the precision both databases store (microseconds), so
/// a value read back equals the value written and keyset cursors match exactly.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A new time-ordered id.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}
