//! The follow-up timeline, activities, and idempotency keys for retried writes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TimelineEvents::Table)
                .col(pk_uuid(TimelineEvents::Id))
                .col(uuid(TimelineEvents::OrgId))
                .col(uuid(TimelineEvents::CustomerId))
                .col(timestamp_with_time_zone(TimelineEvents::OccurredAt))
                .col(string_len(TimelineEvents::Kind, 32))
                .col(uuid_null(TimelineEvents::ActorId))
                .col(uuid_null(TimelineEvents::SubjectId))
                .col(json_binary(TimelineEvents::Payload))
                .col(timestamp_with_time_zone(TimelineEvents::CreatedAt))
                .to_owned(),
        )
        .await?;
        // A customer's timeline is one range scan of this index, newest first, paged by (time, id).
        m.create_index(
            Index::create()
                .name("ix_timeline_customer_time")
                .table(TimelineEvents::Table)
                .col(TimelineEvents::OrgId)
                .col(TimelineEvents::CustomerId)
                .col(TimelineEvents::OccurredAt)
                .col(TimelineEvents::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Activities::Table)
                .col(pk_uuid(Activities::Id))
                .col(uuid(Activities::OrgId))
                .col(uuid(Activities::CustomerId))
                .col(uuid(Activities::AuthorId))
                .col(string_len(Activities::Kind, 16))
                .col(string_len_null(Activities::Direction, 8))
                .col(string_len_null(Activities::Outcome, 32))
                .col(timestamp_with_time_zone(Activities::OccurredAt))
                .col(integer_null(Activities::DurationSecs))
                .col(uuid_null(Activities::ContactId))
                .col(text_null(Activities::Body))
                .col(timestamp_with_time_zone_null(Activities::NextFollowUpAt))
                .col(timestamp_with_time_zone_null(Activities::DeletedAt))
                .col(timestamp_with_time_zone(Activities::CreatedAt))
                .col(timestamp_with_time_zone(Activities::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // Last touch is the latest live activity of a customer.
        m.create_index(
            Index::create()
                .name("ix_activities_customer_time")
                .table(Activities::Table)
                .col(Activities::OrgId)
                .col(Activities::CustomerId)
                .col(Activities::OccurredAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(pk_uuid(IdempotencyKeys::Id))
                .col(uuid(IdempotencyKeys::UserId))
                .col(string_len(IdempotencyKeys::Key, 200))
                .col(string_len(IdempotencyKeys::RequestHash, 64))
                .col(uuid(IdempotencyKeys::ResourceId))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                .to_owned(),
        )
        .await?;
        // One key per user: the second insert of a retried request fails here.
        m.create_index(
            Index::create()
                .name("ux_idempotency_user_key")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::UserId)
                .col(IdempotencyKeys::Key)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Activities::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(TimelineEvents::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum TimelineEvents {
    Table,
    Id,
    OrgId,
    CustomerId,
    OccurredAt,
    Kind,
    ActorId,
    SubjectId,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    OrgId,
    CustomerId,
    AuthorId,
    Kind,
    Direction,
    Outcome,
    OccurredAt,
    DurationSecs,
    ContactId,
    Body,
    NextFollowUpAt,
    DeletedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    UserId,
    Key,
    RequestHash,
    ResourceId,
    CreatedAt,
}
