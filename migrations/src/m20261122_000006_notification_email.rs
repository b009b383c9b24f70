//! E-mail delivery state of notifications: when one was mailed, and when the
//! mail step may next try it (a claim's lease, or the retry after a failure).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(Notifications::Table)
                .add_column(timestamp_with_time_zone_null(Notifications::EmailedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Notifications::Table)
                .add_column(timestamp_with_time_zone_null(Notifications::EmailRetryAt))
                .to_owned(),
        )
        .await?;
        // The mail step's work list: `emailed_at IS NULL AND created_at > now - 24 h`
        // is one range of this index on both databases; mailed rows sit in
        // another range and never slow it down.
        m.create_index(
            Index::create()
                .name("ix_notifications_unmailed")
                .table(Notifications::Table)
                .col(Notifications::EmailedAt)
                .col(Notifications::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_notifications_unmailed").table(Notifications::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Notifications::Table).drop_column(Notifications::EmailRetryAt).to_owned())
            .await?;
        m.alter_table(Table::alter().table(Notifications::Table).drop_column(Notifications::EmailedAt).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    EmailedAt,
    EmailRetryAt,
    CreatedAt,
}
