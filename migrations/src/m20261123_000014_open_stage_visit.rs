//! A move closes the deal's open stage visit (`left_at IS NULL`). With only
//! `(deal_id, entered_at)` indexed it read every visit of the deal to find
//! the open one; a deal moved back and forth for years has hundreds.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = "CREATE INDEX ix_deal_history_open ON deal_stage_history (deal_id, left_at)";
const DOWN: &str = "DROP INDEX IF EXISTS ix_deal_history_open";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
