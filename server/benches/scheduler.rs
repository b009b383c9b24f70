//! Figures, not pass/fail: `make bench`.
//!
//! The reminder scheduler under load: 1,000,000 open reminders of 20 users,
//! of which 1,000 fall due within the same minute. The real pass
//! (`scheduler::run_pass`) runs every second on the wall clock, as the
//! server's job does. Reported: the pass time with nothing due (before and
//! after the million rows exist, to show it does not grow with them), the
//! time of the passes that announce, and each notification's delay from its
//! due time to the commit of the pass that wrote it (p50/p99/max); then
//! that every due reminder was announced exactly once. Runs on SQLite, and
//! on PostgreSQL too when `RAPPORT_BENCH_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use rapport_server::domain::{now, scheduler, users};
use rapport_server::entity::{notification, reminder};
use rapport_shared::auth::{Language, Role};
use rapport_shared::validate::Email;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set, Statement};
use std::time::{Duration, Instant};

const TOTAL: usize = 1_000_000;
const DUE: usize = 1_000;
const USERS: usize = 20;
const CHUNK: usize = 1_000;
const IDLE_PASSES: usize = 50;

mod common;

use common::ms;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (backends, sqlite) = common::backends("rapport_sched").await?;
    println!("rapport scheduler figures: {TOTAL} open reminders, {DUE} due within one minute, a pass every second");
    for (label, url) in backends {
        run(&label, &url).await?;
    }
    let _ = std::fs::remove_file(sqlite);
    Ok(())
}

async fn run(label: &str, url: &str) -> anyhow::Result<()> {
    println!("\n[{label}]");
    let (db, admin) = common::org(url).await?;
    let mut assignees = vec![admin.user_id];
    for i in 1..USERS {
        let user = users::insert(
            &db,
            users::NewUser {
                org_id: admin.org_id,
                email: Email::parse(&format!("rep{i}-{}@example.com", uuid::Uuid::now_v7().simple()))
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                name: format!("Rep {i}"),
                password: "bench-password".into(),
                role: Role::Rep,
                time_zone: "Europe/Berlin".into(),
                language: Language::En,
                team_id: None,
            },
        )
        .await?;
        assignees.push(user.id);
    }
    // The first pass gives every user a digest time; not part of the figures.
    scheduler::run_pass(&db, now()).await?;
    let idle_small = idle_passes(&db).await?;

    // A million reminders due over the next year, then 1,000 in one minute
    // starting 20 s from now (time enough to finish writing them).
    let base = now();
    let began = Instant::now();
    let future = (0..TOTAL - DUE).map(|i| base + ChronoDuration::days(2) + ChronoDuration::seconds((i * 31) as i64));
    insert(&db, admin.org_id, &assignees, future).await?;
    let window_start = now() + ChronoDuration::seconds(20);
    let due_times: Vec<DateTime<Utc>> =
        (0..DUE).map(|i| window_start + ChronoDuration::milliseconds((i * 60_000 / DUE) as i64)).collect();
    insert(&db, admin.org_id, &assignees, due_times.iter().copied()).await?;
    println!("  wrote {TOTAL} reminders in {:.1} s", began.elapsed().as_secs_f64());
    let idle_large = idle_passes(&db).await?;
    println!(
        "  idle pass      p50 {:>8}  p99 {:>8}  with 0 reminders; p50 {:>8}  p99 {:>8}  with {TOTAL}",
        ms(&idle_small, 50),
        ms(&idle_small, 99),
        ms(&idle_large, 50),
        ms(&idle_large, 99)
    );

    // The job's loop: a pass per second until the minute is over.
    let window_end = due_times.last().copied().unwrap_or(window_start);
    let mut delays = Vec::with_capacity(DUE);
    let mut busy = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    while now() < window_end + ChronoDuration::seconds(2) {
        tick.tick().await;
        let t = Instant::now();
        let report = scheduler::run_pass(&db, now()).await?;
        let committed = now();
        if report.due > 0 {
            busy.push(t.elapsed());
        }
        for pushed in &report.pushed {
            let Some(id) = pushed.notification.reminder_id else { continue };
            let due = reminder::Entity::find_by_id(id).one(&db).await?.expect("reminder").due_at;
            delays.push((committed - due).to_std().unwrap_or_default());
        }
    }
    delays.sort_unstable();
    println!("  announcing pass p50 {:>8}  p99 {:>8}  ({} passes)", ms(&busy, 50), ms(&busy, 99), busy.len());
    println!(
        "  delay due→sent p50 {:>8}  p99 {:>8}  max {:>8}  (target: within 2 s)",
        ms(&delays, 50),
        ms(&delays, 99),
        ms(&delays, 100)
    );
    let notified =
        notification::Entity::find().filter(notification::Column::Kind.eq("reminder_due")).count(&db).await?;
    println!("  notifications  {notified} for {DUE} due reminders (exactly once: {})", notified == DUE as u64);
    for line in plan(&db).await? {
        println!("  plan: {line}");
    }
    Ok(())
}

async fn insert(
    db: &DatabaseConnection,
    org_id: uuid::Uuid,
    assignees: &[uuid::Uuid],
    due_times: impl Iterator<Item = DateTime<Utc>>,
) -> anyhow::Result<()> {
    let at = now();
    let mut batch = Vec::with_capacity(CHUNK);
    for (i, due) in due_times.enumerate() {
        batch.push(reminder::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            org_id: Set(org_id),
            assignee_id: Set(assignees[i % assignees.len()]),
            customer_id: Set(None),
            deal_id: Set(None),
            title: Set(format!("Call back #{i}")),
            note: Set(None),
            due_at: Set(due),
            snoozed_until: Set(None),
            priority: Set("normal".into()),
            status: Set("open".into()),
            recurrence: Set(None),
            occurrence: Set(1),
            source: Set("manual".into()),
            activity_id: Set(None),
            playbook_run_id: Set(None),
            channel: Set(None),
            created_by: Set(assignees[0]),
            completed_at: Set(None),
            next_alert_at: Set(Some(due)),
            due_notified_at: Set(None),
            overdue_at: Set(Some(due + ChronoDuration::days(1))),
            created_at: Set(at),
            updated_at: Set(at),
        });
        if batch.len() == CHUNK {
            reminder::Entity::insert_many(std::mem::take(&mut batch)).exec_without_returning(db).await?;
        }
    }
    if !batch.is_empty() {
        reminder::Entity::insert_many(batch).exec_without_returning(db).await?;
    }
    Ok(())
}

async fn idle_passes(db: &DatabaseConnection) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(IDLE_PASSES);
    for _ in 0..IDLE_PASSES {
        let t = Instant::now();
        let report = scheduler::run_pass(db, now()).await?;
        times.push(t.elapsed());
        assert_eq!(report.due, 0);
    }
    Ok(times)
}

/// How the database finds due work: an index range on `next_alert_at`.
async fn plan(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    let sql = "SELECT id FROM reminders WHERE next_alert_at <= '2026-01-01' ORDER BY next_alert_at LIMIT 500";
    common::plan(db, Statement::from_string(db.get_database_backend(), sql)).await
}
