//! The channel a reminder asks for (call, visit, message, e-mail…): playbook
//! steps carry one, so the agenda can show it and log that activity on done.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Reminders::Table).add_column(string_len_null(Reminders::Channel, 12)).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Reminders::Table).drop_column(Reminders::Channel).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Channel,
}
