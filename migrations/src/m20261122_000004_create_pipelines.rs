//! Sales pipelines, their stages, deals, each deal's stage history, and the
//! org's reasons for lost deals.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Pipelines::Table)
                .col(pk_uuid(Pipelines::Id))
                .col(uuid(Pipelines::OrgId))
                .col(string_len(Pipelines::Name, 120))
                .col(integer(Pipelines::Position))
                .col(timestamp_with_time_zone(Pipelines::CreatedAt))
                .col(timestamp_with_time_zone(Pipelines::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_pipelines_org").table(Pipelines::Table).col(Pipelines::OrgId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Stages::Table)
                .col(pk_uuid(Stages::Id))
                .col(uuid(Stages::OrgId))
                .col(uuid(Stages::PipelineId))
                .col(string_len(Stages::Name, 120))
                .col(integer(Stages::Position))
                .col(integer(Stages::Probability))
                .col(integer_null(Stages::RottingDays))
                .col(string_len(Stages::Kind, 8))
                .col(timestamp_with_time_zone(Stages::CreatedAt))
                .col(timestamp_with_time_zone(Stages::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Stages::Table, Stages::PipelineId)
                        .to(Pipelines::Table, Pipelines::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_stages_pipeline")
                .table(Stages::Table)
                .col(Stages::PipelineId)
                .col(Stages::Position)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Deals::Table)
                .col(pk_uuid(Deals::Id))
                .col(uuid(Deals::OrgId))
                .col(uuid(Deals::CustomerId))
                .col(uuid(Deals::OwnerId))
                .col(uuid(Deals::PipelineId))
                .col(uuid(Deals::StageId))
                .col(string_len(Deals::Title, 200))
                .col(big_integer_null(Deals::AmountMinor))
                .col(string_len(Deals::Currency, 3))
                .col(date_null(Deals::ExpectedClose))
                .col(text_null(Deals::Notes))
                .col(string_len(Deals::Status, 8))
                .col(string_len_null(Deals::LostReason, 120))
                .col(integer(Deals::Version))
                .col(big_integer(Deals::Rank))
                .col(timestamp_with_time_zone(Deals::StageEnteredAt))
                .col(timestamp_with_time_zone_null(Deals::ArchivedAt))
                .col(timestamp_with_time_zone(Deals::CreatedAt))
                .col(timestamp_with_time_zone(Deals::UpdatedAt))
                .foreign_key(ForeignKey::create().from(Deals::Table, Deals::StageId).to(Stages::Table, Stages::Id))
                .to_owned(),
        )
        .await?;
        // The board reads each stage's cards in rank order; lists page by id within an org/owner.
        m.create_index(
            Index::create()
                .name("ix_deals_stage_rank")
                .table(Deals::Table)
                .col(Deals::OrgId)
                .col(Deals::StageId)
                .col(Deals::Rank)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deals_owner")
                .table(Deals::Table)
                .col(Deals::OrgId)
                .col(Deals::OwnerId)
                .col(Deals::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deals_customer")
                .table(Deals::Table)
                .col(Deals::OrgId)
                .col(Deals::CustomerId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DealStageHistory::Table)
                .col(pk_uuid(DealStageHistory::Id))
                .col(uuid(DealStageHistory::OrgId))
                .col(uuid(DealStageHistory::DealId))
                .col(uuid(DealStageHistory::StageId))
                .col(timestamp_with_time_zone(DealStageHistory::EnteredAt))
                .col(uuid(DealStageHistory::EnteredBy))
                .col(timestamp_with_time_zone_null(DealStageHistory::LeftAt))
                .col(uuid_null(DealStageHistory::LeftBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(DealStageHistory::Table, DealStageHistory::DealId)
                        .to(Deals::Table, Deals::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deal_history_deal")
                .table(DealStageHistory::Table)
                .col(DealStageHistory::DealId)
                .col(DealStageHistory::EnteredAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LostReasons::Table)
                .col(pk_uuid(LostReasons::Id))
                .col(uuid(LostReasons::OrgId))
                .col(string_len(LostReasons::Name, 120))
                .col(integer(LostReasons::Position))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_lost_reasons_org").table(LostReasons::Table).col(LostReasons::OrgId).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LostReasons::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(DealStageHistory::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Deals::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Stages::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Pipelines::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Pipelines {
    Table,
    Id,
    OrgId,
    Name,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Stages {
    Table,
    Id,
    OrgId,
    PipelineId,
    Name,
    Position,
    Probability,
    RottingDays,
    Kind,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Deals {
    Table,
    Id,
    OrgId,
    CustomerId,
    OwnerId,
    PipelineId,
    StageId,
    Title,
    AmountMinor,
    Currency,
    ExpectedClose,
    Notes,
    Status,
    LostReason,
    Version,
    Rank,
    StageEnteredAt,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DealStageHistory {
    Table,
    Id,
    OrgId,
    DealId,
    StageId,
    EnteredAt,
    EnteredBy,
    LeftAt,
    LeftBy,
}

#[derive(DeriveIden)]
enum LostReasons {
    Table,
    Id,
    OrgId,
    Name,
    Position,
}
