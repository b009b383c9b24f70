//! `reminders`: follow-up tasks with due time, recurrence and the scheduler's next alert.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub assignee_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub title: String,
    pub note: Option<String>,
    pub due_at: DateTimeUtc,
    pub snoozed_until: Option<DateTimeUtc>,
    pub priority: String,
    pub status: String,
    pub recurrence: Option<Json>,
    pub occurrence: i32,
    pub source: String,
    pub activity_id: Option<Uuid>,
    pub playbook_run_id: Option<Uuid>,
    pub channel: Option<String>,
    pub created_by: Uuid,
    pub completed_at: Option<DateTimeUtc>,
    pub next_alert_at: Option<DateTimeUtc>,
    pub due_notified_at: Option<DateTimeUtc>,
    pub overdue_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
