//! Tenants, their people, sessions and the server's own secrets.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Orgs::Table)
                .col(pk_uuid(Orgs::Id))
                .col(string_len(Orgs::Name, 200))
                .col(timestamp_with_time_zone(Orgs::CreatedAt))
                .col(timestamp_with_time_zone(Orgs::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(uuid(Users::OrgId))
                .col(string_len(Users::Email, 254))
                .col(string_len(Users::Name, 200))
                .col(string(Users::PasswordHash))
                .col(string_len(Users::Role, 16))
                .col(string_len(Users::TimeZone, 64))
                .col(string_len(Users::Language, 16))
                .col(boolean(Users::Active))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(ForeignKey::create().from(Users::Table, Users::OrgId).to(Orgs::Table, Orgs::Id))
                .to_owned(),
        )
        .await?;
        // Login is by e-mail alone, so an address belongs to one account across all orgs.
        m.create_index(
            Index::create().name("ux_users_email").table(Users::Table).col(Users::Email).unique().to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_users_org").table(Users::Table).col(Users::OrgId).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(pk_uuid(RefreshTokens::Id))
                .col(uuid(RefreshTokens::OrgId))
                .col(uuid(RefreshTokens::UserId))
                .col(string_len(RefreshTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RefreshTokens::Table, RefreshTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Refresh looks a token up by its hash; revocation sweeps by user.
        m.create_index(
            Index::create()
                .name("ux_refresh_tokens_hash")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_refresh_tokens_user")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::UserId)
                .to_owned(),
        )
        .await?;

        // Signing keys generated on first start, shared by every server process on this database.
        m.create_table(
            Table::create()
                .table(ServerSecrets::Table)
                .col(string_len(ServerSecrets::Name, 64).primary_key())
                .col(string(ServerSecrets::Value))
                .col(timestamp_with_time_zone(ServerSecrets::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ServerSecrets::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(RefreshTokens::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Users::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Orgs::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Orgs {
    Table,
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    OrgId,
    Email,
    Name,
    PasswordHash,
    Role,
    TimeZone,
    Language,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    OrgId,
    UserId,
    TokenHash,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ServerSecrets {
    Table,
    Name,
    Value,
    CreatedAt,
}
