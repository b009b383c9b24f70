//! The baseline of the load benchmark: the same operations as bare axum +
//! sqlx over the same database — no authentication, no ORM, no visibility
//! rules, no audit — so the table can say what Rapport's layers cost.
//! The SQL is what a careful hand would write against Rapport's schema and
//! indexes. Reads answer the same fields as the API, names joined in, and
//! read one row past a page as the API does (to know whether there is a
//! next); writes take the same transaction (row, timeline event, last touch).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use sea_orm::sqlx::{self, PgPool, Row, SqlitePool, types::Json as SqlJson};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

/// Set on the child process: serve the baseline over this database.
pub const DATABASE_ENV: &str = "RAPPORT_LOAD_BASELINE_DATABASE";

#[derive(Clone)]
pub enum Db {
    Lite(SqlitePool),
    Pg(PgPool),
}

/// Runs one statement on either pool; `$row` maps each row to a value. The
/// SQL is a literal or composed of this file's constants only, never of input.
macro_rules! rows {
    ($db:expr, $sql:expr, [$($arg:expr),*], |$row:ident| $map:expr) => {
        match $db {
            Db::Lite(p) => sqlx::query(sqlx::AssertSqlSafe(AsRef::<str>::as_ref(&$sql)))$(.bind($arg))*.fetch_all(p).await.map(|rows| rows.iter().map(|$row| $map).collect::<Vec<_>>()),
            Db::Pg(p) => sqlx::query(sqlx::AssertSqlSafe(AsRef::<str>::as_ref(&$sql)))$(.bind($arg))*.fetch_all(p).await.map(|rows| rows.iter().map(|$row| $map).collect::<Vec<_>>()),
        }
    };
}

/// Every field the API answers for a customer, its owner's name joined in:
/// the same operation, without Rapport's layers (not a lighter one).
const CUSTOMER_SELECT: &str = "SELECT c.id, c.name, c.kind, c.owner_id, u.name AS owner_name, c.phones, c.emails, \
     c.address, c.industry, c.size, c.region, c.source_channel, c.status, c.tags, c.custom_fields, c.archived_at, \
     c.pooled_at, c.last_touch_at, c.created_at, c.updated_at FROM customers c LEFT JOIN users u ON u.id = c.owner_id";

macro_rules! customer_json {
    ($r:ident) => {
        json!({
            "id": $r.try_get::<Uuid, _>("id").unwrap_or_default(),
            "name": $r.try_get::<String, _>("name").unwrap_or_default(),
            "kind": $r.try_get::<String, _>("kind").unwrap_or_default(),
            "owner": {"id": $r.try_get::<Uuid, _>("owner_id").unwrap_or_default(),
                      "name": $r.try_get::<Option<String>, _>("owner_name").unwrap_or_default()},
            "phones": $r.try_get::<SqlJson<Value>, _>("phones").map(|j| j.0).unwrap_or_default(),
            "emails": $r.try_get::<SqlJson<Value>, _>("emails").map(|j| j.0).unwrap_or_default(),
            "address": $r.try_get::<Option<String>, _>("address").unwrap_or_default(),
            "industry": $r.try_get::<Option<String>, _>("industry").unwrap_or_default(),
            "size": $r.try_get::<Option<String>, _>("size").unwrap_or_default(),
            "region": $r.try_get::<Option<String>, _>("region").unwrap_or_default(),
            "source_channel": $r.try_get::<Option<String>, _>("source_channel").unwrap_or_default(),
            "status": $r.try_get::<String, _>("status").unwrap_or_default(),
            "tags": $r.try_get::<SqlJson<Value>, _>("tags").map(|j| j.0).unwrap_or_default(),
            "custom_fields": $r.try_get::<SqlJson<Value>, _>("custom_fields").map(|j| j.0).unwrap_or_default(),
            "archived": $r.try_get::<Option<DateTime<Utc>>, _>("archived_at").ok().flatten().is_some(),
            "pooled_at": $r.try_get::<Option<DateTime<Utc>>, _>("pooled_at").ok().flatten(),
            "last_touch_at": $r.try_get::<DateTime<Utc>, _>("last_touch_at").ok(),
            "created_at": $r.try_get::<DateTime<Utc>, _>("created_at").ok(),
            "updated_at": $r.try_get::<DateTime<Utc>, _>("updated_at").ok(),
        })
    };
}

/// A timeline event as the API answers it, with its actor's name.
macro_rules! event_json {
    ($r:ident) => {
        json!({
            "id": $r.try_get::<Uuid, _>("id").unwrap_or_default(),
            "customer_id": $r.try_get::<Uuid, _>("customer_id").unwrap_or_default(),
            "occurred_at": $r.try_get::<DateTime<Utc>, _>("occurred_at").ok(),
            "actor": $r.try_get::<Option<Uuid>, _>("actor_id").ok().flatten().map(|id| json!({
                "id": id, "name": $r.try_get::<Option<String>, _>("actor_name").ok().flatten()})),
            "event": $r.try_get::<SqlJson<Value>, _>("payload").map(|j| j.0).unwrap_or_default(),
        })
    };
}

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Ok(if url.starts_with("sqlite:") {
            use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
            let options = url
                .parse::<SqliteConnectOptions>()?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            Db::Lite(SqlitePoolOptions::new().max_connections(8).connect_with(options).await?)
        } else {
            Db::Pg(sqlx::postgres::PgPoolOptions::new().max_connections(16).connect(url).await?)
        })
    }

    /// The org of `admin_email`, and the rep who owns the most customers there.
    pub async fn busiest_rep(&self, admin_email: &str) -> anyhow::Result<(Uuid, Uuid, String)> {
        let org: Vec<Uuid> = rows!(self, "SELECT org_id FROM users WHERE email = $1", [admin_email], |r| r
            .try_get("org_id")
            .unwrap_or_default())?;
        let org = *org.first().ok_or_else(|| anyhow::anyhow!("no generated organisation"))?;
        let rep: Vec<(Uuid, String)> = rows!(
            self,
            "SELECT u.id, u.email FROM users u JOIN customers c ON c.owner_id = u.id \
             WHERE u.org_id = $1 AND u.role = 'rep' GROUP BY u.id, u.email ORDER BY count(*) DESC LIMIT 1",
            [org],
            |r| (r.try_get("id").unwrap_or_default(), r.try_get("email").unwrap_or_default())
        )?;
        let (id, email) = rep.into_iter().next().ok_or_else(|| anyhow::anyhow!("no rep owns customers"))?;
        Ok((org, id, email))
    }

    pub async fn customers_of(&self, owner: Uuid) -> anyhow::Result<Vec<Uuid>> {
        Ok(rows!(self, "SELECT id FROM customers WHERE owner_id = $1 LIMIT 500", [owner], |r| r
            .try_get("id")
            .unwrap_or_default())?)
    }

    pub async fn customer_named(&self, sort_name: &str) -> anyhow::Result<Uuid> {
        let ids: Vec<Uuid> = rows!(self, "SELECT id FROM customers WHERE sort_name = $1", [sort_name], |r| r
            .try_get("id")
            .unwrap_or_default())?;
        ids.first().copied().ok_or_else(|| anyhow::anyhow!("no customer named {sort_name}"))
    }

    pub async fn event_count(&self, customer: Uuid) -> anyhow::Result<usize> {
        let n: Vec<i64> =
            rows!(self, "SELECT count(*) AS n FROM timeline_events WHERE customer_id = $1", [customer], |r| r
                .try_get("n")
                .unwrap_or_default())?;
        Ok(n.first().copied().unwrap_or_default() as usize)
    }

    /// The default pipeline and its first two open stages.
    pub async fn open_stages(&self, org: Uuid) -> anyhow::Result<(Uuid, [Uuid; 2])> {
        let stages: Vec<(Uuid, Uuid)> = rows!(
            self,
            "SELECT s.pipeline_id, s.id FROM stages s JOIN pipelines p ON p.id = s.pipeline_id \
             WHERE p.org_id = $1 AND s.kind = 'open' ORDER BY p.position, s.position LIMIT 2",
            [org],
            |r| (r.try_get("pipeline_id").unwrap_or_default(), r.try_get("id").unwrap_or_default())
        )?;
        anyhow::ensure!(stages.len() == 2, "the default pipeline needs two open stages");
        Ok((stages[0].0, [stages[0].1, stages[1].1]))
    }

    pub async fn open_deals_of(&self, owner: Uuid) -> anyhow::Result<Vec<Uuid>> {
        let deals: Vec<Uuid> = rows!(
            self,
            "SELECT id FROM deals WHERE owner_id = $1 AND status = 'open' AND archived_at IS NULL LIMIT 200",
            [owner],
            |r| r.try_get("id").unwrap_or_default()
        )?;
        anyhow::ensure!(!deals.is_empty(), "the rep has no open deals");
        Ok(deals)
    }
}

type Answer = Result<Json<Value>, (StatusCode, String)>;

/// The first 50 of the 51 rows read, as the API answers a page.
fn page(mut items: Vec<Value>) -> Value {
    items.truncate(50);
    json!({ "items": items })
}

fn fail(e: impl std::fmt::Display) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// Serves the baseline on a free loopback port and prints the address first.
pub async fn serve(url: &str) -> anyhow::Result<()> {
    let db = Db::connect(url).await?;
    let app = Router::new()
        .route("/readyz", get(|| async { "ready" }))
        .route("/login", post(login))
        .route("/customers", get(list_customers))
        .route("/customers/{id}", get(get_customer))
        .route("/customers/{id}/timeline", get(timeline))
        .route("/customers/{id}/activities", post(log_activity))
        .route("/deals/{id}/move", post(move_deal))
        .route("/pipelines/{id}/board", get(board))
        .route("/reminders", get(due_reminders))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

/// Looks the user up and checks the password with the same Argon2 hash.
async fn login(State(db): State<Db>, Json(body): Json<LoginBody>) -> Answer {
    let hashes: Vec<String> = rows!(&db, "SELECT password_hash FROM users WHERE email = $1", [&body.email], |r| r
        .try_get("password_hash")
        .unwrap_or_default())
    .map_err(fail)?;
    let hash = hashes.into_iter().next().ok_or((StatusCode::UNAUTHORIZED, "unknown".into()))?;
    let ok = tokio::task::spawn_blocking(move || {
        use argon2::{Argon2, PasswordHash, PasswordVerifier};
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(body.password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(fail)?;
    if ok { Ok(Json(json!({"ok": true}))) } else { Err((StatusCode::UNAUTHORIZED, "wrong password".into())) }
}

async fn get_customer(State(db): State<Db>, Path(id): Path<Uuid>) -> Answer {
    let found = rows!(&db, &format!("{CUSTOMER_SELECT} WHERE c.id = $1"), [id], |r| customer_json!(r)).map_err(fail)?;
    found.into_iter().next().map(Json).ok_or((StatusCode::NOT_FOUND, "not found".into()))
}

#[derive(Deserialize)]
struct ListQuery {
    org: Uuid,
    owner: Option<Uuid>,
    after: Option<String>,
    after_id: Option<Uuid>,
    q: Option<String>,
}

/// First page by name, a page after `(after, after_id)`, or a search.
async fn list_customers(State(db): State<Db>, Query(q): Query<ListQuery>) -> Answer {
    const LISTED: &str = "c.org_id = $1 AND c.pooled_at IS NULL AND c.archived_at IS NULL";
    let items = match (&q.q, q.owner, &q.after) {
        (Some(text), _, _) => search(&db, q.org, text).await,
        (None, Some(owner), Some(after)) => rows!(
            &db,
            &format!(
                "{CUSTOMER_SELECT} WHERE {LISTED} AND c.owner_id = $2 AND c.sort_name >= $3 \
                 AND (c.sort_name > $3 OR c.id > $4) ORDER BY c.sort_name, c.id LIMIT 51"
            ),
            [q.org, owner, after, q.after_id.unwrap_or_default()],
            |r| customer_json!(r)
        ),
        (None, Some(owner), None) => rows!(
            &db,
            &format!("{CUSTOMER_SELECT} WHERE {LISTED} AND c.owner_id = $2 ORDER BY c.sort_name, c.id LIMIT 51"),
            [q.org, owner],
            |r| customer_json!(r)
        ),
        (None, None, Some(after)) => rows!(
            &db,
            &format!(
                "{CUSTOMER_SELECT} WHERE {LISTED} AND c.sort_name >= $2 AND (c.sort_name > $2 OR c.id > $3) \
                 ORDER BY c.sort_name, c.id LIMIT 51"
            ),
            [q.org, after, q.after_id.unwrap_or_default()],
            |r| customer_json!(r)
        ),
        (None, None, None) => rows!(
            &db,
            &format!("{CUSTOMER_SELECT} WHERE {LISTED} ORDER BY c.sort_name, c.id LIMIT 51"),
            [q.org],
            |r| customer_json!(r)
        ),
    }
    .map_err(fail)?;
    Ok(Json(page(items)))
}

/// The same index-backed substring search: FTS5 trigrams on SQLite,
/// `pg_trgm` behind `LIKE` on PostgreSQL (over the `customer_search` table,
/// where the index is).
async fn search(db: &Db, org: Uuid, text: &str) -> Result<Vec<Value>, sqlx::Error> {
    let needle = text.trim().to_lowercase();
    let digits = needle.trim_start_matches('+').to_owned();
    match db {
        Db::Lite(_) => {
            let phrase = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            let fts = format!("{} OR {}", phrase(&needle), phrase(&digits));
            rows!(
                db,
                &format!(
                    "{CUSTOMER_SELECT} WHERE c.org_id = $1 AND c.pooled_at IS NULL AND c.archived_at IS NULL \
                     AND c.rowid IN (SELECT rowid FROM customer_search WHERE customer_search MATCH $2) \
                     ORDER BY c.sort_name, c.id LIMIT 51"
                ),
                [org, fts],
                |r| customer_json!(r)
            )
        }
        Db::Pg(_) => {
            // One pattern (an OR of two would defeat the index): the digits
            // of a phone number, else the text.
            let text = if needle.starts_with('+') { &digits } else { &needle };
            let like = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            rows!(
                db,
                &format!(
                    "{CUSTOMER_SELECT} WHERE c.org_id = $1 AND c.pooled_at IS NULL AND c.archived_at IS NULL \
                     AND c.id IN (SELECT customer_id FROM customer_search WHERE search_text LIKE $2) \
                     ORDER BY c.sort_name, c.id LIMIT 51"
                ),
                [org, like],
                |r| customer_json!(r)
            )
        }
    }
}

#[derive(Deserialize)]
struct TimelineQuery {
    org: Uuid,
    before: Option<DateTime<Utc>>,
    before_id: Option<Uuid>,
}

async fn timeline(State(db): State<Db>, Path(id): Path<Uuid>, Query(q): Query<TimelineQuery>) -> Answer {
    // Each event with its actor's name, as the API answers it.
    const EVENTS: &str = "SELECT e.id, e.customer_id, e.occurred_at, e.actor_id, u.name AS actor_name, e.payload \
         FROM timeline_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.org_id = $1 AND e.customer_id = $2";
    let items = match q.before {
        Some(before) => rows!(
            &db,
            &format!(
                "{EVENTS} AND e.occurred_at <= $3 AND (e.occurred_at < $3 OR e.id < $4) \
                 ORDER BY e.occurred_at DESC, e.id DESC LIMIT 51"
            ),
            [q.org, id, before, q.before_id.unwrap_or_default()],
            |r| event_json!(r)
        ),
        None => rows!(
            &db,
            &format!("{EVENTS} ORDER BY e.occurred_at DESC, e.id DESC LIMIT 51"),
            [q.org, id],
            |r| event_json!(r)
        ),
    }
    .map_err(fail)?;
    Ok(Json(page(items)))
}

#[derive(Deserialize)]
struct NewActivity {
    kind: String,
    outcome: Option<String>,
    duration_secs: Option<i32>,
    body: Option<String>,
}

/// The activity, its timeline event and the customer's last touch, in one
/// transaction.
async fn log_activity(State(db): State<Db>, Path(customer): Path<Uuid>, Json(a): Json<NewActivity>) -> Answer {
    let (id, event_id, at) = (Uuid::now_v7(), Uuid::now_v7(), Utc::now());
    let payload = json!({"kind": a.kind, "activity_id": id, "outcome": a.outcome, "duration_secs": a.duration_secs,
                         "body": a.body, "direction": null, "contact_id": null, "next_follow_up_at": null});
    macro_rules! write {
        ($pool:expr, $begin:expr) => {{
            let mut tx = $pool.begin_with($begin).await.map_err(fail)?;
            let owner: (Uuid, Uuid) = sqlx::query_as("SELECT org_id, owner_id FROM customers WHERE id = $1")
                .bind(customer)
                .fetch_one(&mut *tx)
                .await
                .map_err(fail)?;
            sqlx::query(
                "INSERT INTO activities (id, org_id, customer_id, author_id, kind, outcome, occurred_at, duration_secs, body, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id).bind(owner.0).bind(customer).bind(owner.1).bind(&a.kind).bind(&a.outcome).bind(at)
            .bind(a.duration_secs).bind(&a.body).bind(at).bind(at)
            .execute(&mut *tx).await.map_err(fail)?;
            sqlx::query(
                "INSERT INTO timeline_events (id, org_id, customer_id, occurred_at, kind, actor_id, subject_id, payload, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(event_id).bind(owner.0).bind(customer).bind(at).bind(&a.kind).bind(owner.1).bind(id)
            .bind(SqlJson(&payload)).bind(at)
            .execute(&mut *tx).await.map_err(fail)?;
            sqlx::query("UPDATE customers SET last_touch_at = $1 WHERE id = $2 AND last_touch_at < $1")
                .bind(at).bind(customer)
                .execute(&mut *tx).await.map_err(fail)?;
            tx.commit().await.map_err(fail)?;
        }};
    }
    match &db {
        Db::Lite(p) => write!(p, "BEGIN IMMEDIATE"),
        Db::Pg(p) => write!(p, "BEGIN"),
    }
    Ok(Json(json!({"id": id})))
}

#[derive(Deserialize)]
struct Move {
    stage_id: Uuid,
}

/// The deal's stage and rank, closing its history row and opening the next,
/// and a timeline event, in one transaction.
async fn move_deal(State(db): State<Db>, Path(deal): Path<Uuid>, Json(m): Json<Move>) -> Answer {
    let at = Utc::now();
    macro_rules! write {
        ($pool:expr, $begin:expr) => {{
            let mut tx = $pool.begin_with($begin).await.map_err(fail)?;
            let row: (Uuid, Uuid, Uuid) = sqlx::query_as("SELECT org_id, customer_id, owner_id FROM deals WHERE id = $1")
                .bind(deal).fetch_one(&mut *tx).await.map_err(fail)?;
            let rank: (Option<i64>,) = sqlx::query_as("SELECT max(rank) FROM deals WHERE org_id = $1 AND stage_id = $2")
                .bind(row.0).bind(m.stage_id).fetch_one(&mut *tx).await.map_err(fail)?;
            sqlx::query("UPDATE deals SET stage_id = $1, rank = $2, stage_entered_at = $3, updated_at = $3, version = version + 1 WHERE id = $4")
                .bind(m.stage_id).bind(rank.0.unwrap_or(0) + 1_024).bind(at).bind(deal)
                .execute(&mut *tx).await.map_err(fail)?;
            sqlx::query("UPDATE deal_stage_history SET left_at = $1, left_by = $2 WHERE deal_id = $3 AND left_at IS NULL")
                .bind(at).bind(row.2).bind(deal)
                .execute(&mut *tx).await.map_err(fail)?;
            sqlx::query("INSERT INTO deal_stage_history (id, org_id, deal_id, stage_id, entered_at, entered_by) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(Uuid::now_v7()).bind(row.0).bind(deal).bind(m.stage_id).bind(at).bind(row.2)
                .execute(&mut *tx).await.map_err(fail)?;
            sqlx::query(
                "INSERT INTO timeline_events (id, org_id, customer_id, occurred_at, kind, actor_id, subject_id, payload, created_at) \
                 VALUES ($1, $2, $3, $4, 'stage_changed', $5, $6, $7, $8)",
            )
            .bind(Uuid::now_v7()).bind(row.0).bind(row.1).bind(at).bind(row.2).bind(deal)
            .bind(SqlJson(json!({"kind": "stage_changed", "deal_id": deal, "title": "", "from": "", "to": ""}))).bind(at)
            .execute(&mut *tx).await.map_err(fail)?;
            tx.commit().await.map_err(fail)?;
        }};
    }
    match &db {
        Db::Lite(p) => write!(p, "BEGIN IMMEDIATE"),
        Db::Pg(p) => write!(p, "BEGIN"),
    }
    Ok(Json(json!({"id": deal})))
}

/// What the API's board answers: the pipeline's stages, count and amount per
/// stage, the forecast by expected-close month, the lost reasons, and the
/// first 50 cards of each stage with their customer's and owner's names.
async fn board(State(db): State<Db>, Path(pipeline): Path<Uuid>, Query(q): Query<OrgQuery>) -> Answer {
    // Each stage's id, probability and kind for the sums below, and its JSON.
    let stages: Vec<(Uuid, i64, bool, Value)> = rows!(
        &db,
        "SELECT id, name, position, probability, rotting_days, kind FROM stages WHERE pipeline_id = $1 ORDER BY position",
        [pipeline],
        |r| {
            let (id, probability) = (r.try_get::<Uuid, _>("id").unwrap_or_default(), r.try_get::<i32, _>("probability").unwrap_or_default());
            let kind = r.try_get::<String, _>("kind").unwrap_or_default();
            (id, i64::from(probability), kind == "open", json!({
                "id": id,
                "pipeline_id": pipeline,
                "name": r.try_get::<String, _>("name").unwrap_or_default(),
                "position": r.try_get::<i32, _>("position").unwrap_or_default(),
                "probability": probability,
                "rotting_days": r.try_get::<Option<i32>, _>("rotting_days").unwrap_or_default(),
                "kind": kind,
            }))
        }
    )
    .map_err(fail)?;
    // Per stage and expected-close day (the board index's order), folded
    // into months here.
    let sums: Vec<(Uuid, Option<String>, i64, i64)> = rows!(
        &db,
        "SELECT stage_id, CAST(expected_close AS TEXT) AS day, count(*) AS n, \
         CAST(COALESCE(sum(amount_minor), 0) AS BIGINT) AS amount FROM deals \
         WHERE org_id = $1 AND pipeline_id = $2 AND archived_at IS NULL GROUP BY stage_id, expected_close",
        [q.org, pipeline],
        |r| (
            r.try_get("stage_id").unwrap_or_default(),
            r.try_get::<Option<String>, _>("day").unwrap_or_default(),
            r.try_get("n").unwrap_or_default(),
            r.try_get("amount").unwrap_or_default()
        )
    )
    .map_err(fail)?;
    let lost_reasons: Vec<String> =
        rows!(&db, "SELECT name FROM lost_reasons WHERE org_id = $1 ORDER BY position", [q.org], |r| r
            .try_get("name")
            .unwrap_or_default())
        .map_err(fail)?;
    let mut forecast: std::collections::BTreeMap<Option<String>, (i64, i64, i64)> = Default::default();
    let mut columns = Vec::new();
    for (id, probability, open, stage) in stages {
        let (mut count, mut total) = (0, 0);
        for (_, day, n, amount) in sums.iter().filter(|s| s.0 == id) {
            count += n;
            total += amount;
            if open {
                let slot = forecast.entry(day.as_deref().and_then(|d| d.get(..7)).map(str::to_owned)).or_default();
                *slot = (slot.0 + n, slot.1 + amount, slot.2 + amount * probability / 100);
            }
        }
        let cards = rows!(
            &db,
            "SELECT d.id, d.customer_id, c.name AS customer_name, d.title, d.pipeline_id, d.stage_id, d.amount_minor, \
             d.currency, CAST(d.expected_close AS TEXT) AS expected_close, d.notes, d.owner_id, u.name AS owner_name, \
             d.status, d.lost_reason, d.version, d.rank, d.stage_entered_at, d.created_at, d.updated_at \
             FROM deals d LEFT JOIN customers c ON c.id = d.customer_id LEFT JOIN users u ON u.id = d.owner_id \
             WHERE d.org_id = $1 AND d.stage_id = $2 AND d.archived_at IS NULL ORDER BY d.rank, d.id LIMIT 51",
            [q.org, id],
            |r| json!({
                "id": r.try_get::<Uuid, _>("id").unwrap_or_default(),
                "customer_id": r.try_get::<Uuid, _>("customer_id").unwrap_or_default(),
                "customer_name": r.try_get::<Option<String>, _>("customer_name").unwrap_or_default(),
                "title": r.try_get::<String, _>("title").unwrap_or_default(),
                "pipeline_id": r.try_get::<Uuid, _>("pipeline_id").unwrap_or_default(),
                "stage_id": r.try_get::<Uuid, _>("stage_id").unwrap_or_default(),
                "amount_minor": r.try_get::<Option<i64>, _>("amount_minor").unwrap_or_default(),
                "currency": r.try_get::<String, _>("currency").unwrap_or_default(),
                "expected_close": r.try_get::<Option<String>, _>("expected_close").unwrap_or_default(),
                "notes": r.try_get::<Option<String>, _>("notes").unwrap_or_default(),
                "owner": {"id": r.try_get::<Uuid, _>("owner_id").unwrap_or_default(),
                          "name": r.try_get::<Option<String>, _>("owner_name").unwrap_or_default()},
                "status": r.try_get::<String, _>("status").unwrap_or_default(),
                "lost_reason": r.try_get::<Option<String>, _>("lost_reason").unwrap_or_default(),
                "version": r.try_get::<i32, _>("version").unwrap_or_default(),
                "rank": r.try_get::<i64, _>("rank").unwrap_or_default(),
                "stage_entered_at": r.try_get::<DateTime<Utc>, _>("stage_entered_at").ok(),
                "created_at": r.try_get::<DateTime<Utc>, _>("created_at").ok(),
                "updated_at": r.try_get::<DateTime<Utc>, _>("updated_at").ok(),
            })
        )
        .map_err(fail)?;
        let cards = &cards[..cards.len().min(50)];
        columns.push(json!({"stage": stage, "count": count, "total_minor": total,
                            "weighted_minor": total * probability / 100, "cards": cards}));
    }
    let forecast: Vec<Value> = forecast
        .into_iter()
        .map(|(month, (count, open, weighted))| {
            json!({"month": month, "count": count, "open_minor": open, "weighted_minor": weighted})
        })
        .collect();
    Ok(Json(json!({ "columns": columns, "lost_reasons": lost_reasons, "forecast": forecast })))
}

#[derive(Deserialize)]
struct OrgQuery {
    org: Uuid,
}

#[derive(Deserialize)]
struct ReminderQuery {
    org: Uuid,
    assignee: Uuid,
}

/// The assignee's open reminders already due, soonest first: every field
/// the API answers, with the assignee's and the customer's names.
async fn due_reminders(State(db): State<Db>, Query(q): Query<ReminderQuery>) -> Answer {
    let items = rows!(
        &db,
        "SELECT r.id, r.title, r.note, r.due_at, r.assignee_id, u.name AS assignee_name, r.customer_id, \
         c.name AS customer_name, r.deal_id, r.priority, r.status, r.snoozed_until, r.recurrence, r.occurrence, \
         r.source, r.channel, r.playbook_run_id, r.completed_at, r.created_at, r.updated_at \
         FROM reminders r LEFT JOIN users u ON u.id = r.assignee_id LEFT JOIN customers c ON c.id = r.customer_id \
         WHERE r.org_id = $1 AND r.assignee_id = $2 AND r.status = 'open' AND COALESCE(r.snoozed_until, r.due_at) < $3 \
         ORDER BY COALESCE(r.snoozed_until, r.due_at), r.id LIMIT 51",
        [q.org, q.assignee, Utc::now()],
        |r| json!({
            "id": r.try_get::<Uuid, _>("id").unwrap_or_default(),
            "title": r.try_get::<String, _>("title").unwrap_or_default(),
            "note": r.try_get::<Option<String>, _>("note").unwrap_or_default(),
            "due_at": r.try_get::<DateTime<Utc>, _>("due_at").ok(),
            "assignee": {"id": r.try_get::<Uuid, _>("assignee_id").unwrap_or_default(),
                         "name": r.try_get::<Option<String>, _>("assignee_name").unwrap_or_default()},
            "customer": r.try_get::<Option<Uuid>, _>("customer_id").ok().flatten().map(|id| json!({
                "id": id, "name": r.try_get::<Option<String>, _>("customer_name").ok().flatten()})),
            "deal_id": r.try_get::<Option<Uuid>, _>("deal_id").unwrap_or_default(),
            "priority": r.try_get::<String, _>("priority").unwrap_or_default(),
            "status": r.try_get::<String, _>("status").unwrap_or_default(),
            "snoozed_until": r.try_get::<Option<DateTime<Utc>>, _>("snoozed_until").unwrap_or_default(),
            "recurrence": r.try_get::<Option<SqlJson<Value>>, _>("recurrence").ok().flatten().map(|j| j.0),
            "occurrence": r.try_get::<i32, _>("occurrence").unwrap_or_default(),
            "source": r.try_get::<String, _>("source").unwrap_or_default(),
            "channel": r.try_get::<Option<String>, _>("channel").unwrap_or_default(),
            "playbook_run_id": r.try_get::<Option<Uuid>, _>("playbook_run_id").unwrap_or_default(),
            "completed_at": r.try_get::<Option<DateTime<Utc>>, _>("completed_at").unwrap_or_default(),
            "created_at": r.try_get::<DateTime<Utc>, _>("created_at").ok(),
            "updated_at": r.try_get::<DateTime<Utc>, _>("updated_at").ok(),
        })
    )
    .map_err(fail)?;
    Ok(Json(page(items)))
}
