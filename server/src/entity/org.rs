//! `orgs`: a tenant. Every business row carries its `org_id`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "orgs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// Customers without a touch for this many days count as "not contacted".
    pub stale_after_days: i32,
    /// Untouched (or lost) customers return to the shared pool after this many days; `None`: no pool.
    pub pool_after_days: Option<i32>,
    /// The most customers a rep may own when claiming; `None`: no limit.
    pub max_owned_per_rep: Option<i32>,
    /// The most pool customers one person may claim in 24 hours; `None`: no quota.
    pub daily_claim_quota: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
