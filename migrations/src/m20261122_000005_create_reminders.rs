//! Reminders, notifications, follow-up playbooks and their runs, calendar
//! feed secrets; per-user digest time and the org's "not contacted" days.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Reminders::Table)
                .col(pk_uuid(Reminders::Id))
                .col(uuid(Reminders::OrgId))
                .col(uuid(Reminders::AssigneeId))
                .col(uuid_null(Reminders::CustomerId))
                .col(uuid_null(Reminders::DealId))
                .col(string_len(Reminders::Title, 200))
                .col(text_null(Reminders::Note))
                .col(timestamp_with_time_zone(Reminders::DueAt))
                .col(timestamp_with_time_zone_null(Reminders::SnoozedUntil))
                .col(string_len(Reminders::Priority, 8))
                .col(string_len(Reminders::Status, 12))
                .col(json_binary_null(Reminders::Recurrence))
                .col(integer(Reminders::Occurrence))
                .col(string_len(Reminders::Source, 12))
                .col(uuid_null(Reminders::ActivityId))
                .col(uuid_null(Reminders::PlaybookRunId))
                .col(uuid(Reminders::CreatedBy))
                .col(timestamp_with_time_zone_null(Reminders::CompletedAt))
                // The scheduler's work list: when it must next look at this
                // reminder (its due time, then the end of its due day for
                // "overdue"); NULL once nothing is left to announce.
                .col(timestamp_with_time_zone_null(Reminders::NextAlertAt))
                .col(timestamp_with_time_zone_null(Reminders::DueNotifiedAt))
                .col(timestamp_with_time_zone_null(Reminders::OverdueAt))
                .col(timestamp_with_time_zone(Reminders::CreatedAt))
                .col(timestamp_with_time_zone(Reminders::UpdatedAt))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_reminders_alert", vec![Reminders::NextAlertAt]),
            (
                "ix_reminders_assignee",
                vec![Reminders::OrgId, Reminders::AssigneeId, Reminders::Status, Reminders::DueAt],
            ),
            ("ix_reminders_customer", vec![Reminders::CustomerId, Reminders::DueAt]),
            ("ix_reminders_run", vec![Reminders::PlaybookRunId]),
            ("ix_reminders_activity", vec![Reminders::ActivityId]),
        ] {
            let mut index = Index::create().name(name).table(Reminders::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            m.create_index(index).await?;
        }

        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(pk_uuid(Notifications::Id))
                .col(uuid(Notifications::OrgId))
                .col(uuid(Notifications::UserId))
                .col(string_len(Notifications::Kind, 24))
                .col(string_len(Notifications::Title, 300))
                .col(text_null(Notifications::Body))
                .col(uuid_null(Notifications::ReminderId))
                .col(uuid_null(Notifications::CustomerId))
                // One notification per reminder occurrence and kind, also
                // when two processes race: the unique index refuses a second.
                .col(string_len(Notifications::DedupeKey, 120))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_notifications_dedupe")
                .table(Notifications::Table)
                .col(Notifications::DedupeKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_notifications_user")
                .table(Notifications::Table)
                .col(Notifications::UserId)
                .col(Notifications::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Playbooks::Table)
                .col(pk_uuid(Playbooks::Id))
                .col(uuid(Playbooks::OrgId))
                .col(string_len(Playbooks::Name, 120))
                .col(json_binary(Playbooks::Steps))
                .col(uuid_null(Playbooks::TriggerStageId))
                .col(timestamp_with_time_zone_null(Playbooks::ArchivedAt))
                .col(timestamp_with_time_zone(Playbooks::CreatedAt))
                .col(timestamp_with_time_zone(Playbooks::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_playbooks_org").table(Playbooks::Table).col(Playbooks::OrgId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PlaybookRuns::Table)
                .col(pk_uuid(PlaybookRuns::Id))
                .col(uuid(PlaybookRuns::OrgId))
                .col(uuid(PlaybookRuns::PlaybookId))
                .col(uuid(PlaybookRuns::CustomerId))
                .col(uuid_null(PlaybookRuns::DealId))
                .col(uuid(PlaybookRuns::StartedBy))
                .col(string_len(PlaybookRuns::Status, 12))
                .col(string_len_null(PlaybookRuns::StopReason, 40))
                .col(timestamp_with_time_zone(PlaybookRuns::StartedAt))
                .col(timestamp_with_time_zone_null(PlaybookRuns::EndedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_playbook_runs_customer")
                .table(PlaybookRuns::Table)
                .col(PlaybookRuns::CustomerId)
                .col(PlaybookRuns::Status)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CalendarFeeds::Table)
                .col(pk_uuid(CalendarFeeds::Id))
                .col(uuid(CalendarFeeds::OrgId))
                .col(uuid(CalendarFeeds::UserId))
                .col(string_len(CalendarFeeds::SecretHash, 64))
                .col(timestamp_with_time_zone(CalendarFeeds::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_calendar_feeds_secret")
                .table(CalendarFeeds::Table)
                .col(CalendarFeeds::SecretHash)
                .unique()
                .to_owned(),
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(timestamp_with_time_zone_null(Users::NextDigestAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Orgs::Table).add_column(integer(Orgs::StaleAfterDays).default(14)).to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Orgs::Table).drop_column(Orgs::StaleAfterDays).to_owned()).await?;
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::NextDigestAt).to_owned()).await?;
        for table in [
            CalendarFeeds::Table.into_iden(),
            PlaybookRuns::Table.into_iden(),
            Playbooks::Table.into_iden(),
            Notifications::Table.into_iden(),
            Reminders::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Id,
    OrgId,
    AssigneeId,
    CustomerId,
    DealId,
    Title,
    Note,
    DueAt,
    SnoozedUntil,
    Priority,
    Status,
    Recurrence,
    Occurrence,
    Source,
    ActivityId,
    PlaybookRunId,
    CreatedBy,
    CompletedAt,
    NextAlertAt,
    DueNotifiedAt,
    OverdueAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    OrgId,
    UserId,
    Kind,
    Title,
    Body,
    ReminderId,
    CustomerId,
    DedupeKey,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Playbooks {
    Table,
    Id,
    OrgId,
    Name,
    Steps,
    TriggerStageId,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlaybookRuns {
    Table,
    Id,
    OrgId,
    PlaybookId,
    CustomerId,
    DealId,
    StartedBy,
    Status,
    StopReason,
    StartedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    Id,
    OrgId,
    UserId,
    SecretHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    NextDigestAt,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    StaleAfterDays,
}
