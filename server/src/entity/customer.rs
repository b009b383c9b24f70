//! `customers`: the 360 record. JSON columns hold normalised lists.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub owner_id: Uuid,
    pub kind: String,
    pub name: String,
    pub sort_name: String,
    pub search_text: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub phones: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub emails: Json,
    pub address: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub region: Option<String>,
    pub source_channel: Option<String>,
    pub status: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub custom_fields: Json,
    pub archived_at: Option<DateTimeUtc>,
    pub last_touch_at: DateTimeUtc,
    /// In the shared pool since; `None` while owned.
    pub pooled_at: Option<DateTimeUtc>,
    /// The latest claim from the pool, and who made it.
    pub claimed_at: Option<DateTimeUtc>,
    pub claimed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
