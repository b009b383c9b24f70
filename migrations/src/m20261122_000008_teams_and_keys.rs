//! Teams (a manager sees their team's records), one-time invitations, and
//! personal API keys for integrations (stored hashed, shown once).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Teams::Table)
                .col(pk_uuid(Teams::Id))
                .col(uuid(Teams::OrgId))
                .col(string_len(Teams::Name, 120))
                .col(timestamp_with_time_zone(Teams::CreatedAt))
                .col(timestamp_with_time_zone(Teams::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_teams_org").table(Teams::Table).col(Teams::OrgId).to_owned()).await?;

        // One column per ALTER: SQLite adds a single column per statement.
        for column in [
            uuid_null(Users::TeamId),
            string_len_null(Users::InviteHash, 64),
            timestamp_with_time_zone_null(Users::InviteExpiresAt),
        ] {
            m.alter_table(Table::alter().table(Users::Table).add_column(column).to_owned()).await?;
        }
        m.create_index(Index::create().name("ix_users_team").table(Users::Table).col(Users::TeamId).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(pk_uuid(ApiKeys::Id))
                .col(uuid(ApiKeys::OrgId))
                .col(uuid(ApiKeys::UserId))
                .col(string_len(ApiKeys::Name, 120))
                // The first characters of the key, shown to tell keys apart.
                .col(string_len(ApiKeys::Prefix, 16))
                .col(string_len(ApiKeys::SecretHash, 64))
                .col(string_len(ApiKeys::Scope, 8))
                .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_api_keys_secret")
                .table(ApiKeys::Table)
                .col(ApiKeys::SecretHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_api_keys_user").table(ApiKeys::Table).col(ApiKeys::UserId).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ApiKeys::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_users_team").table(Users::Table).to_owned()).await?;
        for column in [Users::InviteExpiresAt, Users::InviteHash, Users::TeamId] {
            m.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        m.drop_table(Table::drop().table(Teams::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    OrgId,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    TeamId,
    InviteHash,
    InviteExpiresAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    OrgId,
    UserId,
    Name,
    Prefix,
    SecretHash,
    Scope,
    LastUsedAt,
    CreatedAt,
    RevokedAt,
}
