//! `rapport demo-data`: a realistic demo organisation so a first look is not
//! empty — an admin, two managers, five reps, ~200 customers with contacts
//! and a few activities each (so timelines and last touches are filled),
//! deals on a third of them across the pipeline, and the shared pool on
//! (holding the lost customers).
//! Deterministic (fixed seed), so screenshots and docs stay comparable.

use super::customers::insert_row;
use super::users::{self, NewUser};
use super::{Actor, activities, deals, new_id, now, org_settings, pipelines, playbooks, pool};
use crate::entity::{contact, deal, deal_stage_history, org, playbook_run, reminder, team, timeline_event};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rapport_shared::activity::{ActivityFields, ActivityKind, Direction, Outcome};
use rapport_shared::auth::{Language, Role};
use rapport_shared::customer::{CustomerFields, CustomerKind, LifecycleStatus, SourceChannel};
use rapport_shared::org_settings::OrgSettingsPatch;
use rapport_shared::pipeline::{DEFAULT_LOST_REASONS, MoveDeal, NewDeal, StageKind};
use rapport_shared::playbook::{NewPlaybook, PlaybookStep};
use rapport_shared::validate::{Email, Phone};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::{Map, json};
use uuid::Uuid;

pub const DEMO_ORG: &str = "Northwind Trading (demo)";
pub const DEMO_DOMAIN: &str = "demo.rapport.example";
const CUSTOMERS: usize = 200;
/// The demo's `pool_after_days`: beyond its oldest last touch (120 days), so
/// at first only lost customers are in the pool.
const POOL_AFTER_DAYS: u32 = 150;

/// Login, name, role and team (two teams, each with its manager).
const PEOPLE: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin", "Ada Admin", Role::Admin, None),
    ("manager.east", "Mei Chen", Role::Manager, Some("East")),
    ("manager.west", "Marcus Webb", Role::Manager, Some("West")),
    ("rep.li", "Li Wei", Role::Rep, Some("East")),
    ("rep.sara", "Sara Jones", Role::Rep, Some("West")),
    ("rep.zhang", "Zhang Min", Role::Rep, Some("East")),
    ("rep.omar", "Omar Haddad", Role::Rep, Some("West")),
    ("rep.priya", "Priya Nair", Role::Rep, Some("East")),
];

pub(super) const COMPANY_STEMS: &[&str] = &[
    "Acme",
    "Blue River",
    "Golden Gate",
    "Huaxin",
    "Evergreen",
    "Summit",
    "Pioneer",
    "Jade Dragon",
    "Northstar",
    "Redwood",
    "Silverline",
    "Tianfu",
    "Harbor",
    "Lotus",
    "Orion",
    "Maple",
    "Crescent",
    "Sunrise",
    "Yangtze",
    "Cedar",
];
const COMPANY_SUFFIXES: &[&str] = &[
    "Trading",
    "Logistics",
    "Foods",
    "Machinery",
    "Textiles",
    "Pharma",
    "Retail",
    "Electronics",
    "Builders",
    "Studio",
];
const FIRST_NAMES: &[&str] = &[
    "Wang Fang",
    "Liu Yang",
    "Chen Jie",
    "Emma",
    "Noah",
    "Olivia",
    "Zhao Lei",
    "Sun Li",
    "Lucas",
    "Mia",
    "Huang Wei",
    "Ethan",
];
const LAST_NAMES: &[&str] = &["Smith", "Garcia", "Müller", "Tanaka", "Kim", "Brown", "Rossi", "Novak"];
const INDUSTRIES: &[&str] =
    &["Manufacturing", "Retail", "Healthcare", "Logistics", "Hospitality", "Construction", "Education"];
const REGIONS: &[&str] = &["East", "West", "North", "South", "Central"];
const SIZES: &[&str] = &["1-10", "11-50", "51-200", "201-1000", "1000+"];
const TAGS: &[&str] = &["vip", "reorder", "price-sensitive", "trade-show", "referral", "key-account"];
/// Touches as a rep would log them: the body fits the kind, and only
/// conversations have an outcome.
const TOUCHES: &[(ActivityKind, Option<Outcome>, &str)] = &[
    (ActivityKind::Call, Some(Outcome::Reached), "Asked for the new price list."),
    (ActivityKind::Call, Some(Outcome::NoAnswer), "Left a voicemail; call again."),
    (ActivityKind::Call, Some(Outcome::Interested), "Budget approved for next quarter."),
    (ActivityKind::Call, Some(Outcome::NotInterested), "Happy with their current supplier for now."),
    (ActivityKind::Call, Some(Outcome::FollowUpNeeded), "Needs a revised quote with volume prices."),
    (ActivityKind::Visit, Some(Outcome::Reached), "Visited the warehouse, met the buyer."),
    (ActivityKind::Meeting, Some(Outcome::Interested), "Wants samples before the next order."),
    (ActivityKind::Message, None, "Sent the quote by WeChat."),
    (ActivityKind::Email, None, "Sent the catalogue and asked which lines they stock."),
    (ActivityKind::Note, None, "Comparing us with a competitor."),
];
const PRODUCTS: &[&str] = &["Tea", "Packaging", "Coffee", "Office supplies", "Uniforms", "Spare parts", "Software"];
const TITLES: &[&str] = &["Purchasing Manager", "CEO", "Office Manager", "Head of Operations", "Buyer", "CFO"];

/// Creates the demo organisation; refuses when it exists already.
///
/// # Errors
/// `Conflict` when the demo users exist; database failures.
pub async fn create(db: &DatabaseConnection, password: &str) -> AppResult<usize> {
    let txn = super::begin_write(db).await?;
    let at = now();
    let org = org::ActiveModel {
        id: Set(new_id()),
        name: Set(DEMO_ORG.into()),
        stale_after_days: Set(14),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    super::pipelines::seed_defaults(&txn, org.id).await?;
    let mut owners = Vec::new();
    let mut admin_id = Uuid::nil();
    let mut teams = std::collections::HashMap::new();
    for name in ["East", "West"] {
        let row = team::ActiveModel {
            id: Set(new_id()),
            org_id: Set(org.id),
            name: Set(name.into()),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        teams.insert(name, row.id);
    }
    for (local, name, role, team) in PEOPLE {
        let email = Email::parse(&format!("{local}@{DEMO_DOMAIN}")).map_err(|e| anyhow::anyhow!("demo e-mail: {e}"))?;
        let user = users::insert(
            &txn,
            NewUser {
                org_id: org.id,
                email,
                name: (*name).into(),
                password: password.into(),
                role: *role,
                time_zone: if local.contains("zhang") || local.contains("li") {
                    "Asia/Shanghai"
                } else {
                    "Europe/London"
                }
                .into(),
                language: if local.contains("zhang") { Language::ZhCn } else { Language::En },
                team_id: team.and_then(|t| teams.get(t).copied()),
            },
        )
        .await
        .map_err(|e| match e {
            AppError::Conflict { .. } => AppError::conflict("the demo organisation exists already"),
            other => other,
        })?;
        if *role == Role::Admin {
            admin_id = user.id;
        } else {
            owners.push(user.id);
        }
    }

    let mut rng = StdRng::seed_from_u64(20261122);
    let mut with_deals = Vec::new();
    for i in 0..CUSTOMERS {
        let company = rng.random_bool(0.7);
        let name = if company {
            format!("{} {} {}", pick(&mut rng, COMPANY_STEMS), pick(&mut rng, COMPANY_SUFFIXES), i + 1)
        } else {
            format!("{} {}", pick(&mut rng, FIRST_NAMES), pick(&mut rng, LAST_NAMES))
        };
        let slug: String = name.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect();
        let phone = Phone::parse(&format!("+86 138 {:04} {:04}", rng.random_range(0..10_000), i))
            .map_err(|e| anyhow::anyhow!("demo phone: {e}"))?;
        let email = Email::parse(&format!("contact{i}@{}.example", if slug.is_empty() { "customer" } else { &slug }))
            .map_err(|e| anyhow::anyhow!("demo e-mail: {e}"))?;
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..rng.random_range(0..3) {
            let tag = pick(&mut rng, TAGS).to_string();
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let mut custom = Map::new();
        if company && rng.random_bool(0.4) {
            custom.insert("credit_limit".into(), json!(rng.random_range(1..50) * 1000));
        }
        let fields = CustomerFields {
            kind: if company { CustomerKind::Company } else { CustomerKind::Person },
            name,
            phones: vec![phone],
            emails: vec![email],
            address: Some(format!("{} Market Street, {}", rng.random_range(1..300), pick(&mut rng, REGIONS))),
            industry: Some(pick(&mut rng, INDUSTRIES).to_string()),
            size: company.then(|| pick(&mut rng, SIZES).to_string()),
            region: Some(pick(&mut rng, REGIONS).to_string()),
            source_channel: Some(*pick(&mut rng, SourceChannel::ALL)),
            status: *pick(&mut rng, LifecycleStatus::ALL),
            tags,
            custom_fields: custom,
        };
        let owner = owners[i % owners.len()];
        let touched = at - chrono::Duration::minutes(rng.random_range(0..60 * 24 * 120));
        let created = touched - chrono::Duration::days(40);
        let customer = insert_row(&txn, org.id, owner, Some(owner), &fields, created).await?;
        if company && rng.random_bool(0.5) {
            with_deals.push((customer.id, owner));
        }
        // A few touches over the last months, the latest one becoming the last touch.
        let touches = rng.random_range(1..=4);
        for t in 0..touches {
            let &(kind, outcome, body) = pick(&mut rng, TOUCHES);
            let occurred_at = touched - chrono::Duration::days(i64::from(touches - 1 - t) * 9);
            // Some latest touches promised a follow-up: overdue, today or soon, as reminders.
            let next_follow_up_at = (t == touches - 1 && rng.random_bool(0.35)).then(|| {
                let due = at + chrono::Duration::minutes(rng.random_range(-3 * 24 * 60..10 * 24 * 60));
                std::cmp::max(due, occurred_at + chrono::Duration::hours(1))
            });
            // Nobody answers their own call.
            let outbound = outcome == Some(Outcome::NoAnswer) || rng.random_bool(0.7);
            let direction = if outbound { Direction::Outbound } else { Direction::Inbound };
            let activity = ActivityFields {
                kind,
                direction: (kind != ActivityKind::Note).then_some(direction),
                outcome,
                occurred_at,
                duration_secs: (kind == ActivityKind::Call).then(|| rng.random_range(60..900)),
                body: Some(body.to_owned()),
                next_follow_up_at,
            };
            activities::insert(&txn, owner, &customer, None, &activity).await?;
        }
        if company {
            for c in 0..rng.random_range(1..=3) {
                let person = format!("{} {}", pick(&mut rng, FIRST_NAMES), pick(&mut rng, LAST_NAMES));
                contact::ActiveModel {
                    id: Set(new_id()),
                    org_id: Set(org.id),
                    customer_id: Set(customer.id),
                    name: Set(person),
                    title: Set(Some(pick(&mut rng, TITLES).to_string())),
                    phone: Set(Some(format!("+86139{:04}{:04}", i, c))),
                    email: Set(Some(format!("person{c}.{i}@{slug}.example"))),
                    notes: Set(None),
                    created_at: Set(at),
                    updated_at: Set(at),
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    txn.commit().await?;
    let admin = Actor {
        user_id: admin_id,
        name: String::new(),
        org_id: org.id,
        role: Role::Admin,
        team_id: None,
        address: None,
    };
    demo_playbooks(db, &admin).await?;
    open_deals(db, org.id, &with_deals, &mut rng).await?;
    // A shared pool to try claiming from: lost customers return to it at
    // once, and any left untouched this long as time goes by.
    let pool_on = OrgSettingsPatch { pool_after_days: Some(Some(POOL_AFTER_DAYS)), ..OrgSettingsPatch::default() };
    org_settings::update(db, &admin, pool_on).await?;
    pool::recycle(db, now()).await?;
    Ok(CUSTOMERS)
}

/// Two playbooks: a welcome cadence applied by hand, and a proposal
/// follow-up that deals entering "Proposal" start (the demo deals do).
async fn demo_playbooks(db: &DatabaseConnection, admin: &Actor) -> AppResult<()> {
    let pipeline = pipelines::default_pipeline(db, admin.org_id).await?;
    let proposal = pipelines::stages_of(db, pipeline.id).await?.into_iter().find(|s| s.name == "Proposal");
    let step = |day_offset, hour, channel, title: &str, script: &str| PlaybookStep {
        day_offset,
        time: chrono::NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default(),
        channel,
        title: title.into(),
        script: Some(script.into()),
    };
    let books = [
        NewPlaybook {
            name: "New lead welcome".into(),
            steps: vec![
                step(
                    0,
                    10,
                    ActivityKind::Call,
                    "Welcome call",
                    "Thank them for their interest; ask what made them reach out.",
                ),
                step(
                    2,
                    9,
                    ActivityKind::Email,
                    "Send the catalogue",
                    "Attach the catalogue and the price list for their region.",
                ),
                step(7, 15, ActivityKind::Visit, "Visit with samples", "Bring samples of what they asked about."),
            ],
            trigger_stage_id: None,
        },
        NewPlaybook {
            name: "Proposal follow-up".into(),
            steps: vec![
                step(
                    1,
                    10,
                    ActivityKind::Call,
                    "Check the proposal arrived",
                    "Did the proposal reach the right person?",
                ),
                step(4, 11, ActivityKind::Message, "Answer open questions", "Offer a short call for any questions."),
                step(
                    10,
                    10,
                    ActivityKind::Call,
                    "Ask for the decision",
                    "When will they decide, and who else decides?",
                ),
            ],
            trigger_stage_id: proposal.map(|s| s.id),
        },
    ];
    for book in books {
        playbooks::create(db, admin, book).await?;
    }
    Ok(())
}

/// Deals on about a third of the customers, spread over the stages with
/// expected closes in the coming months. They go through the same create
/// and move as the API, so stage history, timelines and lifecycles agree.
async fn open_deals(
    db: &DatabaseConnection,
    org_id: Uuid,
    customers: &[(Uuid, Uuid)],
    rng: &mut StdRng,
) -> AppResult<()> {
    let pipeline = pipelines::default_pipeline(db, org_id).await?;
    let stages = pipelines::stages_of(db, pipeline.id).await?;
    let today = now().date_naive();
    for (n, (customer_id, owner)) in customers.iter().enumerate() {
        let actor =
            Actor { user_id: *owner, name: String::new(), org_id, role: Role::Rep, team_id: None, address: None };
        let amount = rng.random_range(5..400) * 100_000;
        let input = NewDeal {
            customer_id: *customer_id,
            title: format!("{} order #{}", pick(rng, PRODUCTS), 1000 + n),
            pipeline_id: Some(pipeline.id),
            stage_id: None,
            amount_minor: Some(amount),
            currency: Some("CNY".into()),
            expected_close: today.checked_add_days(chrono::Days::new(rng.random_range(5..120))),
            notes: None,
        };
        let since = now();
        let deal = deals::create(db, &actor, input).await?.deal;
        let stage = pick(rng, &stages);
        if stage.id != deal.stage_id {
            let lost = stage.kind == StageKind::Lost.as_str();
            let request = MoveDeal {
                stage_id: stage.id,
                expected_version: None,
                rank_after: None,
                amount_minor: None,
                lost_reason: lost.then(|| pick(rng, DEFAULT_LOST_REASONS).to_string()),
            };
            deals::move_deal(db, &actor, deal.id, request).await?;
        }
        // A deal that started a playbook keeps its steps mostly ahead of it.
        let started_playbook = playbook_run::Entity::find()
            .filter(playbook_run::Column::CustomerId.eq(*customer_id))
            .filter(playbook_run::Column::StartedAt.gte(since))
            .count(db)
            .await?
            > 0;
        let days = if started_playbook { rng.random_range(0..=2) } else { rng.random_range(0..=40) };
        backdate_deal(db, deal.id, *customer_id, since, chrono::Duration::days(days)).await?;
    }
    Ok(())
}

/// Moves what a demo deal's create and move wrote `by` into the past, so
/// the board shows days in stage and rotting deals as a real pipeline
/// would: the deal, its stage history, the customer's timeline entries,
/// playbook runs and reminders written since `since`. Whole days, so the
/// playbook steps keep their times of day.
async fn backdate_deal(
    db: &DatabaseConnection,
    deal_id: Uuid,
    customer_id: Uuid,
    since: DateTime<Utc>,
    by: chrono::Duration,
) -> AppResult<()> {
    let back = |at: DateTime<Utc>| at - by;
    let txn = super::begin_write(db).await?;
    if let Some(row) = deal::Entity::find_by_id(deal_id).one(&txn).await? {
        let (created, updated, entered) = (row.created_at, row.updated_at, row.stage_entered_at);
        let mut model = row.into_active_model();
        model.created_at = Set(back(created));
        model.updated_at = Set(back(updated));
        model.stage_entered_at = Set(back(entered));
        model.update(&txn).await?;
    }
    for row in
        deal_stage_history::Entity::find().filter(deal_stage_history::Column::DealId.eq(deal_id)).all(&txn).await?
    {
        let (entered, left) = (row.entered_at, row.left_at);
        let mut model = row.into_active_model();
        model.entered_at = Set(back(entered));
        model.left_at = Set(left.map(back));
        model.update(&txn).await?;
    }
    let events = timeline_event::Entity::find()
        .filter(timeline_event::Column::CustomerId.eq(customer_id))
        .filter(timeline_event::Column::CreatedAt.gte(since))
        .all(&txn)
        .await?;
    for row in events {
        let (occurred, created) = (row.occurred_at, row.created_at);
        let mut model = row.into_active_model();
        model.occurred_at = Set(back(occurred));
        model.created_at = Set(back(created));
        model.update(&txn).await?;
    }
    let runs = playbook_run::Entity::find()
        .filter(playbook_run::Column::CustomerId.eq(customer_id))
        .filter(playbook_run::Column::StartedAt.gte(since))
        .all(&txn)
        .await?;
    for row in runs {
        let (started, ended) = (row.started_at, row.ended_at);
        let mut model = row.into_active_model();
        model.started_at = Set(back(started));
        model.ended_at = Set(ended.map(back));
        model.update(&txn).await?;
    }
    let reminders = reminder::Entity::find()
        .filter(reminder::Column::CustomerId.eq(customer_id))
        .filter(reminder::Column::CreatedAt.gte(since))
        .all(&txn)
        .await?;
    for row in reminders {
        let r = row.clone();
        let mut model = row.into_active_model();
        model.due_at = Set(back(r.due_at));
        model.next_alert_at = Set(r.next_alert_at.map(back));
        model.overdue_at = Set(r.overdue_at.map(back));
        model.completed_at = Set(r.completed_at.map(back));
        model.created_at = Set(back(r.created_at));
        model.updated_at = Set(back(r.updated_at));
        model.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}
