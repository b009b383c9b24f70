//! Durability and faults: acknowledged writes survive `kill -9`; requests
//! answer 503 while PostgreSQL is gone and succeed again when it returns,
//! without a restart; a full disk (SQLite's, or a PostgreSQL tablespace's) or
//! a read-only database refuses writes with a clear error, keeps serving
//! reads, and corrupts nothing.

use crate::helpers::{PASSWORD, TestApp, assert_error, fresh_database, spawn_app, start};
use futures_util::StreamExt;
use rapport_server::config::ServeArgs;
use reqwest::{StatusCode, Url};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use uuid::Uuid;

fn on_postgres() -> bool {
    std::env::var("RAPPORT_TEST_POSTGRES_URL").is_ok()
}

fn serve_args() -> ServeArgs {
    ServeArgs {
        addr: "127.0.0.1:0".parse().unwrap(),
        scheduler_interval_ms: 0,
        rate_limit_per_minute: 0,
        ..ServeArgs::default()
    }
}

/// Customers without their `customer_created` event: a half-written create.
async fn half_written_customers(db: &DatabaseConnection) -> i64 {
    scalar(
        db,
        "SELECT COUNT(*) FROM customers c \
         WHERE NOT EXISTS (SELECT 1 FROM timeline_events e WHERE e.customer_id = c.id)",
    )
    .await
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    try_scalar(db, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn try_scalar(db: &DatabaseConnection, sql: &str) -> Result<i64, sea_orm::DbErr> {
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
    let row = db.query_one_raw(statement).await?;
    row.ok_or_else(|| sea_orm::DbErr::RecordNotFound(sql.to_owned()))?.try_get_by_index::<i64>(0)
}

async fn integrity_check(db: &DatabaseConnection) -> String {
    let sql = sea_orm::Statement::from_string(db.get_database_backend(), "PRAGMA integrity_check");
    let rows = db.query_all_raw(sql).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect::<Vec<_>>().join("; ")
}

// ---------------------------------------------------------------- checkpoints

/// A SQLite server copies its commits from the WAL into the database file
/// by itself, soon after they are made and without a commit doing it (see
/// `db::connect`): the file opened on its own, ignoring the WAL, has them.
#[tokio::test]
async fn a_sqlite_server_checkpoints_its_writes_into_the_database_file_by_itself() {
    if on_postgres() {
        return;
    }
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    app.customer(&admin, json!({"kind": "person", "name": "Checkpointed"})).await;

    // `immutable` reads the file alone: no WAL, no locks.
    let file_only = app.database_url.replace("mode=rwc", "mode=ro&immutable=true");
    let sql = "SELECT COUNT(*) FROM customers WHERE name = 'Checkpointed'";
    let deadline = Instant::now() + Duration::from_secs(5);
    let in_file = loop {
        // A file read while the checkpoint writes it may be torn: read again.
        let seen = match Database::connect(&file_only).await {
            Ok(db) => try_scalar(&db, sql).await.unwrap_or(0),
            Err(_) => 0,
        };
        if seen == 1 || Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(in_file, 1, "the customer reached the database file within 5 s");
}

// ---------------------------------------------------------------- kill -9

/// The real `rapport` binary, serving on a port it picks.
struct Process {
    child: Child,
    address: String,
}

impl Process {
    fn start(database_url: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(["--database-url", database_url, "--log-format", "json", "serve"])
            .env("RAPPORT_ADDR", "127.0.0.1:0")
            // The write loop is far above any sensible per-user limit.
            .env("RAPPORT_RATE_LIMIT_PER_MINUTE", "0")
            .env("RUST_LOG", "warn,rapport=info")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("rapport starts");
        let stdout = child.stdout.take().unwrap();
        let (lines, logged) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // Read to the end: a full pipe would block the server's logging.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        loop {
            let line = logged.recv_timeout(deadline.saturating_duration_since(Instant::now()));
            let Ok(line) = line else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("rapport did not report its port within 30 s; it logged: {seen:#?}");
            };
            if let Some(port) = serde_json::from_str::<Value>(&line).ok().and_then(|v| v["port"].as_u64()) {
                return Self { child, address: format!("http://127.0.0.1:{port}") };
            }
            seen.push(line);
        }
    }

    /// SIGKILL: no shutdown code runs, as in a crash or the OOM killer.
    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates customers one after another until the server is gone; returns
/// the ids the server acknowledged with a 201, and any other status it gave.
async fn write_until_gone(
    client: reqwest::Client,
    address: String,
    token: String,
    prefix: String,
) -> (Vec<String>, Vec<u16>) {
    let (mut acknowledged, mut unexpected) = (Vec::new(), Vec::new());
    for n in 0.. {
        let res = client
            .post(format!("{address}/api/v1/customers"))
            .bearer_auth(&token)
            .json(&json!({"kind": "person", "name": format!("{prefix} {n}")}))
            .send()
            .await;
        match res {
            Ok(res) if res.status() == StatusCode::CREATED => match res.json::<Value>().await {
                Ok(body) => acknowledged.push(body["id"].as_str().unwrap().to_owned()),
                // Killed while sending the body: the client never learnt the id.
                Err(_) => break,
            },
            Ok(res) => unexpected.push(res.status().as_u16()),
            Err(_) => break,
        }
    }
    (acknowledged, unexpected)
}

/// The acknowledged ids that the server cannot find.
async fn missing(client: &reqwest::Client, address: &str, token: &str, ids: &[String]) -> Vec<String> {
    futures_util::stream::iter(ids.iter().cloned())
        .map(|id| async move {
            let res = client.get(format!("{address}/api/v1/customers/{id}")).bearer_auth(token).send().await.unwrap();
            (res.status() != StatusCode::OK).then_some(id)
        })
        .buffer_unordered(8)
        .filter_map(std::future::ready)
        .collect()
        .await
}

/// Kills the server at random moments of a concurrent write loop, then
/// restarts it on the same database: every write it acknowledged is there,
/// no create is half-written, and SQLite's integrity check passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9_and_the_database_stays_intact() {
    const ROUNDS: usize = 4;
    const WRITERS: usize = 6;
    let database = fresh_database().await;
    let database_url = database.url.clone();
    let email = format!("admin-{}@example.com", Uuid::now_v7().simple());
    let created = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["--database-url", &database_url, "create-admin", "--org", "Acme", "--email", &email])
        .args(["--password", PASSWORD, "--name", "Ada Admin"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(created.success(), "create-admin");
    let client = reqwest::Client::new();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut token = String::new();
    let started = Instant::now();

    for round in 0..=ROUNDS {
        let server = Process::start(&database_url);
        if round == 0 {
            let res = client
                .post(format!("{}/api/v1/auth/login", server.address))
                .json(&json!({"email": email, "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "login");
            token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
        }
        let lost = missing(&client, &server.address, &token, &acknowledged).await;
        assert!(
            lost.is_empty(),
            "after kill {round}: {} of {} acknowledged writes lost",
            lost.len(),
            acknowledged.len()
        );
        if round == ROUNDS {
            break;
        }

        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let prefix = format!("Round {round} writer {w}");
                tokio::spawn(write_until_gone(client.clone(), server.address.clone(), token.clone(), prefix))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rand::random_range(300..1500))).await;
        server.kill_9();
        let mut this_round = 0;
        for writer in writers {
            let (ids, unexpected) = tokio::time::timeout(Duration::from_secs(10), writer).await.unwrap().unwrap();
            assert!(unexpected.is_empty(), "statuses other than 201 before the kill: {unexpected:?}");
            this_round += ids.len();
            acknowledged.extend(ids);
        }
        assert!(this_round > 0, "round {round} acknowledged nothing before the kill");

        // The state the crash left, before a server touches it again.
        let db = Database::connect(&database_url).await.unwrap();
        if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            assert_eq!(integrity_check(&db).await, "ok", "after kill {}", round + 1);
        }
        assert_eq!(half_written_customers(&db).await, 0, "after kill {}", round + 1);
        db.close().await.unwrap();
    }
    eprintln!(
        "kill -9: {ROUNDS} kills, {} acknowledged writes all present, in {:.1} s",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
}

// ------------------------------------------------------- PostgreSQL outage

/// A TCP relay in front of PostgreSQL that can go down as a database server
/// does: established connections drop and new ones are refused.
struct Relay {
    port: u16,
    upstream: String,
    task: Option<JoinHandle<()>>,
}

impl Relay {
    fn start(upstream: String) -> Self {
        let mut relay = Self { port: 0, upstream, task: None };
        relay.restore();
        relay
    }

    /// Listens again on the same port.
    fn restore(&mut self) {
        let socket = TcpSocket::new_v4().unwrap();
        // The port's previous connections may linger in TIME_WAIT.
        socket.set_reuseaddr(true).unwrap();
        socket.bind(([127, 0, 0, 1], self.port).into()).unwrap();
        let listener = socket.listen(64).unwrap();
        self.port = listener.local_addr().unwrap().port();
        let upstream = self.upstream.clone();
        self.task = Some(tokio::spawn(async move {
            // Owned here, so aborting this task closes every relayed connection.
            let mut connections = JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { continue };
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                while connections.try_join_next().is_some() {}
            }
        }));
    }

    /// The database is gone.
    async fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Requests in flight when PostgreSQL goes, and those made while it is gone,
/// answer 503 `unavailable` (never a 500, never a hang), `/readyz` says so,
/// and once it is back the same server answers again by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_answer_503_while_postgres_is_gone_and_succeed_again_when_it_returns() {
    if !on_postgres() {
        eprintln!("skipped: needs RAPPORT_TEST_POSTGRES_URL");
        return;
    }
    // Arrange: the server reaches its database only through the relay.
    let database = fresh_database().await;
    let mut url = Url::parse(&database.url).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let mut relay = Relay::start(upstream);
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(relay.port)).unwrap();
    let app = Arc::new(start(url.to_string(), serve_args()).await);
    let admin = app.setup_admin().await;
    let customer = app.customer(&admin, json!({"kind": "person", "name": "Still Here"})).await;
    let path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());

    // Traffic that is mid-request when the database goes.
    let stop = Arc::new(AtomicBool::new(false));
    let traffic: Vec<_> = (0..4)
        .map(|t| {
            let (app, admin, path, stop) = (app.clone(), admin.clone(), path.clone(), stop.clone());
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let res = if n % 2 == 0 {
                        app.get(&path, &admin.token).await
                    } else {
                        let name = format!("Traffic {t} {n}");
                        app.post("/api/v1/customers", &admin.token, json!({"kind": "person", "name": name})).await
                    };
                    statuses.push(res.status().as_u16());
                }
                statuses
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act: the database goes away.
    relay.cut().await;
    let gone = Instant::now();
    let (ready, read, write) = tokio::join!(
        app.client.get(app.url("/readyz")).send(),
        app.get(&path, &admin.token),
        app.post("/api/v1/customers", &admin.token, json!({"kind": "person", "name": "During The Outage"})),
    );
    let answered_in = gone.elapsed();

    // Assert: clear, bounded failures.
    assert_error(ready.unwrap(), StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    let body = assert_error(read, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("database"), "{body}");
    assert_error(write, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(answered_in < Duration::from_secs(8), "outage answers took {answered_in:?}");

    // Act: the database comes back; nobody restarts the server.
    relay.restore();
    let back = Instant::now();
    while app.client.get(app.url("/readyz")).send().await.unwrap().status() != StatusCode::OK {
        assert!(back.elapsed() < Duration::from_secs(10), "not ready 10 s after the database returned");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovered_in = back.elapsed();

    // Assert: reads and writes work again, and no request failed any other way.
    assert_eq!(app.get(&path, &admin.token).await.status(), StatusCode::OK);
    app.customer(&admin, json!({"kind": "person", "name": "After The Outage"})).await;
    stop.store(true, Ordering::Relaxed);
    let mut statuses = Vec::new();
    for t in traffic {
        statuses.extend(tokio::time::timeout(Duration::from_secs(15), t).await.unwrap().unwrap());
    }
    assert!(statuses.iter().all(|s| matches!(s, 200 | 201 | 503)), "statuses: {statuses:?}");
    assert!(statuses.contains(&503), "the traffic never met the outage");
    eprintln!(
        "postgres outage: 503 after {:.2} s, ready {:.2} s after it returned; traffic: {} requests, {} answered 503",
        answered_in.as_secs_f64(),
        recovered_in.as_secs_f64(),
        statuses.len(),
        statuses.iter().filter(|s| **s == 503).count()
    );
}

// --------------------------------------------------- full disk, read-only

/// A small tmpfs, so that "disk full" is a real `ENOSPC` from the kernel.
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    /// `None` where mounting is not permitted (not root).
    fn mount(dir: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(dir).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then(|| Self { dir: dir.to_owned() })
    }

    /// Takes every free byte, as another program filling the disk would.
    fn fill(&self) {
        let mut filler = std::fs::File::create(self.dir.join("filler")).unwrap();
        for chunk in [64 * 1024, 4096, 1] {
            while filler.write_all(&vec![0; chunk]).is_ok() {}
        }
    }

    fn free(&self) {
        std::fs::remove_file(self.dir.join("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy: a panicking test may still hold the database open.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// SQLite on a file system that fills up: once the database can grow no
/// more, a write answers 503 with a clear reason and leaves no trace, reads
/// keep working, and when space returns writes work on an intact database.
#[tokio::test]
async fn a_full_disk_refuses_writes_clearly_keeps_reads_and_corrupts_nothing() {
    if on_postgres() {
        // PostgreSQL's disk is its server's: see the tablespace test below.
        return;
    }
    let dir = std::env::temp_dir().join(format!("rapport_full_{}", Uuid::now_v7().simple()));
    let Some(disk) = SmallDisk::mount(&dir, "8m") else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let app = start(format!("sqlite://{}?mode=rwc", dir.join("rapport.db").display()), serve_args()).await;
    refuses_writes_while_full(&app, &disk).await;
    assert_eq!(integrity_check(&app.db).await, "ok");
    app.db.close().await.unwrap();
}

/// The same on PostgreSQL, whose database lives in a tablespace on a small
/// disk that fills up (its write-ahead log stays on the server's own disk,
/// as a full data disk leaves it): 503 `database_full`, nothing half
/// written, reads served, and writes again once space returns.
#[tokio::test]
async fn a_full_postgres_disk_refuses_writes_clearly_keeps_reads_and_loses_nothing() {
    let Ok(base) = std::env::var("RAPPORT_TEST_POSTGRES_URL") else { return };
    let name = format!("rapport_full_{}", Uuid::now_v7().simple());
    let dir = std::env::temp_dir().join(&name);
    let Some(disk) = SmallDisk::mount(&dir, "64m") else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let Some(_space) = Tablespace::create(&name, &disk) else {
        eprintln!("skipped: needs PostgreSQL on this machine and its `postgres` superuser");
        return;
    };
    let admin_db = Database::connect(&base).await.unwrap();
    admin_db.execute_unprepared(&format!("CREATE DATABASE {name} TABLESPACE {name}")).await.unwrap();
    admin_db.close().await.unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let app = start(format!("{prefix}/{name}"), serve_args()).await;

    refuses_writes_while_full(&app, &disk).await;
    app.db.close().await.unwrap();
}

/// A PostgreSQL tablespace on a small disk. Dropped (with the database in
/// it) before the disk is, even when the test fails: PostgreSQL must not
/// keep a database whose files vanished.
struct Tablespace {
    name: String,
}

impl Tablespace {
    /// `None` where that is not possible: only a superuser may create a
    /// tablespace, and the test uses the local `postgres` one.
    fn create(name: &str, disk: &SmallDisk) -> Option<Self> {
        let owned = Command::new("chown").arg("postgres:postgres").arg(&disk.dir).status().is_ok_and(|s| s.success());
        let sql = format!("CREATE TABLESPACE {name} OWNER rapport LOCATION '{}'", disk.dir.display());
        (owned && as_postgres_superuser(&sql)).then(|| Self { name: name.to_owned() })
    }
}

impl Drop for Tablespace {
    fn drop(&mut self) {
        let name = &self.name;
        // FORCE: the test server's pool still holds connections.
        as_postgres_superuser(&format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE);\nDROP TABLESPACE IF EXISTS {name};"
        ));
    }
}

/// Runs `sql` as the `postgres` superuser over its local socket; false where
/// that is not possible (not root, no local server).
fn as_postgres_superuser(sql: &str) -> bool {
    let Ok(mut psql) = Command::new("su")
        .args(["postgres", "-c", "psql -qX -v ON_ERROR_STOP=1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let written = psql.stdin.take().is_some_and(|mut stdin| stdin.write_all(sql.as_bytes()).is_ok());
    psql.wait().is_ok_and(|s| s.success()) && written
}

/// Fills `disk`, under `app`'s database, and checks the refusal; then frees
/// it and checks that writing works again.
async fn refuses_writes_while_full(app: &TestApp, disk: &SmallDisk) {
    let admin = app.setup_admin().await;
    let kept = app.customer(&admin, json!({"kind": "person", "name": "Kept"})).await;
    let kept_path = format!("/api/v1/customers/{}", kept["id"].as_str().unwrap());

    // Act: the disk fills; writes go on until the database needs a page it
    // cannot get (SQLite reuses WAL space it has already checkpointed first).
    disk.fill();
    let mut refused = None;
    for n in 0..3000 {
        let name = format!("Filler {n}");
        let body = json!({"kind": "person", "name": name, "address": "Long Road ".repeat(40)});
        let res = app.post("/api/v1/customers", &admin.token, body).await;
        if res.status() != StatusCode::CREATED {
            refused = Some((name, res));
            break;
        }
    }
    let (name, res) = refused.expect("a full disk refuses writes");
    eprintln!("full disk: refused after {} writes", name.trim_start_matches("Filler "));

    // Assert: a clear refusal, and reads still served.
    let body = assert_error(res, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert_eq!(body["error"]["details"]["reason"], "database_full", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("full"), "{body}");
    assert_eq!(app.get(&kept_path, &admin.token).await.status(), StatusCode::OK);
    assert_eq!(app.get("/api/v1/customers", &admin.token).await.status(), StatusCode::OK);

    // Act: space comes back.
    disk.free();

    // Assert: nothing of the refused write was stored and nothing is half
    // written (counted once space is back: in one run of the whole suite
    // on PostgreSQL the test's own count failed while the disk was full,
    // and what a user sees while full is the API's reads, checked above);
    // writing works again.
    assert_eq!(scalar(&app.db, &format!("SELECT COUNT(*) FROM customers WHERE name = '{name}'")).await, 0);
    assert_eq!(half_written_customers(&app.db).await, 0);
    app.customer(&admin, json!({"kind": "person", "name": "After The Disk Was Freed"})).await;
    assert_eq!(half_written_customers(&app.db).await, 0);
}

/// `url` opened so that the database refuses writes: SQLite's read-only
/// mode (as a file the server may not write), or a PostgreSQL session in
/// which every transaction is read-only (as on a standby).
fn read_only(url: &str) -> String {
    if url.starts_with("sqlite:") {
        url.replace("mode=rwc", "mode=ro")
    } else {
        format!("{url}?options[default_transaction_read_only]=on")
    }
}

/// A server on a database it may only read starts, serves reads, and
/// answers writes with a clear 503 that stores nothing.
#[tokio::test]
async fn a_read_only_database_serves_reads_and_refuses_writes_clearly() {
    // Arrange: data written by a normal server, which also stored the
    // signing key it generated; the read-only server signs with that one.
    let writable = spawn_app().await;
    let admin = writable.setup_admin().await;
    let kept = writable.customer(&admin, json!({"kind": "person", "name": "Kept"})).await;
    let kept_path = format!("/api/v1/customers/{}", kept["id"].as_str().unwrap());
    let app = start(read_only(&writable.database_url), serve_args()).await;

    // Act + Assert: reads work.
    assert_eq!(app.get(&kept_path, &admin.token).await.status(), StatusCode::OK);
    assert_eq!(app.get("/api/v1/customers", &admin.token).await.status(), StatusCode::OK);

    // Act + Assert: a write is refused clearly and leaves nothing behind.
    let res = app.post("/api/v1/customers", &admin.token, json!({"kind": "person", "name": "Refused"})).await;
    let body = assert_error(res, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert_eq!(body["error"]["details"]["reason"], "database_read_only", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("read-only"), "{body}");
    let res = app.patch(&kept_path, &admin.token, json!({"name": "Renamed"})).await;
    assert_error(res, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert_eq!(scalar(&writable.db, "SELECT COUNT(*) FROM customers WHERE name IN ('Refused', 'Renamed')").await, 0);

    // The refusal was the read-only server's: the database is fine.
    writable.customer(&admin, json!({"kind": "person", "name": "Written Elsewhere"})).await;
    assert_eq!(half_written_customers(&writable.db).await, 0);
    if !on_postgres() {
        assert_eq!(integrity_check(&writable.db).await, "ok");
    }
}
