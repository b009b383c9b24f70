//! The shared pool (customers nobody touched for the org's N days, or lost,
//! return to a pool anyone in the org may claim) and the duplicate guard
//! (match keys of every customer, looked up when a customer is created).
//!
//! Keys of customers that exist before this migration are written at
//! start-up by the server (`domain::duplicates::adopt_keys`), which owns the
//! normalisation rules.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER: SQLite adds a single column per statement.
        for column in [
            // In the pool since; NULL while someone owns the customer.
            timestamp_with_time_zone_null(Customers::PooledAt),
            // The latest claim from the pool and who made it: the daily quota
            // counts claims, and a fresh claim is not recycled at once.
            timestamp_with_time_zone_null(Customers::ClaimedAt),
            uuid_null(Customers::ClaimedBy),
        ] {
            m.alter_table(Table::alter().table(Customers::Table).add_column(column).to_owned()).await?;
        }
        for column in [
            // NULL turns the pool off, and each limit off.
            integer_null(Orgs::PoolAfterDays),
            integer_null(Orgs::MaxOwnedPerRep),
            integer_null(Orgs::DailyClaimQuota),
        ] {
            m.alter_table(Table::alter().table(Orgs::Table).add_column(column).to_owned()).await?;
        }

        for (name, cols) in [
            // The scheduler's recycling runs every pass: customers not pooled, not
            // archived and untouched since a cutoff are one range of this index
            // (already pooled or archived rows are never scanned); the pool list
            // (`pooled_at IS NOT NULL`) reads its prefix.
            (
                "ix_customers_pool_touch",
                vec![Customers::OrgId, Customers::PooledAt, Customers::ArchivedAt, Customers::LastTouchAt],
            ),
            // Recycling of lost customers not yet pooled.
            (
                "ix_customers_status_pool",
                vec![Customers::OrgId, Customers::Status, Customers::PooledAt, Customers::ArchivedAt],
            ),
            // The daily claim quota: one user's claims since a time.
            ("ix_customers_claims", vec![Customers::ClaimedBy, Customers::ClaimedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Customers::Table);
            for col in cols {
                index.col(col);
            }
            m.create_index(index.to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(CustomerKeys::Table)
                .col(uuid(CustomerKeys::CustomerId))
                .col(uuid(CustomerKeys::OrgId))
                // `phone`, `email` or `name` (rules in `rapport_shared::pool`).
                .col(string_len(CustomerKeys::Kind, 8))
                .col(string_len(CustomerKeys::Value, 254))
                // Also what makes writing a customer's keys twice harmless.
                .primary_key(
                    Index::create().col(CustomerKeys::CustomerId).col(CustomerKeys::Kind).col(CustomerKeys::Value),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CustomerKeys::Table, CustomerKeys::CustomerId)
                        .to(Customers::Table, Customers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The duplicate check: an equality lookup per key of the new customer.
        // Not unique: customers created before the guard, or changed later, may share keys.
        m.create_index(
            Index::create()
                .name("ix_customer_keys_match")
                .table(CustomerKeys::Table)
                .col(CustomerKeys::OrgId)
                .col(CustomerKeys::Kind)
                .col(CustomerKeys::Value)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CustomerKeys::Table).to_owned()).await?;
        for name in ["ix_customers_claims", "ix_customers_status_pool", "ix_customers_pool_touch"] {
            m.drop_index(Index::drop().name(name).table(Customers::Table).to_owned()).await?;
        }
        for column in [Orgs::DailyClaimQuota, Orgs::MaxOwnedPerRep, Orgs::PoolAfterDays] {
            m.alter_table(Table::alter().table(Orgs::Table).drop_column(column).to_owned()).await?;
        }
        for column in [Customers::ClaimedBy, Customers::ClaimedAt, Customers::PooledAt] {
            m.alter_table(Table::alter().table(Customers::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
    OrgId,
    Status,
    ArchivedAt,
    LastTouchAt,
    PooledAt,
    ClaimedAt,
    ClaimedBy,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    PoolAfterDays,
    MaxOwnedPerRep,
    DailyClaimQuota,
}

#[derive(DeriveIden)]
enum CustomerKeys {
    Table,
    CustomerId,
    OrgId,
    Kind,
    Value,
}
