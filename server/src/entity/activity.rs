//! `activities`: calls, visits, messages, notes… Deleted ones are kept (soft delete).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Uuid,
    pub kind: String,
    pub direction: Option<String>,
    pub outcome: Option<String>,
    pub occurred_at: DateTimeUtc,
    pub duration_secs: Option<i32>,
    pub contact_id: Option<Uuid>,
    pub body: Option<String>,
    pub next_follow_up_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
