//! Sessions as chains of refresh tokens: each token a rotation issues keeps
//! the `session_id` of the first (its own id for the first), and access
//! tokens name that session. Signing out revokes the chain, which ends its
//! access tokens at once; a rotation leaves them working until they expire.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Nullable so the column can be added to a table with rows; they are
        // filled just below and every new row sets it.
        m.alter_table(
            Table::alter().table(RefreshTokens::Table).add_column(uuid_null(RefreshTokens::SessionId)).to_owned(),
        )
        .await?;
        // Every existing token starts a session of its own.
        m.exec_stmt(
            Query::update()
                .table(RefreshTokens::Table)
                .value(RefreshTokens::SessionId, Expr::col(RefreshTokens::Id))
                .to_owned(),
        )
        .await?;
        // Every authenticated request asks whether its session is live.
        m.create_index(
            Index::create()
                .name("ix_refresh_tokens_session")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::SessionId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_refresh_tokens_session").table(RefreshTokens::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(RefreshTokens::Table).drop_column(RefreshTokens::SessionId).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
}
