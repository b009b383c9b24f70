//! `deals`: an opportunity with a customer, moving through a pipeline's stages.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub customer_id: Uuid,
    pub owner_id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub title: String,
    pub amount_minor: Option<i64>,
    pub currency: String,
    pub expected_close: Option<Date>,
    pub notes: Option<String>,
    pub status: String,
    pub lost_reason: Option<String>,
    pub version: i32,
    pub rank: i64,
    pub stage_entered_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
