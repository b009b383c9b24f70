//! Load benchmark, figures not pass/fail: `make bench-load`.
//!
//! Starts the real `rapport` server (release under `cargo bench`) on SQLite,
//! and on PostgreSQL when `RAPPORT_BENCH_POSTGRES_URL` is set, over data from
//! `rapport demo-data --scale large` (generated once and kept under
//! `target/tmp`), and drives it over HTTP from this process with 8 clients.
//! In the same run a baseline server — this binary again, in a process of its
//! own: bare axum + sqlx, no auth, no ORM, no scoping — answers the same
//! operations on the same database with the same answers (the run stops if
//! its fields or item counts differ from Rapport's), the two take turns in
//! slices of each operation, and the table shows Rapport's throughput as a
//! share of the baseline's.
//!
//! `cargo test --bench load` (what CI runs) does the same at the tiny scale
//! for a fraction of a second per operation, so the benchmark cannot rot.
//! `RAPPORT_LOAD_SCALE=tiny|small|large` and `RAPPORT_LOAD_SECONDS` override;
//! `RAPPORT_LOAD_ONLY=write` runs only the operations whose name contains it;
//! `RAPPORT_LOAD_SQLITE=0` leaves SQLite out (PostgreSQL only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod baseline;

use rapport_server::domain::scale_data;
use reqwest::{Client, Method};
use sea_orm::sqlx;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const CLIENTS: usize = 8;
/// Turns each side takes at an operation.
const SLICES: usize = 4;
const PASSWORD: &str = "rapport-demo";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if let Ok(url) = std::env::var(baseline::DATABASE_ENV) {
        return baseline::serve(&url).await;
    }
    let full = std::env::args().any(|a| a == "--bench");
    let scale = match std::env::var("RAPPORT_LOAD_SCALE").as_deref() {
        Ok("large") => "large",
        Ok("small") => "small",
        Ok("tiny") => "tiny",
        _ if full => "large",
        _ => "tiny",
    };
    let seconds: f64 =
        std::env::var("RAPPORT_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(if full { 5.0 } else { 0.3 });
    let machine = machine();
    println!(
        "rapport load: scale {scale}, {CLIENTS} clients, {seconds} s per operation, {} — {machine}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );

    let sqlite = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("load-{scale}.db"));
    if scale == "tiny" {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", sqlite.display()));
        }
    }
    let mut backends = Vec::new();
    if std::env::var("RAPPORT_LOAD_SQLITE").as_deref() != Ok("0") {
        backends.push(("SQLite", format!("sqlite://{}?mode=rwc", sqlite.display())));
    }
    let pg = std::env::var("RAPPORT_BENCH_POSTGRES_URL").or_else(|_| {
        if full { Err(std::env::VarError::NotPresent) } else { std::env::var("RAPPORT_TEST_POSTGRES_URL") }
    });
    if let Ok(base) = pg {
        backends.push(("PostgreSQL", postgres_database(&base, scale).await?));
    }
    for (label, url) in backends {
        run(label, &url, scale, seconds).await?;
    }
    Ok(())
}

/// `rapport_load_<scale>` on the server of `base`: kept between runs (large
/// takes minutes to generate), recreated for tiny.
async fn postgres_database(base: &str, scale: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let name = format!("rapport_load_{scale}");
    let mut admin = sqlx::PgConnection::connect(base).await?;
    if scale == "tiny" {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut admin)
            .await?;
    }
    let exists: Option<(i32,)> =
        sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1").bind(&name).fetch_optional(&mut admin).await?;
    if exists.is_none() {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
    }
    let (prefix, _) = base.rsplit_once('/').ok_or_else(|| anyhow::anyhow!("no database in the url"))?;
    Ok(format!("{prefix}/{name}"))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cores} cores, {cpu}")
}

/// A running server process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap()
}

async fn wait_ready(client: &Client, url: &str) {
    for _ in 0..600 {
        if client.get(url).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not become ready");
}

async fn run(label: &str, url: &str, scale: &str, seconds: f64) -> anyhow::Result<()> {
    let rapport = env!("CARGO_BIN_EXE_rapport");
    // Generate once; the generator prints its own time.
    let generated = Command::new(rapport)
        .args(["--database-url", url, "demo-data", "--scale", scale, "--password", PASSWORD])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()?;
    let said = String::from_utf8_lossy(&generated.stdout);
    let complained = String::from_utf8_lossy(&generated.stderr);
    if generated.status.success() {
        println!("{label}: {}", said.lines().next().unwrap_or_default());
    } else if complained.contains("exists already") {
        println!("{label}: reusing the generated organisation");
    } else {
        anyhow::bail!("generating data failed: {complained}");
    }

    let port = free_port();
    let app = Server {
        child: Command::new(rapport)
            .args(["--database-url", url, "serve"])
            .env("RAPPORT_ADDR", format!("127.0.0.1:{port}"))
            .env("RAPPORT_RATE_LIMIT_PER_MINUTE", "0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?,
        base: format!("http://127.0.0.1:{port}"),
    };
    let mut child =
        Command::new(std::env::current_exe()?).env(baseline::DATABASE_ENV, url).stdout(Stdio::piped()).spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?).read_line(&mut line)?;
    let bare = Server { base: format!("http://{}", line.trim()), child };

    let client = Client::builder().pool_max_idle_per_host(CLIENTS * 2).build()?;
    wait_ready(&client, &format!("{}/readyz", app.base)).await;
    wait_ready(&client, &format!("{}/readyz", bare.base)).await;

    let plan = Plan::prepare(&client, &app.base, url, scale).await?;
    println!(
        "{label}: rep {} owns {} customers; hot customer has {} events",
        plan.rep_email,
        plan.rep_customers.len(),
        plan.hot_events
    );
    println!(
        "| {:<24} | {:>9} | {:>8} | {:>8} | {:>8} | {:>9} | {:>8} | {:>8} | {:>6} |",
        "operation", "req/s", "p50 ms", "p95 ms", "p99 ms", "base r/s", "base p50", "base p99", "ratio"
    );
    println!(
        "|{:-<26}|{:->11}|{:->10}|{:->10}|{:->10}|{:->11}|{:->10}|{:->10}|{:->8}|",
        "", "", "", "", "", "", "", "", ""
    );
    let plan = Arc::new(plan);
    let only = std::env::var("RAPPORT_LOAD_ONLY").unwrap_or_default();
    for op in Op::ALL.iter().filter(|op| op.name().contains(only.as_str())) {
        let secs = if *op == Op::Login { seconds.min(2.0) } else { seconds };
        // A first, unmeasured stretch of each: right after start the database
        // file is still on disk rather than in the page cache (logins measured
        // 2/s instead of 60/s), and the previous operation filled the caches
        // with other pages.
        let warm_up = (secs / 5.0).min(1.0);
        same_answer(&client, &app.base, &bare.base, &plan, *op).await?;
        drive(&client, &app.base, &plan, *op, Target::Rapport, warm_up).await;
        drive(&client, &bare.base, &plan, *op, Target::Baseline, warm_up).await;
        // Rapport and the baseline take turns in slices, so that a slower
        // stretch of this shared machine (its speed drifts by tens of percent
        // within a minute) weighs on both sides of the ratio alike.
        let (mut ours, mut theirs) = (Measured::default(), Measured::default());
        for _ in 0..SLICES {
            ours.add(drive(&client, &app.base, &plan, *op, Target::Rapport, secs / SLICES as f64).await);
            theirs.add(drive(&client, &bare.base, &plan, *op, Target::Baseline, secs / SLICES as f64).await);
        }
        println!(
            "| {:<24} | {:>9.0} | {:>8.2} | {:>8.2} | {:>8.2} | {:>9.0} | {:>8.2} | {:>8.2} | {:>6.2} |{}",
            op.name(),
            ours.rate(),
            ours.pct(50),
            ours.pct(95),
            ours.pct(99),
            theirs.rate(),
            theirs.pct(50),
            theirs.pct(99),
            ours.rate() / theirs.rate().max(f64::MIN_POSITIVE),
            if ours.errors + theirs.errors > 0 {
                format!(" errors: {} / {}", ours.errors, theirs.errors)
            } else {
                String::new()
            }
        );
        anyhow::ensure!(ours.errors == 0 && theirs.errors == 0, "{} answered errors: {}", op.name(), ours.first_error);
    }
    drop(app);
    drop(bare);
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Login,
    GetCustomer,
    ListRepFirst,
    ListRepDeep,
    ListAdminFirst,
    ListAdminDeep,
    SearchName,
    SearchPhone,
    SearchEmail,
    SearchWord,
    TimelineFirst,
    TimelineDeep,
    LogActivity,
    MoveDeal,
    Board,
    DueReminders,
}

impl Op {
    const ALL: &[Op] = &[
        Op::Login,
        Op::GetCustomer,
        Op::ListRepFirst,
        Op::ListRepDeep,
        Op::ListAdminFirst,
        Op::ListAdminDeep,
        Op::SearchName,
        Op::SearchPhone,
        Op::SearchEmail,
        Op::SearchWord,
        Op::TimelineFirst,
        Op::TimelineDeep,
        Op::LogActivity,
        Op::MoveDeal,
        Op::Board,
        Op::DueReminders,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Login => "login",
            Op::GetCustomer => "get customer",
            Op::ListRepFirst => "list, rep, first page",
            Op::ListRepDeep => "list, rep, deep cursor",
            Op::ListAdminFirst => "list, admin, first page",
            Op::ListAdminDeep => "list, admin, deep cursor",
            Op::SearchName => "search name",
            Op::SearchPhone => "search phone",
            Op::SearchEmail => "search e-mail",
            Op::SearchWord => "search one word",
            Op::TimelineFirst => "timeline, first page",
            Op::TimelineDeep => "timeline, deep cursor",
            Op::LogActivity => "log activity (write)",
            Op::MoveDeal => "move deal (write)",
            Op::Board => "pipeline board",
            Op::DueReminders => "due-reminder scan",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Rapport,
    Baseline,
}

/// Who and what the operations touch, found before the clock starts.
struct Plan {
    org_id: Uuid,
    rep_id: Uuid,
    rep_email: String,
    rep_token: String,
    admin_token: String,
    rep_customers: Vec<Uuid>,
    hot_customer: Uuid,
    hot_events: usize,
    searches: Vec<(String, String, String)>,
    /// The words of those names: a word begins or ends the names of many
    /// customers, together in name order or spread along it.
    words: Vec<String>,
    /// The rep's and the admin's list 20 / 100 pages in: Rapport's cursor and
    /// the same place as `(sort_name, id)` for the baseline.
    rep_deep: (String, String, Uuid),
    admin_deep: (String, String, Uuid),
    /// The hot customer's timeline 100 pages in (or its last page).
    timeline_deep: (String, String, Uuid),
    deals: Vec<Uuid>,
    stages: [Uuid; 2],
    pipeline_id: Uuid,
}

impl Plan {
    async fn prepare(client: &Client, base: &str, url: &str, scale: &str) -> anyhow::Result<Self> {
        let admin_email = format!("admin@{}", scale_data::SCALE_DOMAIN);
        let db = baseline::Db::connect(url).await?;
        let (org_id, rep_id, rep_email) = db.busiest_rep(&admin_email).await?;
        let rep_customers = db.customers_of(rep_id).await?;
        let hot_customer = db.customer_named(&scale_data::customer_name(0).to_lowercase()).await?;
        let (pipeline_id, stages) = db.open_stages(org_id).await?;
        let deals = db.open_deals_of(rep_id).await?;
        let customers = scale_data::Scale::volume(match scale {
            "large" => scale_data::Scale::Large,
            "small" => scale_data::Scale::Small,
            _ => scale_data::Scale::Tiny,
        })
        .customers;
        let searches = (0..50)
            .map(|k| {
                let i = (k * 7_919 + 13) % customers;
                let name = scale_data::customer_name(i).to_lowercase();
                (name, scale_data::customer_phone(i), scale_data::customer_email(i))
            })
            .collect::<Vec<(String, String, String)>>();
        let mut words: Vec<String> = searches
            .iter()
            .flat_map(|(name, _, _)| name.split_whitespace().filter(|w| !w.chars().all(|c| c.is_ascii_digit())))
            .map(String::from)
            .collect();
        words.sort();
        words.dedup();
        let rep_token = login(client, base, &rep_email).await?;
        let admin_token = login(client, base, &admin_email).await?;
        let rep_deep = deep(client, base, &rep_token, "/api/v1/customers?limit=50", 20, |v| {
            (
                v["name"].as_str().unwrap_or_default().to_lowercase(),
                v["id"].as_str().unwrap_or_default().parse().unwrap_or_default(),
            )
        })
        .await?;
        let admin_deep = deep(client, base, &admin_token, "/api/v1/customers?limit=50", 100, |v| {
            (
                v["name"].as_str().unwrap_or_default().to_lowercase(),
                v["id"].as_str().unwrap_or_default().parse().unwrap_or_default(),
            )
        })
        .await?;
        let timeline = format!("/api/v1/customers/{hot_customer}/timeline?limit=50");
        let timeline_deep = deep(client, base, &admin_token, &timeline, 100, |v| {
            (
                v["occurred_at"].as_str().unwrap_or_default().to_owned(),
                v["id"].as_str().unwrap_or_default().parse().unwrap_or_default(),
            )
        })
        .await?;
        let hot_events = db.event_count(hot_customer).await?;
        Ok(Self {
            org_id,
            rep_id,
            rep_email,
            rep_token,
            admin_token,
            rep_customers,
            hot_customer,
            hot_events,
            searches,
            words,
            rep_deep,
            admin_deep,
            timeline_deep,
            deals,
            stages,
            pipeline_id,
        })
    }

    /// The `n`-th request of `op`: method, path and body.
    fn request(&self, op: Op, target: Target, n: usize) -> (Method, String, Option<Value>, Option<&str>) {
        let rapport = target == Target::Rapport;
        let pick = |list: &[Uuid]| list[n % list.len()];
        let enc = |s: &str| serde_urlencoded::to_string([("q", s)]).unwrap_or_default();
        let (method, path, body, token) = match op {
            Op::Login => (
                Method::POST,
                if rapport { "/api/v1/auth/login".into() } else { "/login".into() },
                Some(json!({"email": self.rep_email, "password": PASSWORD})),
                None,
            ),
            Op::GetCustomer => (
                Method::GET,
                format!("{}/customers/{}", api(rapport), pick(&self.rep_customers)),
                None,
                Some(&self.rep_token),
            ),
            Op::ListRepFirst => (Method::GET, self.list(rapport, Some(self.rep_id), None), None, Some(&self.rep_token)),
            Op::ListRepDeep => {
                (Method::GET, self.list(rapport, Some(self.rep_id), Some(&self.rep_deep)), None, Some(&self.rep_token))
            }
            Op::ListAdminFirst => (Method::GET, self.list(rapport, None, None), None, Some(&self.admin_token)),
            Op::ListAdminDeep => {
                (Method::GET, self.list(rapport, None, Some(&self.admin_deep)), None, Some(&self.admin_token))
            }
            Op::SearchName | Op::SearchPhone | Op::SearchEmail | Op::SearchWord => {
                let (name, phone, email) = &self.searches[n % self.searches.len()];
                let q = match op {
                    Op::SearchName => name.clone(),
                    Op::SearchPhone => phone.clone(),
                    Op::SearchWord => self.words[n % self.words.len()].clone(),
                    _ => email.clone(),
                };
                let path = if rapport {
                    format!("/api/v1/customers?limit=50&{}", enc(&q))
                } else {
                    format!("/customers?org={}&{}", self.org_id, enc(&q))
                };
                (Method::GET, path, None, Some(&self.admin_token))
            }
            Op::TimelineFirst => (Method::GET, self.timeline(rapport, None), None, Some(&self.admin_token)),
            Op::TimelineDeep => {
                (Method::GET, self.timeline(rapport, Some(&self.timeline_deep)), None, Some(&self.admin_token))
            }
            Op::LogActivity => (
                Method::POST,
                format!("{}/customers/{}/activities", api(rapport), pick(&self.rep_customers)),
                Some(
                    json!({"kind": "call", "outcome": "reached", "duration_secs": 120, "body": "Load test call: asked about the next order."}),
                ),
                Some(&self.rep_token),
            ),
            Op::MoveDeal => (
                Method::POST,
                format!("{}/deals/{}/move", api(rapport), pick(&self.deals)),
                // Each deal alternates between two open stages; no version
                // check, as two clients may move the same deal.
                Some(json!({"stage_id": self.stages[(n / self.deals.len()) % 2]})),
                Some(&self.rep_token),
            ),
            Op::Board => (
                Method::GET,
                if rapport {
                    format!("/api/v1/pipelines/{}/board", self.pipeline_id)
                } else {
                    format!("/pipelines/{}/board?org={}", self.pipeline_id, self.org_id)
                },
                None,
                Some(&self.admin_token),
            ),
            Op::DueReminders => (
                Method::GET,
                if rapport {
                    "/api/v1/reminders?assignee=me&overdue=true&limit=50".into()
                } else {
                    format!("/reminders?org={}&assignee={}", self.org_id, self.rep_id)
                },
                None,
                Some(&self.rep_token),
            ),
        };
        (method, path, body, if rapport { token.map(String::as_str) } else { None })
    }

    fn list(&self, rapport: bool, owner: Option<Uuid>, deep: Option<&(String, String, Uuid)>) -> String {
        if rapport {
            let cursor = deep.map(|(c, _, _)| format!("&cursor={c}")).unwrap_or_default();
            return format!("/api/v1/customers?limit=50{cursor}");
        }
        let owner = owner.map(|o| format!("&owner={o}")).unwrap_or_default();
        let after = deep
            .map(|(_, key, id)| {
                format!("&{}&after_id={id}", serde_urlencoded::to_string([("after", key)]).unwrap_or_default())
            })
            .unwrap_or_default();
        format!("/customers?org={}{owner}{after}", self.org_id)
    }

    fn timeline(&self, rapport: bool, deep: Option<&(String, String, Uuid)>) -> String {
        if rapport {
            let cursor = deep.map(|(c, _, _)| format!("&cursor={c}")).unwrap_or_default();
            return format!("/api/v1/customers/{}/timeline?limit=50{cursor}", self.hot_customer);
        }
        let before = deep
            .map(|(_, at, id)| {
                format!("&{}&before_id={id}", serde_urlencoded::to_string([("before", at)]).unwrap_or_default())
            })
            .unwrap_or_default();
        format!("/customers/{}/timeline?org={}{before}", self.hot_customer, self.org_id)
    }
}

fn api(rapport: bool) -> &'static str {
    if rapport { "/api/v1" } else { "" }
}

async fn login(client: &Client, base: &str, email: &str) -> anyhow::Result<String> {
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "login as {email}: {}", res.status());
    let body: Value = res.json().await?;
    Ok(body["access_token"].as_str().unwrap_or_default().to_owned())
}

/// Follows `path` up to `pages` pages; the cursor to the page after the last
/// one read, with the key of its last item.
async fn deep(
    client: &Client,
    base: &str,
    token: &str,
    path: &str,
    pages: usize,
    key: impl Fn(&Value) -> (String, Uuid),
) -> anyhow::Result<(String, String, Uuid)> {
    let mut cursor: Option<String> = None;
    let mut last = (String::new(), String::new(), Uuid::nil());
    for _ in 0..pages {
        let url = match &cursor {
            Some(c) => format!("{base}{path}&cursor={c}"),
            None => format!("{base}{path}"),
        };
        let page: Value = client.get(url).bearer_auth(token).send().await?.error_for_status()?.json().await?;
        let Some(next) = page["next_cursor"].as_str() else { break };
        let (k, id) = page["items"].as_array().and_then(|items| items.last()).map(&key).unwrap_or_default();
        last = (next.to_owned(), k, id);
        cursor = Some(next.to_owned());
    }
    Ok(last)
}

/// What one operation measured on one server.
#[derive(Default)]
struct Measured {
    latencies: Vec<Duration>,
    elapsed: Duration,
    errors: usize,
    first_error: String,
}

impl Measured {
    fn add(&mut self, more: Measured) {
        self.latencies.extend(more.latencies);
        self.elapsed += more.elapsed;
        if self.errors == 0 {
            self.first_error = more.first_error;
        }
        self.errors += more.errors;
    }

    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn pct(&self, pct: usize) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        sorted[((sorted.len() * pct) / 100).min(sorted.len() - 1)].as_secs_f64() * 1000.0
    }
}

/// Fails unless the baseline answers a read with the same fields and the
/// same number of items as Rapport: only then does the ratio compare the
/// same work.
async fn same_answer(client: &Client, app: &str, bare: &str, plan: &Plan, op: Op) -> anyhow::Result<()> {
    let records: &[&str] = match op {
        Op::Login | Op::LogActivity | Op::MoveDeal => return Ok(()),
        Op::GetCustomer => &[""],
        Op::Board => &["/columns/0/stage", "/columns/0/cards/0", "/forecast/0"],
        _ => &["/items/0"],
    };
    let ours = answer(client, app, plan, op, Target::Rapport).await?;
    let theirs = answer(client, bare, plan, op, Target::Baseline).await?;
    for pointer in records {
        let fields = |v: &Value| {
            v.pointer(pointer)
                .and_then(Value::as_object)
                .map(|o| o.keys().cloned().collect::<std::collections::BTreeSet<_>>())
        };
        anyhow::ensure!(
            fields(&ours) == fields(&theirs),
            "{}: the baseline answers other fields at `{pointer}`: {:?} against Rapport's {:?}",
            op.name(),
            fields(&theirs),
            fields(&ours)
        );
    }
    for pointer in ["/items", "/columns/0/cards", "/forecast"] {
        let len = |v: &Value| v.pointer(pointer).and_then(Value::as_array).map(Vec::len);
        anyhow::ensure!(
            len(&ours) == len(&theirs) || len(&ours).is_none() || len(&theirs).is_none(),
            "{}: the baseline answers {:?} items at `{pointer}`, Rapport {:?}",
            op.name(),
            len(&theirs),
            len(&ours)
        );
    }
    Ok(())
}

async fn answer(client: &Client, base: &str, plan: &Plan, op: Op, target: Target) -> anyhow::Result<Value> {
    let (method, path, _, token) = plan.request(op, target, 0);
    let mut req = client.request(method, format!("{base}{path}"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    Ok(req.send().await?.error_for_status()?.json().await?)
}

/// `CLIENTS` concurrent clients send `op` back to back for `seconds`.
async fn drive(client: &Client, base: &str, plan: &Arc<Plan>, op: Op, target: Target, seconds: f64) -> Measured {
    let began = Instant::now();
    let until = began + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (client, base, plan) = (client.clone(), base.to_owned(), Arc::clone(plan));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = (0, String::new());
            let mut n = c;
            while Instant::now() < until {
                let (method, path, body, token) = plan.request(op, target, n);
                let mut req = client.request(method, format!("{base}{path}"));
                if let Some(token) = token {
                    req = req.bearer_auth(token);
                }
                if let Some(body) = body {
                    req = req.json(&body);
                }
                let t = Instant::now();
                match req.send().await {
                    Ok(res) => {
                        let status = res.status();
                        let text =
                            res.bytes().await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                        if status.is_success() {
                            latencies.push(t.elapsed());
                        } else {
                            if errors.0 == 0 {
                                errors.1 = format!("{status} {path}: {}", text.chars().take(300).collect::<String>());
                            }
                            errors.0 += 1;
                        }
                    }
                    Err(e) => {
                        if errors.0 == 0 {
                            errors.1 = e.to_string();
                        }
                        errors.0 += 1;
                    }
                }
                n += CLIENTS;
            }
            (latencies, errors)
        }));
    }
    let mut measured = Measured::default();
    for task in tasks {
        let (latencies, (errors, first_error)) = task.await.unwrap_or_default();
        measured.add(Measured { latencies, elapsed: Duration::ZERO, errors, first_error });
    }
    measured.elapsed = began.elapsed();
    measured
}
