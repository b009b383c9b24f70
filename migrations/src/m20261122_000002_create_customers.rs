//! Customers, their tags and their contacts.

use crate::m20261122_000001_create_orgs_and_users::{Orgs, Users};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Customers::Table)
                .col(pk_uuid(Customers::Id))
                .col(uuid(Customers::OrgId))
                .col(uuid(Customers::OwnerId))
                .col(string_len(Customers::Kind, 16))
                .col(string_len(Customers::Name, 200))
                // Lower-cased name: the case-insensitive sort key of the list.
                .col(string_len(Customers::SortName, 200))
                // Lower-cased name, phones and e-mails in one column for `q`.
                .col(text(Customers::SearchText))
                .col(json_binary(Customers::Phones))
                .col(json_binary(Customers::Emails))
                .col(string_len_null(Customers::Address, 500))
                .col(string_len_null(Customers::Industry, 200))
                .col(string_len_null(Customers::Size, 200))
                .col(string_len_null(Customers::Region, 200))
                .col(string_len_null(Customers::SourceChannel, 32))
                .col(string_len(Customers::Status, 16))
                .col(json_binary(Customers::Tags))
                .col(json_binary(Customers::CustomFields))
                .col(timestamp_with_time_zone_null(Customers::ArchivedAt))
                .col(timestamp_with_time_zone(Customers::LastTouchAt))
                .col(timestamp_with_time_zone(Customers::CreatedAt))
                .col(timestamp_with_time_zone(Customers::UpdatedAt))
                .foreign_key(ForeignKey::create().from(Customers::Table, Customers::OrgId).to(Orgs::Table, Orgs::Id))
                .foreign_key(
                    ForeignKey::create().from(Customers::Table, Customers::OwnerId).to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        // The list pages by (sort key, id) within an org, and for reps within an owner.
        for (name, cols) in [
            ("ix_customers_org_name", vec![Customers::OrgId, Customers::SortName, Customers::Id]),
            ("ix_customers_owner_name", vec![Customers::OrgId, Customers::OwnerId, Customers::SortName, Customers::Id]),
            ("ix_customers_org_touch", vec![Customers::OrgId, Customers::LastTouchAt, Customers::Id]),
            (
                "ix_customers_owner_touch",
                vec![Customers::OrgId, Customers::OwnerId, Customers::LastTouchAt, Customers::Id],
            ),
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
                .table(CustomerTags::Table)
                .col(uuid(CustomerTags::CustomerId))
                .col(uuid(CustomerTags::OrgId))
                .col(string_len(CustomerTags::Tag, 40))
                .primary_key(Index::create().col(CustomerTags::CustomerId).col(CustomerTags::Tag))
                .foreign_key(
                    ForeignKey::create()
                        .from(CustomerTags::Table, CustomerTags::CustomerId)
                        .to(Customers::Table, Customers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The tag filter finds customers by (org, tag).
        m.create_index(
            Index::create()
                .name("ix_customer_tags_org_tag")
                .table(CustomerTags::Table)
                .col(CustomerTags::OrgId)
                .col(CustomerTags::Tag)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Contacts::Table)
                .col(pk_uuid(Contacts::Id))
                .col(uuid(Contacts::OrgId))
                .col(uuid(Contacts::CustomerId))
                .col(string_len(Contacts::Name, 200))
                .col(string_len_null(Contacts::Title, 200))
                .col(string_len_null(Contacts::Phone, 32))
                .col(string_len_null(Contacts::Email, 254))
                .col(text_null(Contacts::Notes))
                .col(timestamp_with_time_zone(Contacts::CreatedAt))
                .col(timestamp_with_time_zone(Contacts::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Contacts::Table, Contacts::CustomerId)
                        .to(Customers::Table, Customers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_contacts_customer")
                .table(Contacts::Table)
                .col(Contacts::OrgId)
                .col(Contacts::CustomerId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Contacts::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(CustomerTags::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Customers::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
    OrgId,
    OwnerId,
    Kind,
    Name,
    SortName,
    SearchText,
    Phones,
    Emails,
    Address,
    Industry,
    Size,
    Region,
    SourceChannel,
    Status,
    Tags,
    CustomFields,
    ArchivedAt,
    LastTouchAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CustomerTags {
    Table,
    CustomerId,
    OrgId,
    Tag,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    OrgId,
    CustomerId,
    Name,
    Title,
    Phone,
    Email,
    Notes,
    CreatedAt,
    UpdatedAt,
}
