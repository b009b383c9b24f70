//! `spawn_app()` and typed request helpers.

use rapport_server::Application;
use rapport_server::config::{Config, ServeArgs};
use rapport_server::domain::users::{self, NewUser};
use rapport_shared::auth::{Language, Role};
use rapport_shared::validate::Email;
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database_url: String,
    /// The database made for this app (and its siblings), removed after them.
    database: Option<Arc<FreshDatabase>>,
}

/// A signed-in user: their bearer token and ids.
#[derive(Clone)]
pub struct Login {
    pub token: String,
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub email: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tweak: impl FnOnce(&mut ServeArgs)) -> TestApp {
    // The scheduler stays off: tests drive its passes with their own clock.
    let mut serve =
        ServeArgs { addr: "127.0.0.1:0".parse().unwrap(), scheduler_interval_ms: 0, ..ServeArgs::default() };
    tweak(&mut serve);
    let database = Arc::new(fresh_database().await);
    let mut app = start(database.url.clone(), serve).await;
    app.database = Some(database);
    app
}

/// A second server on the same database as `first` (a second process, as
/// far as the database and the live push are concerned).
pub async fn spawn_sibling(first: &TestApp, tweak: impl FnOnce(&mut ServeArgs)) -> TestApp {
    let mut serve =
        ServeArgs { addr: "127.0.0.1:0".parse().unwrap(), scheduler_interval_ms: 0, ..ServeArgs::default() };
    tweak(&mut serve);
    let mut app = start(first.database_url.clone(), serve).await;
    app.database = first.database.clone();
    app
}

pub async fn start(database_url: String, serve: ServeArgs) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        rapport_server::telemetry::init(rapport_server::config::LogFormat::Text);
    }
    let config = Config { database_url: database_url.clone(), serve };
    let app = Application::build(config).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { address, client, db, database_url, database: None }
}

/// A new, empty database for one test: a temp-file SQLite, or a uniquely
/// named PostgreSQL database. Removed when dropped, so test runs leave no
/// files or databases behind.
pub struct FreshDatabase {
    pub url: String,
    place: Place,
}

enum Place {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

pub async fn fresh_database() -> FreshDatabase {
    let name = format!("rapport_test_{}", Uuid::now_v7().simple());
    match std::env::var("RAPPORT_TEST_POSTGRES_URL") {
        Ok(base) => {
            let admin = Database::connect(&base).await.expect("postgres reachable");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
            admin.close().await.ok();
            let (prefix, _) = base.rsplit_once('/').expect("postgres url has a database");
            FreshDatabase { url: format!("{prefix}/{name}"), place: Place::Postgres { admin_url: base, name } }
        }
        Err(_) => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            FreshDatabase { url: format!("sqlite://{}?mode=rwc", path.display()), place: Place::File(path) }
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        match &self.place {
            Place::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Place::Postgres { admin_url, name } => {
                // A drop cannot wait on the test's runtime: a thread with a
                // runtime of its own can. FORCE: the test server's pool still
                // holds connections. Tried again while the server is short
                // of connections, as it can be with every test running.
                let (admin_url, sql) = (admin_url.clone(), format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                    runtime.block_on(async {
                        for attempt in 1.. {
                            match execute_once(&admin_url, &sql).await {
                                Ok(()) => break,
                                Err(e) if attempt == 10 => {
                                    eprintln!("left behind: {sql}: {e}");
                                    break;
                                }
                                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(300)).await,
                            }
                        }
                    })
                });
                let _ = dropped.join();
            }
        }
    }
}

/// Runs `sql` on a connection of its own to `url`.
async fn execute_once(url: &str, sql: &str) -> Result<(), sea_orm::DbErr> {
    let db = Database::connect(url).await?;
    db.execute_unprepared(sql).await?;
    db.close().await
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// First-run setup: a new org with an admin, signed in.
    pub async fn setup_admin(&self) -> Login {
        let email = format!("admin-{}@example.com", Uuid::now_v7().simple());
        let res = self
            .request(
                Method::POST,
                "/api/v1/setup",
                None,
                Some(json!({"org_name": "Acme Sales", "name": "Ada Admin", "email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "setup");
        login_of(res.json().await.unwrap())
    }

    /// Another user in `org_id` with `role`, signed in.
    pub async fn user(&self, org_id: Uuid, role: Role) -> Login {
        let email = format!("{}-{}@example.com", role.as_str(), Uuid::now_v7().simple());
        users::insert(
            &self.db,
            NewUser {
                org_id,
                email: Email::parse(&email).unwrap(),
                name: format!("{} user", role.as_str()),
                password: PASSWORD.into(),
                role,
                time_zone: "UTC".into(),
                language: Language::En,
                team_id: None,
            },
        )
        .await
        .unwrap();
        self.login(&email, PASSWORD).await
    }

    /// A second organisation with its own admin (as `rapport create-admin` makes).
    pub async fn other_org_admin(&self) -> Login {
        let email = format!("other-{}@example.com", Uuid::now_v7().simple());
        let setup = rapport_shared::auth::SetupRequest {
            org_name: "Other Org".into(),
            name: "Olga Other".into(),
            email: email.clone(),
            password: PASSWORD.into(),
            time_zone: None,
            language: None,
        }
        .validate()
        .unwrap();
        rapport_server::domain::setup::create_org(&self.db, setup).await.unwrap();
        self.login(&email, PASSWORD).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Login {
        let res = self
            .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password})))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login of {email}");
        login_of(res.json().await.unwrap())
    }

    /// Creates a customer and returns its JSON.
    pub async fn customer(&self, who: &Login, body: Value) -> Value {
        let res = self.post("/api/v1/customers", &who.token, body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }
}

fn login_of(body: Value) -> Login {
    Login {
        token: body["access_token"].as_str().unwrap().to_owned(),
        user_id: body["user"]["id"].as_str().unwrap().parse().unwrap(),
        org_id: body["user"]["org_id"].as_str().unwrap().parse().unwrap(),
        email: body["user"]["email"].as_str().unwrap().to_owned(),
    }
}

/// Asserts the error shape and code, and returns the body.
pub async fn assert_error(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.expect("error body is JSON");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body
}
