//! `notifications`: what a user should see, kept until read; one per reminder occurrence and kind.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub reminder_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub dedupe_key: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    /// When it was e-mailed (see `domain::mail`); NULL while not (yet) sent.
    pub emailed_at: Option<DateTimeUtc>,
    /// When the mail step may next try it: a claim's lease, or the retry
    /// after a failed send; NULL when never tried.
    pub email_retry_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
