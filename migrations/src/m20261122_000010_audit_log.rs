//! The audit log: security-relevant and ownership actions, append-only.
//!
//! `org_id` is required: a failed login for an e-mail nobody has belongs to no
//! org and is not stored (it is in the server log and the login rate limiter),
//! which also keeps a stranger from filling the table with guesses.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(pk_uuid(AuditEvents::Id))
                .col(uuid(AuditEvents::OrgId))
                // None for a failed login: nobody was signed in.
                .col(uuid_null(AuditEvents::ActorId))
                .col(string_len(AuditEvents::Action, 48))
                .col(string_len_null(AuditEvents::TargetType, 32))
                .col(uuid_null(AuditEvents::TargetId))
                // An IPv6 address is at most 45 characters.
                .col(string_len_null(AuditEvents::Address, 64))
                .col(json_binary_null(AuditEvents::Before))
                .col(json_binary_null(AuditEvents::After))
                .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                .to_owned(),
        )
        .await?;
        // The admin's list: one org, newest first, paged by (time, id).
        m.create_index(
            Index::create()
                .name("ix_audit_org_time")
                .table(AuditEvents::Table)
                .col(AuditEvents::OrgId)
                .col(AuditEvents::OccurredAt)
                .col(AuditEvents::Id)
                .to_owned(),
        )
        .await?;
        // The same list filtered by action ("every failed login this week").
        m.create_index(
            Index::create()
                .name("ix_audit_org_action_time")
                .table(AuditEvents::Table)
                .col(AuditEvents::OrgId)
                .col(AuditEvents::Action)
                .col(AuditEvents::OccurredAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OrgId,
    ActorId,
    Action,
    TargetType,
    TargetId,
    Address,
    Before,
    After,
    OccurredAt,
}
