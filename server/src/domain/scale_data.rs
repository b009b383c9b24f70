//! `rapport demo-data --scale large`: an organisation the size of a busy
//! company after years of use, for the load benchmark and for trying the app
//! with real volume. Large is 1,000,000 customers, 10,000,000 timeline events,
//! 200 users in 20 teams, 100,000 deals and 1,000,000 reminders; a few "hot"
//! customers carry 10,000 events each and the rest follow a long tail.
//!
//! Rows go in as multi-row INSERTs, a thousand at a time, in transactions of
//! about fifty thousand rows; one password hash serves every user. The rows
//! are what the domain functions would write (search text, duplicate keys,
//! last touch, alert times), so every screen and query works on them.
//! Deterministic (fixed seed) apart from ids and the current time.

use super::demo::COMPANY_STEMS;
use super::recurrence::local_day_bounds;
use super::{new_id, now, pipelines, setup};
use crate::entity::{
    activity, customer, customer_key, deal, deal_stage_history, reminder, stage, team, timeline_event, user,
};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rapport_shared::activity::{ActivityKind, Direction, Outcome};
use rapport_shared::auth::{Role, SetupRequest};
use rapport_shared::customer::{CustomerKind, LifecycleStatus, SourceChannel};
use rapport_shared::timeline::{ActivityLogged, Event};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;
use std::time::Instant;
use uuid::Uuid;

pub const SCALE_ORG: &str = "Scale Trading (generated)";
pub const SCALE_DOMAIN: &str = "scale.rapport.example";

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// A few seconds: 2,000 customers, 20,000 events (CI runs the load bench on it).
    Tiny,
    /// 100,000 customers, 1,000,000 events.
    Small,
    /// 1,000,000 customers, 10,000,000 events.
    Large,
}

/// The row counts of a scale.
#[derive(Debug, Clone, Copy)]
pub struct Volume {
    pub customers: usize,
    pub events: usize,
    pub teams: usize,
    pub users: usize,
    pub deals: usize,
    pub reminders: usize,
    /// Customers with `hot_events` events each.
    pub hot_customers: usize,
    pub hot_events: usize,
}

impl Scale {
    pub fn volume(self) -> Volume {
        match self {
            Self::Tiny => Volume {
                customers: 2_000,
                events: 20_000,
                teams: 2,
                users: 20,
                deals: 200,
                reminders: 2_000,
                hot_customers: 2,
                hot_events: 1_000,
            },
            Self::Small => Volume {
                customers: 100_000,
                events: 1_000_000,
                teams: 20,
                users: 200,
                deals: 10_000,
                reminders: 100_000,
                hot_customers: 5,
                hot_events: 10_000,
            },
            Self::Large => Volume {
                customers: 1_000_000,
                events: 10_000_000,
                teams: 20,
                users: 200,
                deals: 100_000,
                reminders: 1_000_000,
                hot_customers: 10,
                hot_events: 10_000,
            },
        }
    }
}

/// What was written, and how long it took.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub customers: usize,
    pub events: usize,
    pub activities: usize,
    pub users: usize,
    pub deals: usize,
    pub reminders: usize,
    pub seconds: f64,
}

impl Report {
    pub fn rows(&self) -> usize {
        self.customers + self.events + self.activities + self.users + self.deals + self.reminders
    }
}

/// Rows per INSERT statement: under SQLite's 32,766 bound values for the
/// widest table (customers, 23 columns).
const BATCH: usize = 1_000;
/// Customers per transaction, with their keys, events and activities.
const CHUNK: usize = 5_000;

/// Company stems after the demo's own (`demo::COMPANY_STEMS` comes first).
const MORE_STEMS: &[&str] =
    &["Granite", "Kestrel", "Meridian", "Oakridge", "Pearl", "Quartz", "Riverside", "Sapphire", "Willow", "Zenith"];
const TRADES: &[&str] = &[
    "Trading",
    "Foods",
    "Logistics",
    "Electronics",
    "Textiles",
    "Pharma",
    "Studio",
    "Machinery",
    "Retail",
    "Hotels",
    "Software",
    "Ceramics",
];
const BODIES: &[&str] = &[
    "Talked about the next order; wants a quote by Friday.",
    "Visited the warehouse, met the buyer.",
    "Sent the quote by e-mail.",
    "Left a voicemail; call again.",
    "Asked for samples of the new range.",
    "Confirmed delivery dates for the spring order.",
];

/// The name of the `i`-th generated customer (the first are the hot ones).
pub fn customer_name(i: usize) -> String {
    let stems = COMPANY_STEMS.len() + MORE_STEMS.len();
    let k = i % stems;
    let stem = if k < COMPANY_STEMS.len() { COMPANY_STEMS[k] } else { MORE_STEMS[k - COMPANY_STEMS.len()] };
    format!("{stem} {} {i}", TRADES[(i / stems) % TRADES.len()])
}

/// The phone number of the `i`-th generated customer, in E.164.
pub fn customer_phone(i: usize) -> String {
    format!("+86138{i:08}")
}

/// The e-mail address of the `i`-th generated customer.
pub fn customer_email(i: usize) -> String {
    format!("contact{i}@{}.example", customer_name(i).to_lowercase().replace(' ', ""))
}

/// Creates the organisation of `scale`; every user signs in with `password`.
///
/// # Errors
/// `Conflict` when the organisation exists already; database failures.
pub async fn create(db: &DatabaseConnection, scale: Scale, password: &str) -> AppResult<Report> {
    let began = Instant::now();
    let volume = scale.volume();
    let admin_email = format!("admin@{SCALE_DOMAIN}");
    let exists = user::Entity::find().filter(user::Column::Email.eq(admin_email.as_str())).one(db).await?.is_some();
    if exists {
        return Err(AppError::Conflict { message: "the generated organisation exists already".into(), details: None });
    }
    let mut rng = StdRng::seed_from_u64(7);
    let at = now();

    let txn = super::begin_write(db).await?;
    let setup = SetupRequest {
        org_name: SCALE_ORG.into(),
        name: "Scale Admin".into(),
        email: admin_email,
        password: password.into(),
        time_zone: Some("UTC".into()),
        language: None,
    };
    let setup = setup.validate().map_err(AppError::Validation)?;
    // The org, its default pipeline and its admin, as first-run setup makes them.
    let admin = setup::create_org_with_admin(&txn, setup).await?;
    let org_id = admin.org_id;
    let hash = admin.password_hash.clone();
    let mut teams = Vec::with_capacity(volume.teams);
    for t in 0..volume.teams {
        let row = team::ActiveModel {
            id: Set(new_id()),
            org_id: Set(org_id),
            name: Set(format!("Team {}", t + 1)),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        teams.push(row.id);
    }
    // One manager per team; the other users are reps, spread over the teams.
    let mut people = Vec::with_capacity(volume.users);
    let mut reps = Vec::new();
    for n in 1..volume.users {
        let (role, login, team_id) = if n <= volume.teams {
            (Role::Manager, format!("manager{n}"), teams[n - 1])
        } else {
            let rep = n - volume.teams;
            (Role::Rep, format!("rep{rep}"), teams[rep % volume.teams])
        };
        let row = user::Model {
            id: new_id(),
            org_id,
            email: format!("{login}@{SCALE_DOMAIN}"),
            name: format!("{} {n}", if role == Role::Rep { "Rep" } else { "Manager" }),
            password_hash: hash.clone(),
            role: role.as_str().into(),
            time_zone: "UTC".into(),
            language: "en".into(),
            active: true,
            next_digest_at: None,
            team_id: Some(team_id),
            invite_hash: None,
            invite_expires_at: None,
            created_at: at,
            updated_at: at,
        };
        if role == Role::Rep {
            reps.push(row.id);
        }
        people.push(row.into_active_model());
    }
    let users_written = people.len() + 1;
    insert_all(&txn, people).await?;
    txn.commit().await?;

    let mut report = Report { users: users_written, ..Report::default() };
    let owners = write_customers(db, &mut rng, org_id, &reps, volume, at, &mut report).await?;
    // The customers went in without `search_grams::record`.
    db.execute_unprepared(rapport_migrations::m20261207_000018_search_grams::fill_sql(db.get_database_backend()))
        .await?;
    report.deals = write_deals(db, &mut rng, org_id, &owners, volume.deals, at).await?;
    report.reminders = write_reminders(db, &mut rng, org_id, &owners, volume.reminders, at).await?;
    // Fresh statistics, so the planners know the shape of what just arrived
    // (SQLite has none until ANALYZE; PostgreSQL's autovacuum would lag).
    let analyze = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            "ANALYZE users, customers, customer_keys, search_grams, activities, timeline_events, deals, deal_stage_history, reminders"
        }
        _ => "ANALYZE",
    };
    db.execute_unprepared(analyze).await?;
    report.seconds = began.elapsed().as_secs_f64();
    Ok(report)
}

/// Customers with their duplicate keys, timeline events and activities, a
/// chunk per transaction; returns each customer with its owner.
async fn write_customers(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    org_id: Uuid,
    reps: &[Uuid],
    volume: Volume,
    at: DateTime<Utc>,
    report: &mut Report,
) -> AppResult<Vec<(Uuid, Uuid)>> {
    // Events besides each customer's "created": a few hot customers, then a
    // long tail (exponential) whose mean makes up the requested total.
    let hot_total = volume.hot_customers * volume.hot_events;
    let tail_mean = volume.events.saturating_sub(hot_total + volume.customers) as f64 / volume.customers as f64;
    let mut owners = Vec::with_capacity(volume.customers);
    let mut first = 0;
    while first < volume.customers {
        let last = (first + CHUNK).min(volume.customers);
        let mut customers = Vec::with_capacity(last - first);
        let mut keys = Vec::with_capacity((last - first) * 3);
        let mut events = Vec::new();
        let mut activities = Vec::new();
        for i in first..last {
            // Some reps carry far more customers than others.
            let u: f64 = rng.random();
            let owner = reps[((u * u) * reps.len() as f64) as usize % reps.len()];
            let extra = if i < volume.hot_customers {
                volume.hot_events - 1
            } else {
                let u: f64 = rng.random_range(f64::EPSILON..1.0);
                (-u.ln() * tail_mean).round() as usize
            };
            let id = new_id();
            let created = at - Duration::days(rng.random_range(30..1_500));
            let (name, phone, email) = (customer_name(i), customer_phone(i), customer_email(i));
            events.push(event(org_id, id, owner, created, None, &Event::CustomerCreated { name: name.clone() })?);
            let span = (at - created).num_seconds().max(1);
            let mut last_touch = created;
            for _ in 0..extra {
                let when = created + Duration::seconds(rng.random_range(0..span));
                last_touch = last_touch.max(when);
                let row = activity_row(rng, org_id, id, owner, when);
                let logged = ActivityLogged {
                    activity_id: row.id,
                    direction: row.direction.as_deref().and_then(Direction::parse),
                    outcome: row.outcome.as_deref().and_then(Outcome::parse),
                    duration_secs: row.duration_secs.map(|d| d as u32),
                    contact_id: None,
                    body: row.body.clone(),
                    next_follow_up_at: None,
                };
                let kind = ActivityKind::parse(&row.kind).unwrap_or(ActivityKind::Note);
                events.push(event(org_id, id, owner, when, Some(row.id), &Event::activity(kind, logged))?);
                activities.push(row.into_active_model());
            }
            keys.push(key(id, org_id, "phone", phone.trim_start_matches('+')));
            keys.push(key(id, org_id, "email", &email));
            keys.push(key(id, org_id, "name", &name.to_lowercase()));
            customers.push(
                customer::Model {
                    id,
                    org_id,
                    owner_id: owner,
                    kind: CustomerKind::Company.as_str().into(),
                    sort_name: name.to_lowercase(),
                    search_text: format!("{} {phone} {email}", name.to_lowercase()),
                    phones: json!([phone]),
                    emails: json!([email]),
                    name,
                    address: Some(format!("{} Market Street", 1 + i % 400)),
                    industry: Some(TRADES[i % TRADES.len()].into()),
                    size: Some("11-50".into()),
                    region: Some(if i % 2 == 0 { "East" } else { "West" }.into()),
                    source_channel: Some(SourceChannel::ALL[i % SourceChannel::ALL.len()].as_str().into()),
                    status: LifecycleStatus::ALL[i % LifecycleStatus::ALL.len()].as_str().into(),
                    tags: json!([]),
                    custom_fields: json!({}),
                    archived_at: None,
                    last_touch_at: last_touch,
                    pooled_at: None,
                    claimed_at: None,
                    claimed_by: None,
                    created_at: created,
                    updated_at: created,
                }
                .into_active_model(),
            );
            owners.push((id, owner));
        }
        report.customers += customers.len();
        report.events += events.len();
        report.activities += activities.len();
        let txn = super::begin_write(db).await?;
        insert_all(&txn, customers).await?;
        insert_all(&txn, keys).await?;
        insert_all(&txn, activities).await?;
        insert_all(&txn, events).await?;
        txn.commit().await?;
        first = last;
    }
    Ok(owners)
}

fn activity_row(
    rng: &mut StdRng,
    org_id: Uuid,
    customer_id: Uuid,
    author: Uuid,
    when: DateTime<Utc>,
) -> activity::Model {
    let kind = ActivityKind::ALL[rng.random_range(0..ActivityKind::ALL.len())];
    activity::Model {
        id: new_id(),
        org_id,
        customer_id,
        author_id: author,
        kind: kind.as_str().into(),
        direction: Some(Direction::ALL[rng.random_range(0..Direction::ALL.len())].as_str().into()),
        outcome: Some(Outcome::ALL[rng.random_range(0..Outcome::ALL.len())].as_str().into()),
        occurred_at: when,
        duration_secs: (kind == ActivityKind::Call).then(|| rng.random_range(30..1_200)),
        contact_id: None,
        body: Some(BODIES[rng.random_range(0..BODIES.len())].into()),
        next_follow_up_at: None,
        deleted_at: None,
        created_at: when,
        updated_at: when,
    }
}

fn event(
    org_id: Uuid,
    customer_id: Uuid,
    actor: Uuid,
    when: DateTime<Utc>,
    subject: Option<Uuid>,
    event: &Event,
) -> AppResult<timeline_event::ActiveModel> {
    Ok(timeline_event::Model {
        id: new_id(),
        org_id,
        customer_id,
        occurred_at: when,
        kind: event.kind().into(),
        actor_id: Some(actor),
        subject_id: subject,
        payload: serde_json::to_value(event).map_err(|e| AppError::Internal(e.into()))?,
        created_at: when,
    }
    .into_active_model())
}

fn key(customer_id: Uuid, org_id: Uuid, kind: &str, value: &str) -> customer_key::ActiveModel {
    customer_key::Model { customer_id, org_id, kind: kind.into(), value: value.into() }.into_active_model()
}

/// Deals on the default pipeline: most open and spread over its stages, the
/// rest won or lost; each with its stage history.
async fn write_deals(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    org_id: Uuid,
    owners: &[(Uuid, Uuid)],
    count: usize,
    at: DateTime<Utc>,
) -> AppResult<usize> {
    let pipeline = pipelines::default_pipeline(db, org_id).await?;
    let stages = stage::Entity::find()
        .filter(stage::Column::PipelineId.eq(pipeline.id))
        .order_by_asc(stage::Column::Position)
        .all(db)
        .await?;
    if stages.is_empty() || owners.is_empty() {
        return Ok(0);
    }
    let mut ranks = vec![0_i64; stages.len()];
    let mut written = 0;
    while written < count {
        let n = (count - written).min(CHUNK);
        let mut deals = Vec::with_capacity(n);
        let mut history = Vec::with_capacity(n);
        for _ in 0..n {
            let (customer_id, owner) = owners[rng.random_range(0..owners.len())];
            let s = rng.random_range(0..stages.len());
            let stage = &stages[s];
            ranks[s] += 1_024;
            let entered = at - Duration::hours(rng.random_range(1..2_000));
            let id = new_id();
            let status = match stage.kind.as_str() {
                "won" => "won",
                "lost" => "lost",
                _ => "open",
            };
            deals.push(
                deal::Model {
                    id,
                    org_id,
                    customer_id,
                    owner_id: owner,
                    pipeline_id: pipeline.id,
                    stage_id: stage.id,
                    title: format!("Order #{}", 10_000 + written + deals.len()),
                    amount_minor: Some(rng.random_range(1_000..500_000) * 100),
                    currency: "CNY".into(),
                    expected_close: Some((at + Duration::days(rng.random_range(-30..120))).date_naive()),
                    notes: None,
                    status: status.into(),
                    lost_reason: (status == "lost").then(|| "Price too high".into()),
                    version: 1,
                    rank: ranks[s],
                    stage_entered_at: entered,
                    archived_at: None,
                    created_at: entered,
                    updated_at: entered,
                }
                .into_active_model(),
            );
            history.push(
                deal_stage_history::Model {
                    id: new_id(),
                    org_id,
                    deal_id: id,
                    stage_id: stage.id,
                    entered_at: entered,
                    entered_by: owner,
                    left_at: None,
                    left_by: None,
                }
                .into_active_model(),
            );
        }
        let txn = super::begin_write(db).await?;
        insert_all(&txn, deals).await?;
        insert_all(&txn, history).await?;
        txn.commit().await?;
        written += n;
    }
    Ok(written)
}

/// Reminders for customers' owners, due from a month ago to two months ahead;
/// a third done. Open ones are armed as the domain arms them; those already
/// past have had their alerts, so a server started on the data is not
/// flooded with a month of notifications.
async fn write_reminders(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    org_id: Uuid,
    owners: &[(Uuid, Uuid)],
    count: usize,
    at: DateTime<Utc>,
) -> AppResult<usize> {
    if owners.is_empty() {
        return Ok(0);
    }
    let mut written = 0;
    while written < count {
        let n = (count - written).min(CHUNK * 4);
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            let (customer_id, owner) = owners[rng.random_range(0..owners.len())];
            let due = at + Duration::minutes(rng.random_range(-30 * 1_440..60 * 1_440));
            let done = rng.random_range(0..3) == 0;
            let day_end = local_day_bounds(due, chrono_tz::UTC).1;
            let (next_alert, notified) = match (done, due > at, day_end > at) {
                (true, _, _) => (None, None),
                (false, true, _) => (Some(due), None),
                (false, false, true) => (Some(day_end), Some(due)),
                (false, false, false) => (None, Some(due)),
            };
            rows.push(
                reminder::Model {
                    id: new_id(),
                    org_id,
                    assignee_id: owner,
                    customer_id: Some(customer_id),
                    deal_id: None,
                    title: format!("Call back about order {}", written + rows.len()),
                    note: None,
                    due_at: due,
                    snoozed_until: None,
                    priority: "normal".into(),
                    status: if done { "done" } else { "open" }.into(),
                    recurrence: None,
                    occurrence: 1,
                    source: "manual".into(),
                    activity_id: None,
                    playbook_run_id: None,
                    channel: None,
                    created_by: owner,
                    completed_at: done.then_some(due),
                    next_alert_at: next_alert,
                    due_notified_at: notified,
                    overdue_at: (!done).then_some(day_end),
                    created_at: due - Duration::days(3),
                    updated_at: due - Duration::days(3),
                }
                .into_active_model(),
            );
        }
        let txn = super::begin_write(db).await?;
        insert_all(&txn, rows).await?;
        txn.commit().await?;
        written += n;
    }
    Ok(written)
}

/// Inserts `rows` a batch at a time, without reading anything back.
async fn insert_all<A>(db: &impl sea_orm::ConnectionTrait, rows: Vec<A>) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        <A::Entity as EntityTrait>::insert_many(batch).exec_without_returning(db).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_order_the_generated_databases_were_made_with() {
        assert_eq!(customer_name(0), "Acme Trading 0");
        assert_eq!(customer_name(21), "Kestrel Trading 21");
        assert_eq!(customer_name(30), "Acme Foods 30");
        assert_eq!(customer_email(30), "contact30@acmefoods30.example");
    }

    #[test]
    fn large_is_the_size_the_benchmark_promises() {
        let v = Scale::Large.volume();
        assert_eq!((v.customers, v.events, v.users, v.teams), (1_000_000, 10_000_000, 200, 20));
        assert_eq!((v.deals, v.reminders, v.hot_events), (100_000, 1_000_000, 10_000));
    }
}
