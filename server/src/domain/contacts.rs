//! Contacts: people at a customer, visible exactly when their customer is.

use super::customers::{ensure_visible, find_visible};
use super::{Actor, new_id, now, timeline};
use crate::entity::contact;
use crate::error::{AppError, AppResult};
use rapport_shared::customer::{Contact, ContactFields, ContactPatch, NewContact};
use rapport_shared::timeline::Event;
use rapport_shared::validate::{Email, Phone};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

/// Contacts of a visible customer, oldest first.
///
/// # Errors
/// `NotFound` when the customer is not visible; database failures.
pub async fn list(db: &DatabaseConnection, actor: &Actor, customer_id: Uuid) -> AppResult<Vec<Contact>> {
    let customer = find_visible(db, actor, customer_id).await?;
    let rows = contact::Entity::find()
        .filter(contact::Column::OrgId.eq(actor.org_id))
        .filter(contact::Column::CustomerId.eq(customer.id))
        .order_by_asc(contact::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Contact::from).collect())
}

/// # Errors
/// `NotFound` when the customer is not visible; `Validation`; database failures.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    customer_id: Uuid,
    input: NewContact,
) -> AppResult<Contact> {
    let fields = input.validate().map_err(AppError::Validation)?;
    let customer = find_visible(db, actor, customer_id).await?;
    let at = now();
    let mut model = contact::ActiveModel {
        id: Set(new_id()),
        org_id: Set(actor.org_id),
        customer_id: Set(customer.id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    write_fields(&mut model, fields);
    let txn = super::begin_write(db).await?;
    let row = model.insert(&txn).await?;
    let event = Event::ContactAdded { contact_id: row.id, name: row.name.clone() };
    timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), at, Some(row.id), &event).await?;
    txn.commit().await?;
    Ok(Contact::from(row))
}

/// # Errors
/// `NotFound` when the contact's customer is not visible; `Validation`; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: ContactPatch) -> AppResult<Contact> {
    let txn = super::begin_write(db).await?;
    let row = find_visible_contact(&txn, actor, id).await?;
    let current = ContactFields {
        name: row.name.clone(),
        title: row.title.clone(),
        phone: row.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
        email: row.email.as_deref().and_then(|e| Email::parse(e).ok()),
        notes: row.notes.clone(),
    };
    let next = patch.apply(&current).map_err(AppError::Validation)?;
    let changed = timeline::changes(&field_values(&current), &field_values(&next));
    let mut model = row.into_active_model();
    write_fields(&mut model, next);
    model.updated_at = Set(now());
    let row = model.update(&txn).await?;
    if !changed.is_empty() {
        let event = Event::ContactUpdated { contact_id: row.id, name: row.name.clone(), changes: changed };
        timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), row.updated_at, Some(row.id), &event)
            .await?;
    }
    txn.commit().await?;
    Ok(Contact::from(row))
}

/// # Errors
/// `NotFound` when the contact's customer is not visible; database failures.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let row = find_visible_contact(db, actor, id).await?;
    row.delete(db).await?;
    Ok(())
}

async fn find_visible_contact(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> AppResult<contact::Model> {
    let row = contact::Entity::find_by_id(id)
        .filter(contact::Column::OrgId.eq(actor.org_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    // Visible exactly when its customer is.
    ensure_visible(db, actor, row.customer_id).await?;
    Ok(row)
}

fn field_values(f: &ContactFields) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    vec![
        ("name", json!(f.name)),
        ("title", json!(f.title)),
        ("phone", json!(f.phone)),
        ("email", json!(f.email)),
        ("notes", json!(f.notes)),
    ]
}

fn write_fields(model: &mut contact::ActiveModel, f: ContactFields) {
    model.name = Set(f.name);
    model.title = Set(f.title);
    model.phone = Set(f.phone.map(|p| p.to_string()));
    model.email = Set(f.email.map(|e| e.to_string()));
    model.notes = Set(f.notes);
}

impl From<contact::Model> for Contact {
    fn from(row: contact::Model) -> Self {
        Contact {
            id: row.id,
            customer_id: row.customer_id,
            name: row.name,
            title: row.title,
            phone: row.phone,
            email: row.email,
            notes: row.notes,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}
