//! Figures, not pass/fail: `make bench`.
//!
//! Timeline: one customer gets 10,000 activities (each logged through the
//! real domain function: insert + timeline event + last-touch update in one
//! transaction), then the first and a deep page of its timeline are read
//! repeatedly. Board: 5,000 open deals spread over the stages, then the
//! board (counts, totals, first 50 cards per stage) is read repeatedly.
//! Runs on SQLite, and on PostgreSQL too when `RAPPORT_BENCH_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration as ChronoDuration, Utc};
use rapport_server::domain::activities::ActivityLog;
use rapport_server::domain::{Actor, customers, deals, pipelines, timeline};
use rapport_shared::activity::{ActivityKind, NewActivity, Outcome};
use rapport_shared::customer::{CustomerKind, NewCustomer};
use rapport_shared::timeline::TimelineQuery;
use sea_orm::DatabaseConnection;
use std::time::{Duration, Instant};

const EVENTS: usize = 10_000;
const READS: usize = 300;
const DEALS: usize = 5_000;
const BOARD_READS: usize = 100;

mod common;

use common::ms;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (backends, sqlite) = common::backends("rapport_bench").await?;
    println!(
        "rapport figures: timeline of {EVENTS} events ({READS} reads per page); board of {DEALS} deals ({BOARD_READS} reads)"
    );
    for (label, url) in backends {
        run(&label, &url).await?;
    }
    let _ = std::fs::remove_file(sqlite);
    Ok(())
}

async fn run(label: &str, url: &str) -> anyhow::Result<()> {
    let (db, actor) = common::org(url).await?;
    let customer = customers::create(&db, &actor, new_customer()).await?;

    // Logging: one transaction per activity, as a rep's phone would send them.
    let start = Utc::now() - ChronoDuration::minutes(EVENTS as i64 + 10);
    let log = ActivityLog::new(db.clone());
    let mut writes = Vec::with_capacity(EVENTS);
    let began = Instant::now();
    for i in 0..EVENTS {
        let input = NewActivity {
            kind: if i % 3 == 0 { ActivityKind::Visit } else { ActivityKind::Call },
            direction: None,
            outcome: Some(Outcome::Reached),
            occurred_at: Some(start + ChronoDuration::minutes(i as i64)),
            duration_secs: Some(60),
            contact_id: None,
            body: Some(format!("Bench activity {i}: talked about the next order")),
            next_follow_up_at: None,
        };
        let t = Instant::now();
        log.create(&actor, customer.id, input, None).await?;
        writes.push(t.elapsed());
    }
    let total = began.elapsed();

    // Reads: the first page, and a page ~9,000 events deep.
    let first = TimelineQuery { limit: Some(50), ..Default::default() };
    let mut deep = first.clone();
    for _ in 0..180 {
        let page = timeline::list(&db, &actor, customer.id, deep.clone()).await?;
        deep.cursor = page.next_cursor;
    }
    let first_times = time_reads(&db, &actor, customer.id, &first).await?;
    let deep_times = time_reads(&db, &actor, customer.id, &deep).await?;

    println!("\n[{label}]");
    println!(
        "  log activity   p50 {:>8}  p99 {:>8}  throughput {:.0}/s",
        ms(&writes, 50),
        ms(&writes, 99),
        EVENTS as f64 / total.as_secs_f64()
    );
    println!("  timeline first p50 {:>8}  p99 {:>8}", ms(&first_times, 50), ms(&first_times, 99));
    println!("  timeline deep  p50 {:>8}  p99 {:>8}  (page 181 of 201)", ms(&deep_times, 50), ms(&deep_times, 99));
    for (name, query) in [("first", &first), ("deep", &deep)] {
        println!("  plan ({name} page):");
        for line in plan_of(&db, &actor, customer.id, query).await? {
            println!("    {line}");
        }
    }
    board(&db, &actor, customer.id).await
}

/// 5,000 open deals over the open stages, then the board read repeatedly.
async fn board(db: &DatabaseConnection, actor: &Actor, customer: uuid::Uuid) -> anyhow::Result<()> {
    let pipeline = pipelines::list(db, actor).await?.into_iter().next().expect("default pipeline");
    let open: Vec<_> = pipeline.stages.iter().filter(|s| s.kind == rapport_shared::pipeline::StageKind::Open).collect();
    for i in 0..DEALS {
        let input = rapport_shared::pipeline::NewDeal {
            customer_id: customer,
            title: format!("Bench deal {i}"),
            pipeline_id: Some(pipeline.id),
            stage_id: Some(open[i % open.len()].id),
            amount_minor: Some(100_000 + (i as i64 % 97) * 1_000),
            currency: Some("CNY".into()),
            // Spread over a year so the forecast has its twelve months.
            expected_close: chrono::Utc::now().date_naive().checked_add_days(chrono::Days::new((i % 365) as u64)),
            notes: None,
        };
        deals::create(db, actor, input).await?;
    }
    let query = rapport_shared::pipeline::BoardQuery::default();
    let mut times = Vec::with_capacity(BOARD_READS);
    let mut bytes = 0;
    for _ in 0..BOARD_READS {
        let t = Instant::now();
        let board = deals::board(db, actor, pipeline.id, query.clone()).await?;
        times.push(t.elapsed());
        bytes = serde_json::to_vec(&board)?.len();
    }
    println!(
        "  board          p50 {:>8}  p99 {:>8}  payload {} KB ({} stages, 50 cards each)",
        ms(&times, 50),
        ms(&times, 99),
        bytes / 1024,
        pipeline.stages.len()
    );
    Ok(())
}

async fn time_reads(
    db: &DatabaseConnection,
    actor: &Actor,
    customer: uuid::Uuid,
    query: &TimelineQuery,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(READS);
    for _ in 0..READS {
        let t = Instant::now();
        let page = timeline::list(db, actor, customer, query.clone()).await?;
        times.push(t.elapsed());
        assert_eq!(page.items.len(), 50);
    }
    Ok(times)
}

/// The database's plan for the page query, to show it is one index range scan.
async fn plan_of(
    db: &DatabaseConnection,
    actor: &Actor,
    customer: uuid::Uuid,
    query: &TimelineQuery,
) -> anyhow::Result<Vec<String>> {
    use sea_orm::{QuerySelect, QueryTrait};
    let stmt = timeline::page_select(actor.org_id, customer, query)?.limit(51).build(db.get_database_backend());
    common::plan(db, stmt).await
}

fn new_customer() -> NewCustomer {
    NewCustomer {
        kind: CustomerKind::Company,
        name: "Busy Customer".into(),
        phones: vec![],
        emails: vec![],
        address: None,
        industry: None,
        size: None,
        region: None,
        source_channel: None,
        status: None,
        tags: vec![],
        custom_fields: None,
        owner_id: None,
    }
}
