//! Activities: log, edit and delete what happened with a customer. Each
//! change writes its timeline event and keeps the customer's last touch
//! (the latest live activity) current, all in one transaction. A retried
//! create with the same `Idempotency-Key` returns the first activity. A
//! `next_follow_up_at` becomes a reminder for the customer's owner. New
//! activities go through [`ActivityLog`], which writes those that arrive
//! together in one transaction.

use super::audit::{self, Entry};
use super::customers::{find_visible, visible};
use super::{Actor, new_id, now, reminders, timeline};
use crate::entity::{activity, contact, customer, idempotency_key};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SubsecRound, Utc};
use rapport_shared::activity::{
    Activity, ActivityFields, ActivityKind, ActivityPatch, Direction, NewActivity, Outcome,
};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::auth::Role;
use rapport_shared::customer::UserRef;
use rapport_shared::timeline::{ActivityLogged, Event};
use rapport_shared::validate::FieldError;
use sea_orm::sea_query::{CaseStatement, Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;
use uuid::Uuid;

/// A client's retry token and a fingerprint of the request it was sent with.
#[derive(Clone)]
pub struct Idempotency {
    pub key: String,
    pub request_hash: String,
}

/// Logs activities. Activities sent at the same moment are written together,
/// in one transaction (group commit): while one batch is being written the
/// next gathers, so under load a handful of writes costs what one did,
/// instead of each queueing for the database on its own. Alone, an activity
/// is a batch of one and waits for nothing. Each caller is answered only
/// once its batch has committed.
#[derive(Clone)]
pub struct ActivityLog {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Job>,
    /// A task is writing batches; it takes `waiting` when it is done with
    /// the batch at hand, and stops when nothing waits.
    writing: bool,
}

struct Job {
    draft: Draft,
    answer: oneshot::Sender<AppResult<Logged>>,
}

/// A validated activity to write.
struct Draft {
    actor: Actor,
    customer_id: Uuid,
    contact_id: Option<Uuid>,
    fields: ActivityFields,
    idempotency: Option<Idempotency>,
}

/// What became of a draft in its batch.
enum Logged {
    Written(Activity),
    /// Another request with the same retry token holds it: answer with its activity.
    Retried,
}

/// The most drafts one transaction writes: its statements stay well inside
/// both databases' limit of bound values.
const MAX_BATCH: usize = 64;

impl ActivityLog {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { inner: Arc::new(Inner { db, queue: Mutex::default() }) }
    }

    /// Logs an activity on a visible customer.
    ///
    /// # Errors
    /// `NotFound` when the customer is not visible; `Validation`; `Unprocessable`
    /// when the idempotency key was used for a different request; database failures.
    pub async fn create(
        &self,
        actor: &Actor,
        customer_id: Uuid,
        input: NewActivity,
        idempotency: Option<Idempotency>,
    ) -> AppResult<Activity> {
        let fields = input.validate(now()).map_err(AppError::Validation)?;
        // A retry is found by its batch, whose claim of the token fails: no
        // read of the tokens before, which every first send would pay for.
        let draft = Draft {
            actor: actor.clone(),
            customer_id,
            contact_id: input.contact_id,
            fields,
            idempotency: idempotency.clone(),
        };
        match self.write(draft).await? {
            Logged::Written(activity) => Ok(activity),
            Logged::Retried => replayed(&self.inner.db, actor, idempotency.as_ref())
                .await?
                .ok_or_else(|| AppError::conflict("retry in progress")),
        }
    }

    /// Queues the draft and waits for its batch to commit (or fail).
    async fn write(&self, draft: Draft) -> AppResult<Logged> {
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut queue = self.inner.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.waiting.push(Job { draft, answer });
            !std::mem::replace(&mut queue.writing, true)
        };
        if start {
            // A task of its own: a caller that goes away (a closed
            // connection) must not take the others' batch with it.
            tokio::spawn(write_waiting(self.inner.clone()));
        }
        answered.await.map_err(|_| AppError::Internal(anyhow::anyhow!("the activity writer stopped")))?
    }
}

/// Writes batches until nothing waits.
async fn write_waiting(inner: Arc<Inner>) {
    let _writing = Writing(&inner);
    loop {
        let jobs = {
            let mut queue = inner.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if queue.waiting.is_empty() {
                queue.writing = false;
                return;
            }
            let n = queue.waiting.len().min(MAX_BATCH);
            queue.waiting.drain(..n).collect::<Vec<_>>()
        };
        let (drafts, answers): (Vec<Draft>, Vec<_>) = jobs.into_iter().map(|j| (j.draft, j.answer)).unzip();
        let started = std::time::Instant::now();
        let written = write_batch(&inner.db, &drafts).await;
        tracing::debug!(
            activities = drafts.len(),
            ms = started.elapsed().as_secs_f64() * 1e3,
            ok = written.is_ok(),
            "wrote a batch"
        );
        match written {
            Ok(outcomes) => {
                for (answer, outcome) in answers.into_iter().zip(outcomes) {
                    // A caller that went away no longer needs its answer.
                    let _ = answer.send(outcome);
                }
            }
            Err(e) if drafts.len() == 1 => {
                if let Some(answer) = answers.into_iter().next() {
                    let _ = answer.send(Err(e));
                }
            }
            // Written again one by one, so that a failure is only its own
            // draft's (and the database's state decides each answer anew).
            Err(_) => {
                for (draft, answer) in drafts.iter().zip(answers) {
                    let outcome = write_batch(&inner.db, std::slice::from_ref(draft)).await.and_then(|mut o| {
                        o.pop()
                            .unwrap_or_else(|| Err(AppError::Internal(anyhow::anyhow!("a batch without its answer"))))
                    });
                    let _ = answer.send(outcome);
                }
            }
        }
    }
}

/// Should the writing task end otherwise than by finding nothing to write (a
/// panic), the next draft starts a new one; the drafts that were waiting
/// are answered with an error as their senders drop.
struct Writing<'a>(&'a Inner);

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut queue = self.0.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.writing = false;
            queue.waiting.clear();
        }
    }
}

/// Writes the drafts in one transaction and answers each: its activity, or
/// `NotFound` when its customer is not (or no longer) visible, or a field
/// error when its contact is not one of the customer's people, or `Retried`.
/// `Err` when the transaction failed, and then nothing was written.
///
/// Every statement is a round trip to the database (on SQLite, to its
/// connection's thread), so the batch is a few statements, not a few per
/// draft: the tokens, the contacts named, one touch per author, the
/// activities, their events.
async fn write_batch(db: &DatabaseConnection, drafts: &[Draft]) -> AppResult<Vec<AppResult<Logged>>> {
    let ids: Vec<Uuid> = drafts.iter().map(|_| new_id()).collect();
    let txn = super::begin_write(db).await?;
    let claimed = claim_retry_tokens(&txn, drafts, &ids).await?;
    // A draft whose token another request holds is that request's to answer.
    let mine: Vec<bool> =
        drafts.iter().zip(&ids).map(|(d, id)| d.idempotency.is_none() || claimed.contains(id)).collect();
    let fits = contacts_fit(&txn, drafts).await?;
    // One touch per author, of the customers their drafts are about: each
    // one's visibility is checked, and its last touch moved by the drafts
    // that will be written.
    let mut authors: Vec<(&Actor, Touches)> = Vec::new();
    for (i, draft) in drafts.iter().enumerate().filter(|(i, _)| mine[*i]) {
        let author = authors.iter().position(|(a, _)| scope(a) == scope(&draft.actor)).unwrap_or_else(|| {
            authors.push((&draft.actor, BTreeMap::new()));
            authors.len() - 1
        });
        let at = fits[i].then(|| draft.fields.occurred_at.trunc_subsecs(6));
        let latest = authors[author].1.entry(draft.customer_id).or_default();
        *latest = (*latest).max(at);
    }
    let mut touched = HashMap::new();
    for (actor, latest) in &authors {
        for customer in touch(&txn, visible(actor), latest).await? {
            touched.insert((scope(actor), customer.id), customer);
        }
    }
    let mut outcomes = Vec::with_capacity(drafts.len());
    let mut rows = Vec::with_capacity(drafts.len());
    let mut released = Vec::new();
    for (i, (draft, id)) in drafts.iter().zip(&ids).enumerate() {
        if !mine[i] {
            outcomes.push(Ok(Logged::Retried));
            continue;
        }
        let refused = match touched.get(&(scope(&draft.actor), draft.customer_id)) {
            None => AppError::NotFound,
            Some(_) if !fits[i] => AppError::field("contact_id", FieldError::UnknownValue),
            Some(customer) => {
                let row = new_row(*id, draft.actor.user_id, customer, draft.contact_id, &draft.fields);
                let author = UserRef { id: draft.actor.user_id, name: draft.actor.name.clone() };
                outcomes.push(Ok(Logged::Written(to_dto(row.clone(), author))));
                rows.push((row, customer.clone()));
                continue;
            }
        };
        released.extend(draft.idempotency.as_ref().map(|_| *id));
        outcomes.push(Err(refused));
    }
    if !released.is_empty() {
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::ResourceId.is_in(released))
            .exec(&txn)
            .await?;
    }
    write_rows(&txn, &rows).await?;
    txn.commit().await?;
    Ok(outcomes)
}

/// What decides which customers an actor sees.
fn scope(actor: &Actor) -> (Uuid, Uuid, Role, Option<Uuid>) {
    (actor.user_id, actor.org_id, actor.role, actor.team_id)
}

/// Stores the drafts' retry tokens, each pointing at the activity its draft
/// will be; answers the ids of the activities whose token this batch now
/// holds. A token already stored (a retry racing the first request, here or
/// in another process) is left as it is.
async fn claim_retry_tokens(db: &impl ConnectionTrait, drafts: &[Draft], ids: &[Uuid]) -> AppResult<HashSet<Uuid>> {
    let at = now();
    let tokens: Vec<_> = drafts
        .iter()
        .zip(ids)
        .filter_map(|(draft, id)| {
            let idem = draft.idempotency.as_ref()?;
            Some(idempotency_key::ActiveModel {
                id: Set(new_id()),
                user_id: Set(draft.actor.user_id),
                key: Set(idem.key.clone()),
                request_hash: Set(idem.request_hash.clone()),
                resource_id: Set(*id),
                created_at: Set(at),
            })
        })
        .collect();
    if tokens.is_empty() {
        return Ok(HashSet::new());
    }
    let unique =
        OnConflict::columns([idempotency_key::Column::UserId, idempotency_key::Column::Key]).do_nothing().to_owned();
    let stored = idempotency_key::Entity::insert_many(tokens).on_conflict(unique).exec_with_returning(db).await?;
    Ok(stored.into_iter().map(|t| t.resource_id).collect())
}

/// For each draft, whether the contact it names (if any) is one of its
/// customer's people, as they are inside the batch's transaction: one read,
/// and none when no draft names a contact.
async fn contacts_fit(db: &impl ConnectionTrait, drafts: &[Draft]) -> AppResult<Vec<bool>> {
    let named: Vec<Uuid> = drafts.iter().filter_map(|d| d.contact_id).collect();
    let customer_of: HashMap<Uuid, Uuid> = if named.is_empty() {
        HashMap::new()
    } else {
        contact::Entity::find()
            .select_only()
            .columns([contact::Column::Id, contact::Column::CustomerId])
            .filter(contact::Column::Id.is_in(named))
            .into_tuple::<(Uuid, Uuid)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(drafts.iter().map(|d| d.contact_id.is_none_or(|c| customer_of.get(&c) == Some(&d.customer_id))).collect())
}

/// Writes a validated activity, its timeline event and the customer's new
/// last touch, inside the caller's transaction (also used by demo data).
///
/// # Errors
/// Database failures.
pub async fn insert(
    db: &impl ConnectionTrait,
    author_id: Uuid,
    customer: &customer::Model,
    contact_id: Option<Uuid>,
    fields: &ActivityFields,
) -> AppResult<activity::Model> {
    let row = new_row(new_id(), author_id, customer, contact_id, fields);
    touch(db, Condition::all(), &BTreeMap::from([(customer.id, Some(row.occurred_at))])).await?;
    write_rows(db, &[(row.clone(), customer.clone())]).await?;
    Ok(row)
}

fn new_row(
    id: Uuid,
    author_id: Uuid,
    customer: &customer::Model,
    contact_id: Option<Uuid>,
    fields: &ActivityFields,
) -> activity::Model {
    let at = now();
    let mut model = activity::Model {
        id,
        org_id: customer.org_id,
        customer_id: customer.id,
        author_id,
        kind: String::new(),
        direction: None,
        outcome: None,
        occurred_at: at,
        duration_secs: None,
        contact_id,
        body: None,
        next_follow_up_at: None,
        deleted_at: None,
        created_at: at,
        updated_at: at,
    };
    write_fields(&mut model, fields);
    model
}

/// The activities, their timeline events and follow-up reminders, each row
/// on its customer; the caller moves the customers' last touch.
async fn write_rows(db: &impl ConnectionTrait, rows: &[(activity::Model, customer::Model)]) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    activity::Entity::insert_many(rows.iter().map(|(row, _)| row.clone().into_active_model()))
        .exec_without_returning(db)
        .await?;
    let events: Vec<Event> = rows.iter().map(|(row, _)| Event::activity(kind_of(row), logged(row))).collect();
    let entries: Vec<_> = rows
        .iter()
        .zip(&events)
        .map(|((row, _), event)| timeline::NewEvent {
            org_id: row.org_id,
            customer_id: row.customer_id,
            actor_id: Some(row.author_id),
            occurred_at: row.occurred_at,
            subject_id: Some(row.id),
            event,
        })
        .collect();
    timeline::record_all(db, &entries).await?;
    for (row, customer) in rows.iter().filter(|(row, _)| row.next_follow_up_at.is_some()) {
        reminders::follow_up(db, row.author_id, customer, row.id, row.next_follow_up_at).await?;
    }
    Ok(())
}

/// The activity a previous request with the same key created, if any.
async fn replayed(db: &DatabaseConnection, actor: &Actor, idem: Option<&Idempotency>) -> AppResult<Option<Activity>> {
    let Some(idem) = idem else { return Ok(None) };
    let Some(stored) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(actor.user_id))
        .filter(idempotency_key::Column::Key.eq(idem.key.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if stored.request_hash != idem.request_hash {
        return Err(AppError::Unprocessable("this Idempotency-Key was used for a different request".into()));
    }
    let row = activity::Entity::find_by_id(stored.resource_id)
        .filter(activity::Column::OrgId.eq(actor.org_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    with_author(db, row).await.map(Some)
}

/// Edits an activity; only its author or an admin may.
///
/// # Errors
/// `NotFound` when not visible or deleted; `Forbidden` for someone else's
/// activity; `Validation`; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: ActivityPatch) -> AppResult<Activity> {
    let txn = super::begin_write(db).await?;
    let (row, customer) = find_editable(&txn, actor, id).await?;
    let current = fields_of(&row);
    let next = patch.apply(&current, now()).map_err(AppError::Validation)?;
    let changed = timeline::changes(&field_values(&current), &field_values(&next));
    let mut edited = row;
    write_fields(&mut edited, &next);
    edited.updated_at = now();
    let row = edited.into_active_model().reset_all().update(&txn).await?;
    if !changed.is_empty() {
        let event = Event::ActivityEdited { activity_id: row.id, changes: changed };
        timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), row.updated_at, Some(row.id), &event)
            .await?;
        refresh_last_touch(&txn, &customer).await?;
        reminders::follow_up(&txn, actor.user_id, &customer, row.id, row.next_follow_up_at).await?;
    }
    txn.commit().await?;
    with_author(db, row).await
}

/// Deletes an activity (kept as deleted, and recorded on the timeline).
///
/// # Errors
/// `NotFound` when not visible or already deleted; `Forbidden` for someone
/// else's activity; database failures.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    let (row, customer) = find_editable(&txn, actor, id).await?;
    let kind = kind_of(&row);
    let at = now();
    let mut model = row.into_active_model();
    model.deleted_at = Set(Some(at));
    model.updated_at = Set(at);
    let row = model.update(&txn).await?;
    let event = Event::ActivityDeleted { activity_id: row.id, activity_kind: kind };
    timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), at, Some(row.id), &event).await?;
    let before = json!({"kind": kind.as_str(), "customer_id": row.customer_id, "author_id": row.author_id});
    let entry = Entry::by(actor, AuditAction::ActivityDeleted).target(AuditTarget::Activity, row.id).before(before);
    audit::record(&txn, entry).await?;
    refresh_last_touch(&txn, &customer).await?;
    reminders::follow_up(&txn, actor.user_id, &customer, row.id, None).await?;
    txn.commit().await?;
    Ok(())
}

/// A live activity on a visible customer that the actor may change.
async fn find_editable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(activity::Model, customer::Model)> {
    let row = activity::Entity::find_by_id(id)
        .filter(activity::Column::OrgId.eq(actor.org_id))
        .filter(activity::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let customer = find_visible(db, actor, row.customer_id).await?;
    if row.author_id != actor.user_id && !actor.is_admin() {
        return Err(AppError::Forbidden("only the author or an admin can change an activity"));
    }
    Ok((row, customer))
}

/// Customers to touch, each with the time its last touch moves forward to
/// (`None`: only whether it is visible).
type Touches = BTreeMap<Uuid, Option<DateTime<Utc>>>;

/// Of the customers in `latest`, answers those that `visible` selects, as
/// they are after moving each one's last touch forward to its time (never
/// back; `None` leaves it), in one statement and with no read of their
/// activities.
async fn touch(db: &impl ConnectionTrait, visible: Condition, latest: &Touches) -> AppResult<Vec<customer::Model>> {
    let last = customer::Column::LastTouchAt;
    let moves: Vec<(Uuid, DateTime<Utc>)> = latest.iter().filter_map(|(id, at)| Some((*id, (*at)?))).collect();
    let later = if moves.is_empty() {
        Expr::col(last)
    } else {
        let case = moves.into_iter().fold(CaseStatement::new(), |case, (id, at)| {
            case.case(Condition::all().add(customer::Column::Id.eq(id)).add(last.lt(at)), at)
        });
        case.finally(Expr::col(last)).into()
    };
    Ok(customer::Entity::update_many()
        .col_expr(last, later)
        .filter(customer::Column::Id.is_in(latest.keys().copied()))
        .filter(visible)
        .exec_with_returning(db)
        .await?)
}

/// Sets the customer's last touch to its latest live activity (or its
/// creation), after an edit or a deletion may have moved it back.
async fn refresh_last_touch(db: &impl ConnectionTrait, customer: &customer::Model) -> AppResult<()> {
    let latest = activity::Entity::find()
        .filter(activity::Column::OrgId.eq(customer.org_id))
        .filter(activity::Column::CustomerId.eq(customer.id))
        .filter(activity::Column::DeletedAt.is_null())
        .order_by_desc(activity::Column::OccurredAt)
        .one(db)
        .await?;
    let touch = latest.map_or(customer.created_at, |a| a.occurred_at.max(customer.created_at));
    if touch != customer.last_touch_at {
        let mut model = customer.clone().into_active_model();
        model.last_touch_at = Set(touch);
        model.update(db).await?;
    }
    Ok(())
}

fn write_fields(model: &mut activity::Model, f: &ActivityFields) {
    model.kind = f.kind.as_str().to_owned();
    model.direction = f.direction.map(|d| d.as_str().to_owned());
    model.outcome = f.outcome.map(|o| o.as_str().to_owned());
    // Stored at the precision both databases keep, so cursors match exactly.
    model.occurred_at = f.occurred_at.trunc_subsecs(6);
    model.duration_secs = f.duration_secs.and_then(|d| i32::try_from(d).ok());
    model.body = f.body.clone();
    model.next_follow_up_at = f.next_follow_up_at.map(|t| t.trunc_subsecs(6));
}

fn kind_of(row: &activity::Model) -> ActivityKind {
    ActivityKind::parse(&row.kind).unwrap_or(ActivityKind::Note)
}

fn fields_of(row: &activity::Model) -> ActivityFields {
    ActivityFields {
        kind: kind_of(row),
        direction: row.direction.as_deref().and_then(Direction::parse),
        outcome: row.outcome.as_deref().and_then(Outcome::parse),
        occurred_at: row.occurred_at,
        duration_secs: row.duration_secs.and_then(|d| u32::try_from(d).ok()),
        body: row.body.clone(),
        next_follow_up_at: row.next_follow_up_at,
    }
}

fn field_values(f: &ActivityFields) -> Vec<(&'static str, Value)> {
    vec![
        ("kind", json!(f.kind)),
        ("direction", json!(f.direction)),
        ("outcome", json!(f.outcome)),
        ("occurred_at", json!(f.occurred_at)),
        ("duration_secs", json!(f.duration_secs)),
        ("body", json!(f.body)),
        ("next_follow_up_at", json!(f.next_follow_up_at)),
    ]
}

fn logged(row: &activity::Model) -> ActivityLogged {
    let f = fields_of(row);
    ActivityLogged {
        activity_id: row.id,
        direction: f.direction,
        outcome: f.outcome,
        duration_secs: f.duration_secs,
        contact_id: row.contact_id,
        body: f.body,
        next_follow_up_at: f.next_follow_up_at,
    }
}

fn to_dto(row: activity::Model, author: UserRef) -> Activity {
    let f = fields_of(&row);
    Activity {
        id: row.id,
        customer_id: row.customer_id,
        kind: f.kind,
        direction: f.direction,
        outcome: f.outcome,
        occurred_at: f.occurred_at,
        duration_secs: f.duration_secs,
        contact_id: row.contact_id,
        body: f.body,
        next_follow_up_at: f.next_follow_up_at,
        author,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The activity with its author's name read from the database (the author
/// may be someone other than the actor).
async fn with_author(db: &impl ConnectionTrait, row: activity::Model) -> AppResult<Activity> {
    let names = timeline::user_names(db, [row.author_id]).await?;
    let author = UserRef { id: row.author_id, name: names.get(&row.author_id).cloned().unwrap_or_default() };
    Ok(to_dto(row, author))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::db::TestFile;
    use crate::entity::{reminder, timeline_event};
    use rapport_shared::auth::{Role, SetupRequest};
    use sea_orm::PaginatorTrait;

    /// A migrated SQLite file with an org, its admin and one of the admin's customers.
    async fn org() -> (TestFile, DatabaseConnection, Actor, customer::Model) {
        let file = TestFile::new("activities");
        let db = crate::db::connect(&file.url()).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        let setup = SetupRequest {
            org_name: "Batch".into(),
            name: "Ada Admin".into(),
            email: "ada@example.com".into(),
            password: "a long enough password".into(),
            time_zone: None,
            language: None,
        };
        let admin = Actor::of(&super::super::setup::create_org(&db, setup.validate().unwrap()).await.unwrap());
        let input = serde_json::from_value(json!({"kind": "company", "name": "Harbor Trading"})).unwrap();
        let created = super::super::customers::create(&db, &admin, input).await.unwrap();
        let customer = customer::Entity::find_by_id(created.id).one(&db).await.unwrap().unwrap();
        (file, db, admin, customer)
    }

    fn draft(actor: &Actor, customer_id: Uuid, minute: i64, key: Option<&str>) -> Draft {
        // Tomorrow: a last touch only moves forward, and the customer was made now.
        let occurred_at = now().trunc_subsecs(0) + chrono::Duration::days(1) + chrono::Duration::minutes(minute);
        Draft {
            actor: actor.clone(),
            customer_id,
            contact_id: None,
            fields: ActivityFields {
                kind: ActivityKind::Call,
                direction: None,
                outcome: Some(Outcome::Reached),
                occurred_at,
                duration_secs: None,
                body: Some(format!("call at minute {minute}")),
                next_follow_up_at: None,
            },
            idempotency: key.map(|k| Idempotency { key: k.into(), request_hash: "same".into() }),
        }
    }

    #[tokio::test]
    async fn a_batch_answers_each_draft_on_its_own() {
        let (_file, db, admin, customer) = org().await;
        let stranger = Actor { user_id: Uuid::now_v7(), role: Role::Rep, ..admin.clone() };
        let mut follow_up = draft(&admin, customer.id, 3, None);
        follow_up.fields.next_follow_up_at = Some(follow_up.fields.occurred_at + chrono::Duration::days(2));
        let drafts = [
            draft(&admin, customer.id, 1, Some("first")),
            // Not the stranger's customer: refused, and its token not kept.
            draft(&stranger, customer.id, 9, Some("stranger")),
            // The same token again in the same batch: answered as a retry.
            draft(&admin, customer.id, 2, Some("first")),
            follow_up,
        ];
        let outcomes = write_batch(&db, &drafts).await.unwrap();
        let written: Vec<_> = outcomes
            .iter()
            .map(|o| match o {
                Ok(Logged::Written(a)) => format!("written {}", a.body.clone().unwrap()),
                Ok(Logged::Retried) => "retried".into(),
                Err(AppError::NotFound) => "not found".into(),
                Err(e) => format!("{e:?}"),
            })
            .collect();
        assert_eq!(written, ["written call at minute 1", "not found", "retried", "written call at minute 3"]);

        assert_eq!(activity::Entity::find().count(&db).await.unwrap(), 2);
        let events = timeline_event::Entity::find()
            .filter(timeline_event::Column::Kind.eq("call"))
            .order_by_asc(timeline_event::Column::OccurredAt)
            .all(&db)
            .await
            .unwrap();
        let Some(Ok(Logged::Written(first))) = outcomes.first() else { unreachable!() };
        assert_eq!(events.len(), 2, "one event per written activity");
        assert_eq!(events[0].subject_id, Some(first.id));
        let tokens = idempotency_key::Entity::find().all(&db).await.unwrap();
        assert_eq!(tokens.len(), 1, "the refused draft's token is released");
        assert_eq!((tokens[0].key.as_str(), tokens[0].resource_id), ("first", first.id));
        assert_eq!(reminder::Entity::find().count(&db).await.unwrap(), 1, "the follow-up became a reminder");
        let touched = customer::Entity::find_by_id(customer.id).one(&db).await.unwrap().unwrap();
        assert_eq!(touched.last_touch_at, drafts[3].fields.occurred_at, "the latest of the batch");

        // A later retry of the first draft is answered with its activity.
        let log = ActivityLog::new(db.clone());
        let again = NewActivity {
            kind: ActivityKind::Call,
            direction: None,
            outcome: Some(Outcome::Reached),
            occurred_at: None,
            duration_secs: None,
            contact_id: None,
            body: Some("call at minute 1".into()),
            next_follow_up_at: None,
        };
        let idem = Idempotency { key: "first".into(), request_hash: "same".into() };
        let replay = log.create(&admin, customer.id, again, Some(idem)).await.unwrap();
        assert_eq!(replay.id, first.id);
        assert_eq!(activity::Entity::find().count(&db).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_contact_is_checked_in_the_batch_and_a_wrong_one_changes_nothing() {
        let (_file, db, admin, customer) = org().await;
        let contact = |name: &str| serde_json::from_value(json!({ "name": name })).unwrap();
        let own = super::super::contacts::create(&db, &admin, customer.id, contact("Li")).await.unwrap();
        let input = serde_json::from_value(json!({"kind": "company", "name": "Other Trading"})).unwrap();
        let other = super::super::customers::create(&db, &admin, input).await.unwrap();
        let foreign = super::super::contacts::create(&db, &admin, other.id, contact("Mo")).await.unwrap();
        let with_contact = |minute, contact_id, key| Draft {
            contact_id: Some(contact_id),
            ..draft(&admin, customer.id, minute, Some(key))
        };
        let drafts = [with_contact(1, own.id, "own"), with_contact(5, foreign.id, "foreign")];

        let outcomes = write_batch(&db, &drafts).await.unwrap();

        match &outcomes[..] {
            [Ok(Logged::Written(a)), Err(AppError::Validation(errors))] => {
                assert_eq!(a.contact_id, Some(own.id));
                assert!(format!("{errors:?}").contains("contact_id"), "{errors:?}");
            }
            _ => panic!("the customer's own contact is written, another's refused"),
        }
        assert_eq!(activity::Entity::find().count(&db).await.unwrap(), 1);
        let keys: Vec<_> = idempotency_key::Entity::find().all(&db).await.unwrap().into_iter().map(|k| k.key).collect();
        assert_eq!(keys, ["own"], "the refused draft's token is released");
        let touched = customer::Entity::find_by_id(customer.id).one(&db).await.unwrap().unwrap();
        assert_eq!(touched.last_touch_at, drafts[0].fields.occurred_at, "the refused, later call moved nothing");
    }

    #[tokio::test]
    async fn a_failing_batch_is_written_again_one_by_one() {
        let (_file, db, admin, customer) = org().await;
        db.execute_unprepared(
            "CREATE TRIGGER refuse BEFORE INSERT ON activities WHEN NEW.body = 'call at minute 2' \
             BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .await
        .unwrap();
        let log = ActivityLog::new(db.clone());
        // Three drafts waiting before the writer starts: one batch.
        let answers: Vec<_> = (1..=3)
            .map(|minute| {
                let (answer, answered) = oneshot::channel();
                let mut queue = log.inner.queue.lock().unwrap();
                queue.waiting.push(Job { draft: draft(&admin, customer.id, minute, None), answer });
                queue.writing = true;
                answered
            })
            .collect();
        write_waiting(log.inner.clone()).await;
        let mut answered = Vec::new();
        for answer in answers {
            answered.push(match answer.await.unwrap() {
                Ok(Logged::Written(a)) => a.body.unwrap(),
                Ok(Logged::Retried) => "retried".into(),
                Err(e) => format!("error: {e}"),
            });
        }
        assert_eq!(answered, ["call at minute 1", "error: internal error", "call at minute 3"]);
        assert_eq!(activity::Entity::find().count(&db).await.unwrap(), 2);
        assert_eq!(
            timeline_event::Entity::find().count(&db).await.unwrap(),
            2 + 1,
            "two calls and the customer's creation"
        );
        assert!(!log.inner.queue.lock().unwrap().writing, "the writer stopped with nothing waiting");
    }
}
