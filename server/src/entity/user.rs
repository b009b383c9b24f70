//! `users`: people who sign in, with role, time zone and language.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub time_zone: String,
    pub language: String,
    pub active: bool,
    /// When this user's next daily digest is due (their local morning).
    pub next_digest_at: Option<DateTimeUtc>,
    /// A manager sees the records of their team's members.
    pub team_id: Option<Uuid>,
    /// SHA-256 of a pending one-time invitation, and when it lapses.
    pub invite_hash: Option<String>,
    pub invite_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
