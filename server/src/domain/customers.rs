//! Customers: the scoped list with search, filters and keyset paging, and
//! create / read / update / archive.

use super::audit::{self, Entry};
use super::customer_search::{self, NameWalk};
use super::search_grams;
use super::search_sample::SearchSample;
use super::{Actor, duplicates, new_id, now, timeline};
use crate::entity::{customer, customer_tag, user};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SecondsFormat, Utc};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::auth::Role;
use rapport_shared::customer::{
    ArchivedFilter, Customer, CustomerFields, CustomerKind, CustomerPatch, CustomerQuery, CustomerSort,
    LifecycleStatus, NewCustomer, SourceChannel, UserRef,
};
use rapport_shared::page::clamp_limit;
use rapport_shared::timeline::Event;
use rapport_shared::validate::{Email, FieldError, Phone};
use rapport_shared::{Cursor, Page};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    IntoActiveModel, JoinType, QueryFilter, QueryOrder, QuerySelect, Select, SelectModel, Selector, Set,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The rows `actor` may see: their org, and owners they may see — plus the
/// shared pool, which everyone in the org sees (to read and to claim).
pub fn visible(actor: &Actor) -> Condition {
    let owners = actor.sees_owner(customer::Column::OwnerId);
    let org = Condition::all().add(customer::Column::OrgId.eq(actor.org_id));
    if owners.is_empty() {
        return org;
    }
    org.add(Condition::any().add(owners).add(customer::Column::PooledAt.is_not_null()))
}

/// A pool customer is changed (edited, archived) only by those who see its
/// owner; everyone else claims it first.
async fn check_may_change(db: &impl ConnectionTrait, actor: &Actor, row: &customer::Model) -> AppResult<()> {
    if row.pooled_at.is_none() {
        return Ok(());
    }
    let owner_visible = customer::Entity::find_by_id(row.id)
        .filter(customer::Column::OrgId.eq(actor.org_id))
        .filter(actor.sees_owner(customer::Column::OwnerId))
        .one(db)
        .await?
        .is_some();
    if owner_visible { Ok(()) } else { Err(AppError::Forbidden("claim this customer from the shared pool first")) }
}

/// The customer with `id` if `actor` may see it.
///
/// # Errors
/// `NotFound` when it does not exist or is not visible; database failures.
pub async fn find_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<customer::Model> {
    customer::Entity::find_by_id(id).filter(visible(actor)).one(db).await?.ok_or(AppError::NotFound)
}

/// `NotFound` unless `actor` may see the customer; reads only its id, for
/// callers that need no more than the check (a timeline page asks it first).
///
/// # Errors
/// `NotFound`; database failures.
pub async fn ensure_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<()> {
    let found = customer::Entity::find_by_id(id)
        .filter(visible(actor))
        .select_only()
        .column(customer::Column::Id)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    found.map(drop).ok_or(AppError::NotFound)
}

/// Customer id → name for the given ids, in one query (for lists that show
/// the customer beside each row).
///
/// # Errors
/// Database failures.
pub async fn names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<std::collections::HashMap<Uuid, String>> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .column(customer::Column::Name)
        .filter(customer::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// One page of the customers `actor` may see.
///
/// # Errors
/// `BadRequest` for a cursor this server did not issue; database failures.
pub async fn list(
    db: &DatabaseConnection,
    sample: &SearchSample,
    actor: &Actor,
    query: CustomerQuery,
) -> AppResult<Page<Customer>> {
    let limit = clamp_limit(query.limit);
    let sort = query.sort.unwrap_or_default();
    // The pool, or the owned customers the actor sees: `visible`'s two halves
    // apart, so the planner gets `owner_id = ?` (and the owner's name index)
    // rather than an OR it cannot index.
    let mut select = customer::Entity::find().filter(customer::Column::OrgId.eq(actor.org_id));
    let pool = query.pool == Some(true);
    // One owner's customers have an index of their own in name order, short
    // to walk; the pool's and several owners' share the whole org's.
    let one_owner = if pool { query.owner.is_some() } else { actor.sees_one_owner(query.owner) };
    let name_index = NameOrder { org_id: actor.org_id, owner: one_owner.then(|| query.owner.unwrap_or(actor.user_id)) };
    select = if pool {
        let pooled = select.filter(customer::Column::PooledAt.is_not_null());
        // Pool customers keep their last owner, which the filter may name.
        match query.owner {
            Some(owner) => pooled.filter(customer::Column::OwnerId.eq(owner)),
            None => pooled,
        }
    } else {
        let owners = actor.sees_owner_narrowed(customer::Column::OwnerId, query.owner);
        select.filter(customer::Column::PooledAt.is_null()).filter(owners)
    };

    match query.archived.unwrap_or_default() {
        ArchivedFilter::Hide => select = select.filter(customer::Column::ArchivedAt.is_null()),
        ArchivedFilter::Only => select = select.filter(customer::Column::ArchivedAt.is_not_null()),
        ArchivedFilter::Include => {}
    }
    if let Some(status) = query.status {
        select = select.filter(customer::Column::Status.eq(status.as_str()));
    }
    if let Some(days) = query.untouched_days {
        let since = now() - chrono::Duration::days(i64::from(Ord::min(days, 36_500)));
        select = select.filter(customer::Column::LastTouchAt.lt(since));
    }
    if let Some(tag) = query.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        select = select.filter(
            customer::Column::Id.in_subquery(
                Query::select()
                    .column(customer_tag::Column::CustomerId)
                    .from(customer_tag::Entity)
                    .and_where(customer_tag::Column::OrgId.eq(actor.org_id))
                    .and_where(customer_tag::Column::Tag.eq(tag))
                    .to_owned(),
            ),
        );
    }
    let cursor = query
        .cursor
        .as_deref()
        .map(|raw| {
            Cursor::decode(raw, list_name(sort)).ok_or_else(|| AppError::BadRequest("cursor is not valid".into()))
        })
        .transpose()?;
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if sort == CustomerSort::Name
            && let Some(page) = walk_names(db, &select, name_index, q, cursor.as_ref(), limit).await?
        {
            return Ok(page);
        }
        let sample = sample.get(db).await?;
        let walk = (sort == CustomerSort::Name && !one_owner)
            .then(|| NameWalk { after: cursor.as_ref().map(|c| c.key.as_str()) });
        select = select.filter(customer_search::condition(db.get_database_backend(), actor.org_id, q, &sample, walk));
    }
    if let Some(cursor) = &cursor {
        select = select.filter(after_cursor(sort, cursor)?);
    }
    select = match sort {
        CustomerSort::Name => select.order_by_asc(customer::Column::SortName).order_by_asc(customer::Column::Id),
        CustomerSort::LastTouch => {
            select.order_by_desc(customer::Column::LastTouchAt).order_by_desc(customer::Column::Id)
        }
        CustomerSort::LastTouchAsc => {
            select.order_by_asc(customer::Column::LastTouchAt).order_by_asc(customer::Column::Id)
        }
    };

    let rows = with_owner_name(select.limit(limit + 1)).all(db).await?;
    Ok(page_of(rows, limit, sort))
}

/// The page of up to `limit` rows, with a cursor when a row past them was read.
fn page_of(mut rows: Vec<WithOwner>, limit: u64, sort: CustomerSort) -> Page<Customer> {
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|last| cursor_of(sort, &last.row).encode())
    } else {
        None
    };
    let items = rows.into_iter().map(|r| dto(r.row, r.owner_name)).collect();
    Page { items, next_cursor }
}

/// Bounds on matches below which the trigram index finds them all quickly.
pub const WALK_FROM: i64 = 300;

/// Customers a walk along the names reads at most before it gives way: a
/// page of 50 fills when one customer in 20 matches.
const WALK_WINDOW: u64 = 1_000;

/// The name index a list reads: the org's, or one owner's.
#[derive(Clone, Copy)]
struct NameOrder {
    org_id: Uuid,
    owner: Option<Uuid>,
}

/// A page of `q`'s matches in name order, read along the names from where
/// they can begin ([`search_grams::bounds`]) and checked one by one: a
/// common word's first page without finding all its matches. `None` when
/// the index should find them instead: a rare needle, one that is not a
/// single word ([`customer_search::one_word`]), or a walk of
/// [`WALK_WINDOW`] customers that did not fill the page.
/// `select` holds the list's filters, without the search and the cursor;
/// `name_index` the index the walk reads along.
async fn walk_names(
    db: &DatabaseConnection,
    select: &Select<customer::Entity>,
    name_index: NameOrder,
    q: &str,
    cursor: Option<&Cursor>,
    limit: u64,
) -> AppResult<Option<Page<Customer>>> {
    let Some((needle, holds)) = customer_search::one_word(db.get_database_backend(), q) else {
        return Ok(None);
    };
    let Some(bounds) = search_grams::bounds(db, name_index.org_id, &needle).await? else {
        return Ok(None);
    };
    if bounds.at_most < WALK_FROM {
        return Ok(None);
    }
    let from_floor = |select: Select<customer::Entity>| -> AppResult<Select<customer::Entity>> {
        let select = select.filter(customer::Column::SortName.gte(bounds.floor.as_str()));
        Ok(match cursor {
            Some(cursor) => select.filter(after_cursor(CustomerSort::Name, cursor)?),
            None => select,
        })
    };
    let in_name_order = |select: Select<customer::Entity>| {
        select.order_by_asc(customer::Column::SortName).order_by_asc(customer::Column::Id)
    };
    // The window's end counts the index's entries, whatever the list's other
    // filters, so that finding it reads the index alone.
    let mut index = customer::Entity::find().filter(customer::Column::OrgId.eq(name_index.org_id));
    if let Some(owner) = name_index.owner {
        index = index.filter(customer::Column::OwnerId.eq(owner));
    }
    let last: Option<(String, Uuid)> = in_name_order(from_floor(index)?)
        .select_only()
        .column(customer::Column::SortName)
        .column(customer::Column::Id)
        .offset(WALK_WINDOW)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    let mut window = from_floor(select.clone())?.filter(holds);
    if let Some((name, id)) = &last {
        window = window.filter(Condition::all().add(customer::Column::SortName.lte(name.as_str())).add(
            Condition::any().add(customer::Column::SortName.lt(name.as_str())).add(customer::Column::Id.lte(*id)),
        ));
    }
    let rows = with_owner_name(in_name_order(window).limit(limit + 1)).all(db).await?;
    if rows.len() as u64 <= limit && last.is_some() {
        return Ok(None);
    }
    Ok(Some(page_of(rows, limit, CustomerSort::Name)))
}

/// Rows after the cursor, written so the sort column bounds an index range:
/// `key >= k AND (key > k OR id > i)` rather than `key > k OR (key = k AND id > i)`,
/// which planners answer by scanning from the start.
fn after_cursor(sort: CustomerSort, cursor: &Cursor) -> AppResult<Condition> {
    let id = cursor.id;
    let bad = || AppError::BadRequest("cursor does not match the sort order".into());
    Ok(match sort {
        CustomerSort::Name => {
            let key = cursor.key.clone();
            Condition::all()
                .add(customer::Column::SortName.gte(key.clone()))
                .add(Condition::any().add(customer::Column::SortName.gt(key)).add(customer::Column::Id.gt(id)))
        }
        CustomerSort::LastTouch | CustomerSort::LastTouchAsc => {
            let at = DateTime::parse_from_rfc3339(&cursor.key).map_err(|_| bad())?.with_timezone(&Utc);
            let (bound, beyond, beyond_id) = if sort == CustomerSort::LastTouch {
                (
                    customer::Column::LastTouchAt.lte(at),
                    customer::Column::LastTouchAt.lt(at),
                    customer::Column::Id.lt(id),
                )
            } else {
                (
                    customer::Column::LastTouchAt.gte(at),
                    customer::Column::LastTouchAt.gt(at),
                    customer::Column::Id.gt(id),
                )
            };
            Condition::all().add(bound).add(Condition::any().add(beyond).add(beyond_id))
        }
    })
}

/// The list a cursor belongs to: each order pages differently.
fn list_name(sort: CustomerSort) -> &'static str {
    match sort {
        CustomerSort::Name => "customers:name",
        CustomerSort::LastTouch => "customers:last_touch",
        CustomerSort::LastTouchAsc => "customers:last_touch_asc",
    }
}

fn cursor_of(sort: CustomerSort, row: &customer::Model) -> Cursor {
    let key = match sort {
        CustomerSort::Name => row.sort_name.clone(),
        CustomerSort::LastTouch | CustomerSort::LastTouchAsc => {
            row.last_touch_at.to_rfc3339_opts(SecondsFormat::Micros, true)
        }
    };
    Cursor::new(list_name(sort), key, row.id)
}

/// # Errors
/// `NotFound` when not visible; database failures.
pub async fn get(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<Customer> {
    let select = customer::Entity::find_by_id(id).filter(visible(actor));
    let found = with_owner_name(select).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(dto(found.row, found.owner_name))
}

/// Creates a customer owned by the actor (or, for an admin, by `owner_id`),
/// unless it exists already (see [`duplicates`]).
///
/// # Errors
/// `Validation` for bad fields or an owner outside the org; `DuplicateCustomer`
/// when a phone, e-mail or company name matches a customer of the org;
/// database failures.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewCustomer) -> AppResult<Customer> {
    let fields = input.validate().map_err(AppError::Validation)?;
    let owner_id = resolve_owner(db, actor, input.owner_id).await?;
    duplicates::refuse_existing(db, actor.org_id, &fields).await?;
    let txn = super::begin_write(db).await?;
    let row = insert_row(&txn, actor.org_id, owner_id, Some(actor.user_id), &fields, now()).await?;
    txn.commit().await?;
    one_dto(db, row).await
}

/// Inserts a customer row created at `created_at` (now, except for demo
/// data), its tags and its `customer_created` event.
///
/// # Errors
/// Database failures.
pub async fn insert_row(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    owner_id: Uuid,
    actor_id: Option<Uuid>,
    fields: &CustomerFields,
    created_at: DateTime<Utc>,
) -> AppResult<customer::Model> {
    let mut model = customer::ActiveModel {
        id: Set(new_id()),
        org_id: Set(org_id),
        owner_id: Set(owner_id),
        archived_at: Set(None),
        // Untouched until a first activity: waiting since its creation.
        last_touch_at: Set(created_at),
        created_at: Set(created_at),
        updated_at: Set(created_at),
        ..Default::default()
    };
    write_fields(&mut model, fields);
    let row = model.insert(db).await?;
    replace_tags(db, &row, &fields.tags).await?;
    duplicates::write_keys(db, &row, fields).await?;
    let event = Event::CustomerCreated { name: row.name.clone() };
    timeline::record(db, org_id, row.id, actor_id, row.created_at, None, &event).await?;
    // Last: on PostgreSQL its rows are shared by the org's customers and
    // stay locked until the commit.
    search_grams::record(db, &row, None).await?;
    Ok(row)
}

/// Applies a patch; nothing changes when any field is rejected.
///
/// # Errors
/// `NotFound` when not visible; `Validation`; `Forbidden` for a non-admin
/// changing the owner; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: CustomerPatch) -> AppResult<Customer> {
    let txn = super::begin_write(db).await?;
    let row = find_visible(&txn, actor, id).await?;
    check_may_change(&txn, actor, &row).await?;
    let current = fields_of(&row);
    let next = patch.apply(&current).map_err(AppError::Validation)?;
    let new_owner = match patch.owner_id {
        Some(owner) if owner != row.owner_id => Some(resolve_owner(&txn, actor, Some(owner)).await?),
        _ => None,
    };
    let tags_changed = next.tags != current.tags;
    let before = row.clone();
    let mut model = row.into_active_model();
    write_fields(&mut model, &next);
    if let Some(owner) = new_owner {
        model.owner_id = Set(owner);
        // Given to someone: no longer in the pool.
        model.pooled_at = Set(None);
    }
    model.updated_at = Set(now());
    let row = model.update(&txn).await?;
    if tags_changed {
        replace_tags(&txn, &row, &next.tags).await?;
    }
    if rapport_shared::pool::match_keys(&current) != rapport_shared::pool::match_keys(&next) {
        duplicates::write_keys(&txn, &row, &next).await?;
    }
    let changed = timeline::changes(&field_values(&current), &field_values(&next));
    if !changed.is_empty() {
        let event = Event::CustomerUpdated { changes: changed };
        timeline::record(&txn, row.org_id, row.id, Some(actor.user_id), row.updated_at, None, &event).await?;
    }
    if let Some(owner) = new_owner {
        let names = timeline::user_names(&txn, [before.owner_id, owner]).await?;
        let user_ref = |id: Uuid| UserRef { id, name: names.get(&id).cloned().unwrap_or_default() };
        let event = Event::OwnerChanged { from: user_ref(before.owner_id), to: user_ref(owner) };
        timeline::record(&txn, row.org_id, row.id, Some(actor.user_id), row.updated_at, None, &event).await?;
    }
    search_grams::record(&txn, &row, Some(&before)).await?;
    txn.commit().await?;
    one_dto(db, row).await
}

/// Archives (soft-deletes) a customer: hidden from lists unless asked for.
///
/// # Errors
/// `NotFound` when not visible; database failures.
pub async fn archive(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    let row = find_visible(&txn, actor, id).await?;
    check_may_change(&txn, actor, &row).await?;
    if row.archived_at.is_none() {
        let entry = Entry::by(actor, AuditAction::CustomerArchived)
            .target(AuditTarget::Customer, row.id)
            .before(json!({"name": row.name, "owner_id": row.owner_id}));
        let mut model = row.into_active_model();
        let at = now();
        model.archived_at = Set(Some(at));
        model.updated_at = Set(at);
        model.update(&txn).await?;
        audit::record(&txn, entry.after(json!({"archived_at": at}))).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The owner a new or reassigned customer gets: the actor, or for an admin
/// any active user of the org.
async fn resolve_owner(db: &impl ConnectionTrait, actor: &Actor, requested: Option<Uuid>) -> AppResult<Uuid> {
    let Some(owner) = requested.filter(|o| *o != actor.user_id) else {
        return Ok(actor.user_id);
    };
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden("only an admin can give a customer to someone else"));
    }
    let exists = user::Entity::find_by_id(owner)
        .filter(user::Column::OrgId.eq(actor.org_id))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?
        .is_some();
    if exists { Ok(owner) } else { Err(AppError::field("owner_id", FieldError::UnknownValue)) }
}

fn write_fields(model: &mut customer::ActiveModel, f: &CustomerFields) {
    let phones: Vec<&str> = f.phones.iter().map(Phone::as_str).collect();
    let emails: Vec<&str> = f.emails.iter().map(Email::as_str).collect();
    let search = [f.name.to_lowercase(), phones.join(" "), emails.join(" ")].join(" ");
    model.kind = Set(f.kind.as_str().into());
    model.name = Set(f.name.clone());
    model.sort_name = Set(f.name.to_lowercase());
    model.search_text = Set(search);
    model.phones = Set(json!(phones));
    model.emails = Set(json!(emails));
    model.address = Set(f.address.clone());
    model.industry = Set(f.industry.clone());
    model.size = Set(f.size.clone());
    model.region = Set(f.region.clone());
    model.source_channel = Set(f.source_channel.map(|s| s.as_str().to_owned()));
    model.status = Set(f.status.as_str().into());
    model.tags = Set(json!(f.tags));
    model.custom_fields = Set(Value::Object(f.custom_fields.clone()));
}

/// Each editable field as JSON, in a fixed order, for before/after diffs.
fn field_values(f: &CustomerFields) -> Vec<(&'static str, Value)> {
    vec![
        ("kind", json!(f.kind)),
        ("name", json!(f.name)),
        ("phones", json!(f.phones)),
        ("emails", json!(f.emails)),
        ("address", json!(f.address)),
        ("industry", json!(f.industry)),
        ("size", json!(f.size)),
        ("region", json!(f.region)),
        ("source_channel", json!(f.source_channel)),
        ("status", json!(f.status)),
        ("tags", json!(f.tags)),
        ("custom_fields", Value::Object(f.custom_fields.clone())),
    ]
}

/// The stored row as validated fields (it was validated on the way in).
pub(crate) fn fields_of(row: &customer::Model) -> CustomerFields {
    CustomerFields {
        kind: CustomerKind::parse(&row.kind).unwrap_or(CustomerKind::Company),
        name: row.name.clone(),
        phones: into_strings(row.phones.clone()).iter().filter_map(|p| Phone::parse(p).ok()).collect(),
        emails: into_strings(row.emails.clone()).iter().filter_map(|e| Email::parse(e).ok()).collect(),
        address: row.address.clone(),
        industry: row.industry.clone(),
        size: row.size.clone(),
        region: row.region.clone(),
        source_channel: row.source_channel.as_deref().and_then(SourceChannel::parse),
        status: LifecycleStatus::parse(&row.status).unwrap_or(LifecycleStatus::Lead),
        tags: into_strings(row.tags.clone()),
        custom_fields: row.custom_fields.as_object().cloned().unwrap_or_default(),
    }
}

async fn replace_tags(db: &impl ConnectionTrait, row: &customer::Model, tags: &[String]) -> AppResult<()> {
    customer_tag::Entity::delete_many().filter(customer_tag::Column::CustomerId.eq(row.id)).exec(db).await?;
    if tags.is_empty() {
        return Ok(());
    }
    let models = tags.iter().map(|tag| customer_tag::ActiveModel {
        customer_id: Set(row.id),
        tag: Set(tag.clone()),
        org_id: Set(row.org_id),
    });
    customer_tag::Entity::insert_many(models).exec_without_returning(db).await?;
    Ok(())
}

/// The DTO of a row just written, with its owner's name.
async fn one_dto(db: &impl ConnectionTrait, row: customer::Model) -> AppResult<Customer> {
    let mut names = timeline::user_names(db, [row.owner_id]).await?;
    let owner_name = names.remove(&row.owner_id);
    Ok(dto(row, owner_name))
}

/// A customer row and its owner's name, read in one query.
#[derive(FromQueryResult)]
struct WithOwner {
    #[sea_orm(nested)]
    row: customer::Model,
    owner_name: Option<String>,
}

/// `select` with each row's owner's name joined in.
fn with_owner_name(select: Select<customer::Entity>) -> Selector<SelectModel<WithOwner>> {
    let owner = customer::Entity::belongs_to(user::Entity).from(customer::Column::OwnerId).to(user::Column::Id);
    select.join(JoinType::LeftJoin, owner.into()).column_as(user::Column::Name, "owner_name").into_model()
}

/// The API shape of a row. The row is consumed, not re-validated: what is
/// stored was normalised on the way in, and a list builds fifty of these.
fn dto(row: customer::Model, owner_name: Option<String>) -> Customer {
    Customer {
        id: row.id,
        kind: CustomerKind::parse(&row.kind).unwrap_or(CustomerKind::Company),
        name: row.name,
        phones: into_strings(row.phones),
        emails: into_strings(row.emails),
        address: row.address,
        industry: row.industry,
        size: row.size,
        region: row.region,
        source_channel: row.source_channel.as_deref().and_then(SourceChannel::parse),
        status: LifecycleStatus::parse(&row.status).unwrap_or(LifecycleStatus::Lead),
        tags: into_strings(row.tags),
        custom_fields: match row.custom_fields {
            Value::Object(map) => map,
            _ => Map::new(),
        },
        owner: UserRef { id: row.owner_id, name: owner_name.unwrap_or_default() },
        archived: row.archived_at.is_some(),
        pooled_at: row.pooled_at,
        last_touch_at: row.last_touch_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The strings of a stored JSON list (a non-list, or a non-string in it, is
/// skipped rather than failing the read).
fn into_strings(value: Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
