//! The duplicate guard: each customer's match keys (normalised phones,
//! e-mails and company name; the rules are in `rapport_shared::pool`) live in
//! `customer_keys`, written with the customer, and a new customer whose keys
//! meet a customer of the org that is not archived is refused with `409
//! duplicate_customer`. The answer names the customer and its owner (or says
//! it is in the pool), never its contact details, so the rep can claim or ask
//! for it; it matches every customer of the org, not only those the rep sees.
//!
//! A check before the insert, not a unique constraint: customers from before
//! the guard, or edited later, may share keys. Two reps creating the same
//! customer in the same instant can both pass.

use super::{customers, now, timeline};
use crate::entity::{customer, customer_key, server_secret};
use crate::error::{AppError, AppResult};
use rapport_shared::customer::{CustomerFields, UserRef};
use rapport_shared::pool::{DuplicateCustomer, MatchKind, match_keys};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Customers whose keys are written per transaction when adopting old data.
const ADOPT_BATCH: u64 = 500;

/// Replaces the match keys of `row` by those of `fields`.
///
/// # Errors
/// Database failures.
pub async fn write_keys(db: &impl ConnectionTrait, row: &customer::Model, fields: &CustomerFields) -> AppResult<()> {
    customer_key::Entity::delete_many().filter(customer_key::Column::CustomerId.eq(row.id)).exec(db).await?;
    let keys = match_keys(fields);
    if keys.is_empty() {
        return Ok(());
    }
    let models = keys.into_iter().map(|key| customer_key::ActiveModel {
        customer_id: Set(row.id),
        kind: Set(key.kind.as_str().to_owned()),
        value: Set(key.value),
        org_id: Set(row.org_id),
    });
    customer_key::Entity::insert_many(models)
        .on_conflict(
            OnConflict::columns([
                customer_key::Column::CustomerId,
                customer_key::Column::Kind,
                customer_key::Column::Value,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The oldest customer of the org (not archived) that shares a key with
/// `fields`, and the rule that matched (phone before e-mail before name).
///
/// # Errors
/// Database failures.
pub async fn find_existing(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    fields: &CustomerFields,
) -> AppResult<Option<(customer::Model, MatchKind)>> {
    let keys = match_keys(fields);
    if keys.is_empty() {
        return Ok(None);
    }
    let mut any = Condition::any();
    for key in &keys {
        any = any.add(
            Condition::all()
                .add(customer_key::Column::Kind.eq(key.kind.as_str()))
                .add(customer_key::Column::Value.eq(key.value.as_str())),
        );
    }
    let hits: Vec<(Uuid, String)> = customer_key::Entity::find()
        .select_only()
        .column(customer_key::Column::CustomerId)
        .column(customer_key::Column::Kind)
        .filter(customer_key::Column::OrgId.eq(org_id))
        .filter(any)
        .into_tuple()
        .all(db)
        .await?;
    if hits.is_empty() {
        return Ok(None);
    }
    let Some(row) = customer::Entity::find()
        .filter(customer::Column::OrgId.eq(org_id))
        .filter(customer::Column::Id.is_in(hits.iter().map(|(id, _)| *id)))
        .filter(customer::Column::ArchivedAt.is_null())
        .order_by_asc(customer::Column::CreatedAt)
        .order_by_asc(customer::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let kind = [MatchKind::Phone, MatchKind::Email, MatchKind::Name]
        .into_iter()
        .find(|k| hits.iter().any(|(id, kind)| *id == row.id && kind == k.as_str()))
        .unwrap_or(MatchKind::Name);
    Ok(Some((row, kind)))
}

/// Refuses `fields` when they match a customer of the org.
///
/// # Errors
/// `DuplicateCustomer` with the existing customer's id, its owner (`None` in
/// the pool) and whether it is in the pool; database failures.
pub async fn refuse_existing(db: &impl ConnectionTrait, org_id: Uuid, fields: &CustomerFields) -> AppResult<()> {
    let Some((row, kind)) = find_existing(db, org_id, fields).await? else {
        return Ok(());
    };
    let in_pool = row.pooled_at.is_some();
    let owner = if in_pool {
        None
    } else {
        let names = timeline::user_names(db, [row.owner_id]).await?;
        Some(UserRef { id: row.owner_id, name: names.get(&row.owner_id).cloned().unwrap_or_default() })
    };
    let what = match kind {
        MatchKind::Phone => "a customer with this phone number",
        MatchKind::Email => "a customer with this e-mail address",
        MatchKind::Name => "a company with this name",
    };
    let whose = if in_pool { "it is in the shared pool" } else { "it has an owner" };
    Err(AppError::DuplicateCustomer {
        message: format!("{what} exists already; {whose}"),
        details: DuplicateCustomer { customer_id: row.id, owner, in_pool },
    })
}

/// Writes the keys of customers created before the guard existed (once; a
/// mark in `server_secrets` remembers it). Safe to run twice at once: keys
/// are written idempotently.
///
/// # Errors
/// Database failures.
pub async fn adopt_keys(db: &DatabaseConnection) -> AppResult<usize> {
    const MARK: &str = "upgrade:customer_keys";
    if server_secret::Entity::find_by_id(MARK).one(db).await?.is_some() {
        return Ok(0);
    }
    let mut adopted = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let txn = super::begin_write(db).await?;
        let mut page = customer::Entity::find().order_by_asc(customer::Column::Id).limit(ADOPT_BATCH);
        if let Some(id) = after {
            page = page.filter(customer::Column::Id.gt(id));
        }
        let rows = page.all(&txn).await?;
        for row in &rows {
            write_keys(&txn, row, &customers::fields_of(row)).await?;
        }
        txn.commit().await?;
        adopted += rows.len();
        match rows.last() {
            Some(last) if rows.len() as u64 == ADOPT_BATCH => after = Some(last.id),
            _ => break,
        }
    }
    server_secret::Entity::insert(server_secret::ActiveModel {
        name: Set(MARK.into()),
        value: Set(adopted.to_string()),
        created_at: Set(now()),
    })
    .on_conflict(OnConflict::column(server_secret::Column::Name).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(adopted)
}
