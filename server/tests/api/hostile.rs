//! Hostile input and abuse: forged and stale access tokens, mass assignment
//! on every write route, one past each limit, the per-credential request
//! rate, and forged cursors. Every refusal answers in the JSON error shape
//! and changes nothing.

use crate::helpers::{Login, PASSWORD, TestApp, assert_error, spawn_app, spawn_app_with};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use rapport_server::domain::{Actor, customers, scheduler};
use rapport_server::entity::customer;
use rapport_server::http::MAX_BODY_BYTES;
use rapport_shared::auth::Role;
use rapport_shared::customer::{MAX_CUSTOM_FIELDS, MAX_CUSTOM_FIELDS_BYTES, NewCustomer};
use rapport_shared::page::MAX_LIMIT;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

// ---------------------------------------------------------------------------
// Access tokens
// ---------------------------------------------------------------------------

/// The signing secret of the servers below, so the tests can mint tokens.
const SECRET: &str = "hostile-tests-know-this-secret-0123456789";

async fn app_with_known_secret() -> TestApp {
    spawn_app_with(|s| s.jwt_secret = Some(SecretString::from(SECRET))).await
}

/// `header.payload.signature`, signed with `secret` by `alg` whatever the header says.
fn mint(header: &Value, claims: &Value, secret: &[u8], alg: Algorithm) -> String {
    let message =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &EncodingKey::from_secret(secret), alg).unwrap();
    format!("{message}.{signature}")
}

/// A token as the server would issue it for these claims.
fn genuine(claims: &Value) -> String {
    mint(&json!({"alg": "HS256", "typ": "JWT"}), claims, SECRET.as_bytes(), Algorithm::HS256)
}

/// The claims inside an issued token.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// `claims` with `claim` set to `value`.
fn set(claims: &Value, claim: &str, value: Value) -> Value {
    let mut c = claims.clone();
    c[claim] = value;
    c
}

/// `claims` without `claim`.
fn without(claims: &Value, claim: &str) -> Value {
    let mut c = claims.clone();
    c.as_object_mut().unwrap().remove(claim);
    c
}

#[tokio::test]
async fn forged_access_tokens_are_401_whatever_they_change() {
    let app = app_with_known_secret().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let real = claims_of(&admin.token);
    let now = jsonwebtoken::get_current_timestamp();
    // The control: re-signing the real claims the server's way is accepted,
    // so each refusal below is for the one thing the case changes.
    assert_eq!(app.get("/api/v1/me", &genuine(&real)).await.status(), StatusCode::OK);

    let unsigned = |header: Value| {
        format!("{}.{}.", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(real.to_string()))
    };
    let header = |alg: &str| json!({"alg": alg, "typ": "JWT"});
    let key = SECRET.as_bytes();
    let cases: Vec<(&str, String)> = vec![
        ("alg none", unsigned(header("none"))),
        ("alg None", unsigned(header("None"))),
        ("alg NONE", unsigned(header("NONE"))),
        ("alg none with the real signature", {
            let sig = admin.token.rsplit('.').next().unwrap();
            format!("{}{sig}", unsigned(header("none")))
        }),
        ("signature stripped", {
            let (message, _) = admin.token.rsplit_once('.').unwrap();
            format!("{message}.")
        }),
        ("HS384 with the same key", mint(&header("HS384"), &real, key, Algorithm::HS384)),
        ("HS512 with the same key", mint(&header("HS512"), &real, key, Algorithm::HS512)),
        ("RS256 header over an HMAC signature", mint(&header("RS256"), &real, key, Algorithm::HS256)),
        ("ES256 header over an HMAC signature", mint(&header("ES256"), &real, key, Algorithm::HS256)),
        ("PS256 header over an HMAC signature", mint(&header("PS256"), &real, key, Algorithm::HS256)),
        ("EdDSA header over an HMAC signature", mint(&header("EdDSA"), &real, key, Algorithm::HS256)),
        ("another key", mint(&header("HS256"), &real, b"someone-elses-secret-0123456789abcdef", Algorithm::HS256)),
        ("payload swapped under the real signature", {
            let mut parts: Vec<String> = admin.token.split('.').map(str::to_owned).collect();
            parts[1] = URL_SAFE_NO_PAD.encode(set(&real, "sub", json!(rep.user_id)).to_string());
            parts.join(".")
        }),
        // Past the 5 s of leeway.
        ("expired", genuine(&set(&real, "exp", json!(now - 10)))),
        ("not yet valid (nbf)", genuine(&set(&real, "nbf", json!(now + 3600)))),
        ("issued in the future (iat)", genuine(&set(&real, "iat", json!(now + 3600)))),
        ("wrong aud", genuine(&set(&real, "aud", json!("rapport-web")))),
        ("aud list without ours", genuine(&set(&real, "aud", json!(["other", "x"])))),
        ("wrong iss", genuine(&set(&real, "iss", json!("evil")))),
        ("iss of the wrong type", genuine(&set(&real, "iss", json!(7)))),
        ("exp of the wrong type", genuine(&set(&real, "exp", json!("never")))),
        ("another org", genuine(&set(&real, "org", json!(Uuid::now_v7())))),
        // The admin's live session, claimed for the rep: a session belongs to its user.
        ("another user's session", genuine(&set(&real, "sub", json!(rep.user_id)))),
        ("a session that never existed", genuine(&set(&real, "sid", json!(Uuid::now_v7())))),
        ("typ refresh", mint(&json!({"alg": "HS256", "typ": "refresh"}), &real, key, Algorithm::HS256)),
        ("typ at+jwt", mint(&json!({"alg": "HS256", "typ": "at+jwt"}), &real, key, Algorithm::HS256)),
        ("typ absent", mint(&json!({"alg": "HS256"}), &real, key, Algorithm::HS256)),
        ("nested (cty JWT)", mint(&json!({"alg": "HS256", "typ": "JWT", "cty": "JWT"}), &real, key, Algorithm::HS256)),
        ("crit extension", mint(&json!({"alg": "HS256", "typ": "JWT", "crit": ["b64"]}), &real, key, Algorithm::HS256)),
        ("two dots too many", format!("{}.{}", admin.token, "x.y")),
        ("an API key prefix on a JWT", format!("rk_{}", admin.token)),
    ];
    let mut cases: Vec<(String, String)> = cases.into_iter().map(|(case, token)| (case.to_owned(), token)).collect();
    for claim in ["exp", "aud", "iss", "sub", "sid", "org"] {
        cases.push((format!("no {claim}"), genuine(&without(&real, claim))));
    }

    let mut accepted = Vec::new();
    for (case, token) in &cases {
        let res = app.get("/api/v1/me", token).await;
        if res.status() != StatusCode::UNAUTHORIZED {
            accepted.push(format!("{case}: {}", res.status()));
            continue;
        }
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated", "{case}: {body}");
    }
    assert!(accepted.is_empty(), "forged tokens not refused with 401:\n{}", accepted.join("\n"));
    assert_eq!(app.get("/api/v1/me", &admin.token).await.status(), StatusCode::OK, "the real token still works");
}

/// A browser-style login: the response carries the cookies.
async fn login_with_cookies(app: &TestApp, email: &str) -> Response {
    let res = app
        .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": PASSWORD})))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res
}

/// `name=value; …` of every cookie the response set.
fn cookie_header(res: &Response) -> String {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

fn cookie_value(res: &Response, name: &str) -> String {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .find_map(|v| v.to_str().ok()?.split(';').next()?.strip_prefix(&format!("{name}=")).map(str::to_owned))
        .unwrap()
}

/// A signed-in browser session: its cookie jar, CSRF token and access token.
struct BrowserSession {
    cookies: String,
    csrf: String,
    access: String,
}

impl BrowserSession {
    async fn open(app: &TestApp, email: &str) -> Self {
        Self::from(login_with_cookies(app, email).await).await
    }

    async fn from(res: Response) -> Self {
        let (cookies, csrf) = (cookie_header(&res), cookie_value(&res, "rapport_csrf"));
        let body: Value = res.json().await.unwrap();
        Self { cookies, csrf, access: body["access_token"].as_str().unwrap().to_owned() }
    }

    async fn post(&self, app: &TestApp, path: &str) -> Response {
        let req = app.client.post(app.url(path)).header(COOKIE, &self.cookies).header("X-CSRF-Token", &self.csrf);
        req.send().await.unwrap()
    }
}

#[tokio::test]
async fn a_refresh_token_or_api_key_is_not_an_access_token() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let login = login_with_cookies(&app, &admin.email).await;
    let refresh = cookie_value(&login, "rapport_refresh");
    let key: Value = app
        .post("/api/v1/api-keys", &admin.token, json!({"name": "ERP", "scope": "write"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = key["secret"].as_str().unwrap();

    assert_error(app.get("/api/v1/me", &refresh).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    for value in [refresh.as_str(), secret] {
        let res = app
            .client
            .get(app.url("/api/v1/me"))
            .header(COOKIE, format!("rapport_access={value}"))
            .send()
            .await
            .unwrap();
        assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    // The access token is no refresh token either.
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header(COOKIE, format!("rapport_refresh={}; rapport_csrf=c", admin.token))
        .header("X-CSRF-Token", "c")
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn signing_out_ends_the_sessions_access_tokens_at_once() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let first = BrowserSession::open(&app, &admin.email).await;
    let other = BrowserSession::open(&app, &admin.email).await;

    // A rotation keeps the session: the earlier access token works on until it expires.
    let refreshed = first.post(&app, "/api/v1/auth/refresh").await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let rotated = BrowserSession::from(refreshed).await;
    for token in [&first.access, &rotated.access] {
        assert_eq!(app.get("/api/v1/me", token).await.status(), StatusCode::OK);
    }

    assert_eq!(rotated.post(&app, "/api/v1/auth/logout").await.status(), StatusCode::NO_CONTENT);
    for token in [&first.access, &rotated.access] {
        assert_error(app.get("/api/v1/me", token).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let res = app.post("/api/v1/customers", token, json!({"kind": "person", "name": "After logout"})).await;
        assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    let res = app.client.get(app.url("/api/v1/me")).header(COOKIE, &rotated.cookies).send().await.unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // Only that session ended: the same user's other sign-in goes on.
    assert_eq!(app.get("/api/v1/me", &other.access).await.status(), StatusCode::OK);
    let list: Value = app.get("/api/v1/customers", &other.access).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]), "nothing was written after the logout");
}

#[tokio::test]
async fn a_reused_refresh_token_ends_every_session_and_its_access_tokens() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let stolen = BrowserSession::open(&app, &rep.email).await;
    let elsewhere = BrowserSession::open(&app, &rep.email).await;
    assert_eq!(stolen.post(&app, "/api/v1/auth/refresh").await.status(), StatusCode::OK);

    // The used refresh token comes back: theft. Every session of the user ends.
    assert_eq!(stolen.post(&app, "/api/v1/auth/refresh").await.status(), StatusCode::UNAUTHORIZED);
    for token in [&stolen.access, &elsewhere.access, &rep.token] {
        assert_error(app.get("/api/v1/me", token).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    assert_eq!(app.get("/api/v1/me", &admin.token).await.status(), StatusCode::OK, "other users are untouched");
}

// ---------------------------------------------------------------------------
// Mass assignment
// ---------------------------------------------------------------------------

/// One write route: who calls it, a body it accepts, the fields that are
/// legitimately part of that body, what to read to see that nothing changed,
/// and the status of the plain body (`None` when it fails for other reasons).
struct Write {
    method: Method,
    path: String,
    who: Option<Login>,
    body: Value,
    legit: &'static [&'static str],
    watch: Vec<String>,
    ok: Option<StatusCode>,
}

fn write(method: Method, path: impl Into<String>, who: &Login, body: Value, watch: &[&str]) -> Write {
    let watch = watch.iter().map(|s| (*s).to_owned()).collect();
    Write { method, path: path.into(), who: Some(who.clone()), body, legit: &[], watch, ok: None }
}

impl Write {
    fn legit(mut self, fields: &'static [&'static str]) -> Self {
        self.legit = fields;
        self
    }

    fn ok(mut self, status: StatusCode) -> Self {
        self.ok = Some(status);
        self
    }

    fn anonymous(mut self) -> Self {
        self.who = None;
        self
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

async fn created(app: &TestApp, who: &Login, path: &str, body: Value) -> Value {
    let res = app.post(path, &who.token, body).await;
    assert!(res.status().is_success(), "fixture {path}: {}", res.status());
    res.json().await.unwrap()
}

/// What `paths` read as the admin: the state a rejected write must leave alone.
async fn snapshot(app: &TestApp, admin: &Login, paths: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for path in paths {
        let res = app.get(path, &admin.token).await;
        assert_eq!(res.status(), StatusCode::OK, "snapshot {path}");
        let mut body: Value = res.json().await.unwrap();
        without_clock(&mut body);
        out.push(body);
    }
    out
}

/// Drops what the clock alone changes (how long a deal has sat in its
/// current stage), so that a snapshot compares stored state only.
fn without_clock(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("duration_secs");
            map.values_mut().for_each(without_clock);
        }
        Value::Array(items) => items.iter_mut().for_each(without_clock),
        _ => {}
    }
}

#[tokio::test]
async fn no_write_route_takes_org_owner_role_id_or_timestamps_from_the_body() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let colleague = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.other_org_admin().await;

    // Records to write to: the rep's, and the org's settings.
    let cust = id(&created(&app, &rep, "/api/v1/customers", json!({"kind": "person", "name": "Mass Target"})).await);
    let contact = id(&created(&app, &rep, &format!("/api/v1/customers/{cust}/contacts"), json!({"name": "Pat"})).await);
    let activity_path = format!("/api/v1/customers/{cust}/activities");
    let activity = id(&created(&app, &rep, &activity_path, json!({"kind": "note", "body": "Hello"})).await);
    let deal = created(&app, &rep, "/api/v1/deals", json!({"customer_id": cust, "title": "Mass deal"})).await;
    let deal = id(&deal["deal"]);
    let reminder_body = json!({"title": "Mass reminder", "due": "2030-01-01T09:00:00Z"});
    let reminder = id(&created(&app, &rep, "/api/v1/reminders", reminder_body).await);
    let steps = json!([{"day_offset": 1, "channel": "call", "title": "Call"}]);
    let playbook = id(&created(&app, &admin, "/api/v1/playbooks", json!({"name": "Mass book", "steps": steps})).await);
    let team = id(&created(&app, &admin, "/api/v1/teams", json!({"name": "Mass team"})).await);
    let pipelines: Value = app.get("/api/v1/pipelines", &admin.token).await.json().await.unwrap();
    let pipeline = id(&pipelines[0]);
    let stages: Vec<Value> = pipelines[0]["stages"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
    let stage = stages[1].as_str().unwrap().to_owned();

    let customer_view = format!("/api/v1/customers/{cust}");
    let contacts_view = format!("/api/v1/customers/{cust}/contacts");
    let timeline_view = format!("/api/v1/customers/{cust}/timeline?limit=200");
    let deal_view = format!("/api/v1/deals/{deal}");
    let reminder_view = format!("/api/v1/reminders/{reminder}");
    let all_customers = "/api/v1/customers?archived=true&limit=200";
    let new_user = json!({"email": "mass@example.com", "name": "Mass", "role": "rep", "password": PASSWORD});
    let invite = json!({"token": "not-an-invitation", "password": "a good long password"});
    let setup = json!({"org_name": "Second", "name": "Sid", "email": "sid@example.com", "password": PASSWORD});
    let mut writes = vec![
        write(Method::POST, "/api/v1/customers", &rep, json!({"kind": "person", "name": "Mass new"}), &[all_customers])
            .legit(&["owner_id"])
            .ok(StatusCode::CREATED),
        write(Method::PATCH, &customer_view, &rep, json!({"industry": "Retail"}), &[&customer_view])
            .legit(&["owner_id"])
            .ok(StatusCode::OK),
        write(Method::POST, &contacts_view, &rep, json!({"name": "Sam"}), &[&contacts_view]).ok(StatusCode::CREATED),
        write(Method::PATCH, format!("/api/v1/contacts/{contact}"), &rep, json!({"title": "Buyer"}), &[&contacts_view])
            .ok(StatusCode::OK),
        write(Method::POST, &activity_path, &rep, json!({"kind": "call", "body": "Rang"}), &[&timeline_view])
            .ok(StatusCode::CREATED),
        write(Method::PATCH, format!("/api/v1/activities/{activity}"), &rep, json!({"body": "Hi"}), &[&timeline_view])
            .ok(StatusCode::OK),
        write(Method::POST, "/api/v1/deals", &rep, json!({"customer_id": cust, "title": "D2"}), &["/api/v1/deals"])
            .ok(StatusCode::CREATED),
        write(Method::PATCH, &deal_view, &rep, json!({"title": "Renamed"}), &[&deal_view]).ok(StatusCode::OK),
        write(Method::POST, format!("{deal_view}/move"), &rep, json!({"stage_id": stage}), &[&deal_view])
            .ok(StatusCode::OK),
        write(
            Method::POST,
            "/api/v1/reminders",
            &rep,
            json!({"title": "R2", "due": "2030-01-02T09:00:00Z"}),
            &["/api/v1/reminders?limit=200"],
        )
        .ok(StatusCode::CREATED),
        write(Method::PATCH, &reminder_view, &rep, json!({"priority": "high"}), &[&reminder_view]).ok(StatusCode::OK),
        write(
            Method::POST,
            format!("/api/v1/customers/{cust}/playbooks"),
            &rep,
            json!({"playbook_id": playbook}),
            &[&format!("/api/v1/customers/{cust}/playbooks")],
        )
        .ok(StatusCode::CREATED),
        write(Method::PATCH, "/api/v1/me", &rep, json!({"language": "en"}), &["/api/v1/users"]).ok(StatusCode::OK),
        write(Method::POST, "/api/v1/api-keys", &rep, json!({"name": "ERP", "scope": "read"}), &["/api/v1/audit"])
            .ok(StatusCode::CREATED),
        // Admin routes: not even an admin sets these through a body.
        write(
            Method::PATCH,
            "/api/v1/org/settings",
            &admin,
            json!({"stale_after_days": 14}),
            &["/api/v1/org/settings"],
        )
        .ok(StatusCode::OK),
        write(Method::POST, "/api/v1/users", &admin, new_user, &["/api/v1/users"])
            .legit(&["role"])
            .ok(StatusCode::CREATED),
        write(
            Method::PATCH,
            format!("/api/v1/users/{}", colleague.user_id),
            &admin,
            json!({"name": "Cole"}),
            &["/api/v1/users"],
        )
        .legit(&["role"])
        .ok(StatusCode::OK),
        write(Method::POST, "/api/v1/teams", &admin, json!({"name": "Team 2"}), &["/api/v1/teams"])
            .ok(StatusCode::CREATED),
        write(Method::PATCH, format!("/api/v1/teams/{team}"), &admin, json!({"name": "Team 3"}), &["/api/v1/teams"])
            .ok(StatusCode::OK),
        write(Method::POST, "/api/v1/pipelines", &admin, json!({"name": "Pipe 2"}), &["/api/v1/pipelines"])
            .ok(StatusCode::CREATED),
        write(
            Method::PATCH,
            format!("/api/v1/pipelines/{pipeline}"),
            &admin,
            json!({"name": "Sales"}),
            &["/api/v1/pipelines"],
        )
        .ok(StatusCode::OK),
        write(
            Method::POST,
            format!("/api/v1/pipelines/{pipeline}/stages/reorder"),
            &admin,
            json!({"stage_ids": stages}),
            &["/api/v1/pipelines"],
        )
        .ok(StatusCode::OK),
        // After the reorder, which names every stage there is.
        write(
            Method::POST,
            format!("/api/v1/pipelines/{pipeline}/stages"),
            &admin,
            json!({"name": "Extra", "probability": 50}),
            &["/api/v1/pipelines"],
        )
        .ok(StatusCode::CREATED),
        write(
            Method::PATCH,
            format!("/api/v1/stages/{stage}"),
            &admin,
            json!({"probability": 10}),
            &["/api/v1/pipelines"],
        )
        .ok(StatusCode::OK),
        write(
            Method::POST,
            "/api/v1/playbooks",
            &admin,
            json!({"name": "Book 2", "steps": steps}),
            &["/api/v1/playbooks"],
        )
        .ok(StatusCode::CREATED),
        write(
            Method::PATCH,
            format!("/api/v1/playbooks/{playbook}"),
            &admin,
            json!({"name": "Book 3"}),
            &["/api/v1/playbooks"],
        )
        .ok(StatusCode::OK),
        write(
            Method::POST,
            "/api/v1/customers/reassign",
            &admin,
            json!({"customer_ids": [cust], "owner_id": colleague.user_id}),
            &[all_customers],
        )
        .legit(&["owner_id"])
        .ok(StatusCode::OK),
        // Last: it moves the rep's customer away (the rows above expect the rep to own it).
        write(
            Method::POST,
            format!("/api/v1/users/{}/deactivate", colleague.user_id),
            &admin,
            json!({"handover_to": admin.user_id}),
            &["/api/v1/users", all_customers],
        )
        .ok(StatusCode::OK),
        // Without a session.
        write(
            Method::POST,
            "/api/v1/auth/login",
            &admin,
            json!({"email": rep.email, "password": PASSWORD}),
            &["/api/v1/audit"],
        )
        .anonymous()
        .ok(StatusCode::OK),
        write(Method::POST, "/api/v1/auth/accept-invite", &admin, invite, &["/api/v1/users"]).anonymous(),
        write(Method::POST, "/api/v1/setup", &admin, setup, &["/api/v1/users"]).anonymous(),
    ];

    let hostile = [
        ("org_id", json!(outsider.org_id)),
        ("owner_id", json!(admin.user_id)),
        ("user_id", json!(admin.user_id)),
        ("role", json!("admin")),
        ("id", json!(Uuid::now_v7())),
        ("created_at", json!("2000-01-01T00:00:00Z")),
        ("updated_at", json!("2000-01-01T00:00:00Z")),
    ];
    let mut wrong = Vec::new();
    for w in writes.drain(..) {
        let before = snapshot(&app, &admin, &w.watch).await;
        for (field, value) in hostile.iter().filter(|(f, _)| !w.legit.contains(f)) {
            let mut body = w.body.clone();
            body[*field] = value.clone();
            let res =
                app.request(w.method.clone(), &w.path, w.who.as_ref().map(|l| l.token.as_str()), Some(body)).await;
            let status = res.status();
            let answer: Value = res.json().await.unwrap_or(Value::Null);
            if status != StatusCode::UNPROCESSABLE_ENTITY || answer["error"]["code"] != "validation_failed" {
                wrong.push(format!("{} {} with `{field}`: {status} {answer}", w.method, w.path));
            }
        }
        assert_eq!(snapshot(&app, &admin, &w.watch).await, before, "{} {} changed something", w.method, w.path);
        // The same body without the extra field goes through: the field was the reason.
        if let Some(ok) = w.ok {
            let res =
                app.request(w.method.clone(), &w.path, w.who.as_ref().map(|l| l.token.as_str()), Some(w.body)).await;
            assert_eq!(res.status(), ok, "{} {} plain body", w.method, w.path);
        }
    }
    assert!(wrong.is_empty(), "extra fields not refused with 422:\n{}", wrong.join("\n"));
}

/// Where a body may name an owner or assignee, a rep may name only themselves.
#[tokio::test]
async fn a_rep_cannot_hand_records_to_someone_else_through_a_body() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let colleague = app.user(admin.org_id, Role::Rep).await;
    let cust = app.customer(&rep, json!({"kind": "person", "name": "Mine"})).await;
    let path = format!("/api/v1/customers/{}", id(&cust));
    let before: Value = app.get(&path, &rep.token).await.json().await.unwrap();

    let res = app.patch(&path, &rep.token, json!({"owner_id": admin.user_id, "industry": "Retail"})).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(app.get(&path, &rep.token).await.json::<Value>().await.unwrap(), before, "nothing changed");

    let body = json!({"title": "Call", "due": "2030-01-01T09:00:00Z", "assignee_id": colleague.user_id});
    let res = app.post("/api/v1/reminders", &rep.token, body).await;
    let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(err["error"]["fields"]["assignee_id"].is_string(), "{err}");
    let mine = created(&app, &rep, "/api/v1/reminders", json!({"title": "Call", "due": "2030-01-01T09:00:00Z"})).await;
    let path = format!("/api/v1/reminders/{}", id(&mine));
    let res = app.patch(&path, &rep.token, json!({"assignee_id": colleague.user_id})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let after: Value = app.get(&path, &rep.token).await.json().await.unwrap();
    assert_eq!(after["assignee"]["id"], rep.user_id.to_string());
    let theirs: Value = app.get("/api/v1/reminders", &colleague.token).await.json().await.unwrap();
    assert_eq!(theirs["items"], json!([]), "the colleague got nothing");
}

/// A write route without a body ignores one: claiming makes the caller the owner.
#[tokio::test]
async fn a_claim_ignores_an_owner_or_org_in_its_body() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.other_org_admin().await;
    let pooled = app.customer(&admin, json!({"kind": "person", "name": "Pooled"})).await;
    let row = customer::Entity::find_by_id(id(&pooled).parse::<Uuid>().unwrap()).one(&app.db).await.unwrap();
    let mut model = row.unwrap().into_active_model();
    model.pooled_at = Set(Some(chrono::Utc::now()));
    model.update(&app.db).await.unwrap();

    let path = format!("/api/v1/customers/{}/claim", id(&pooled));
    let res = app.post(&path, &rep.token, json!({"owner_id": admin.user_id, "org_id": outsider.org_id})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let now: Value = app.get(&format!("/api/v1/customers/{}", id(&pooled)), &rep.token).await.json().await.unwrap();
    assert_eq!(now["owner"]["id"], rep.user_id.to_string());
    let theirs: Value = app.get("/api/v1/customers", &outsider.token).await.json().await.unwrap();
    assert_eq!(theirs["items"], json!([]));
}

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_body_one_byte_past_the_limit_is_413() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    // `{"kind":"person","name":"A","address":"xxx…"}` of exactly `len` bytes.
    let body_of = |len: usize| {
        let head = r#"{"kind":"person","name":"A","address":""#;
        format!("{head}{}\"}}", "x".repeat(len - head.len() - 2))
    };
    let send = |body: String| {
        app.client
            .post(app.url("/api/v1/customers"))
            .bearer_auth(&admin.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    assert_eq!(body_of(MAX_BODY_BYTES).len(), MAX_BODY_BYTES);
    // At the limit the body is read (and its address is too long for a customer).
    let res = send(body_of(MAX_BODY_BYTES)).await.unwrap();
    let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(err["error"]["fields"]["address"].is_string(), "{err}");
    let res = send(body_of(MAX_BODY_BYTES + 1)).await.unwrap();
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let list: Value = app.get("/api/v1/customers", &admin.token).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
}

/// The extra fields of a customer body for a size, the limit, and the field
/// reported one past it.
type Limit = (Box<dyn Fn(usize) -> Value>, usize, &'static str);

#[tokio::test]
async fn one_past_each_text_and_custom_field_limit_is_422_and_creates_nothing() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let n = std::cell::Cell::new(0);
    let name = || {
        n.set(n.get() + 1);
        format!("Limit customer {}", n.get())
    };
    let keys = |count: usize| Value::Object((0..count).map(|i| (format!("k{i}"), json!(i))).collect());
    // `{"n":"…"}` is 8 bytes around the text.
    let sized = |bytes: usize| json!({"n": "x".repeat(bytes - 8)});
    let phones = |count: usize| (0..count).map(|i| format!("+1 555 01{i:02}")).collect::<Vec<_>>();
    let tags = |count: usize| (0..count).map(|i| format!("tag{i}")).collect::<Vec<_>>();
    let cases: Vec<Limit> = vec![
        (Box::new(|len| json!({"name": "n".repeat(len)})), 200, "name"),
        (Box::new(|len| json!({"address": "a".repeat(len)})), 500, "address"),
        (Box::new(|len| json!({"region": "r".repeat(len)})), 200, "region"),
        (Box::new(move |count| json!({"phones": phones(count)})), 10, "phones"),
        (Box::new(move |count| json!({"tags": tags(count)})), 20, "tags"),
        (Box::new(|len| json!({"tags": ["t".repeat(len)]})), 40, "tags[0]"),
        (Box::new(move |count| json!({"custom_fields": keys(count)})), MAX_CUSTOM_FIELDS, "custom_fields"),
        (Box::new(move |bytes| json!({"custom_fields": sized(bytes)})), MAX_CUSTOM_FIELDS_BYTES, "custom_fields"),
    ];
    let mut made = 0;
    for (extra, limit, field) in &cases {
        for (size, refused) in [(*limit, false), (limit + 1, true)] {
            let mut body = json!({"kind": "person", "name": name()});
            body.as_object_mut().unwrap().extend(extra(size).as_object().unwrap().clone());
            let res = app.post("/api/v1/customers", &admin.token, body).await;
            if refused {
                let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
                assert!(err["error"]["fields"][field].is_string(), "{field} at {size}: {err}");
            } else {
                assert_eq!(res.status(), StatusCode::CREATED, "{field} at its limit {size}");
                made += 1;
            }
        }
    }
    let list: Value = app.get("/api/v1/customers?limit=200", &admin.token).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), made, "only the bodies at the limits made customers");

    // What hangs off a customer: contact notes, activity bodies, reminder titles.
    let cid = id(&list["items"][0]);
    let texts = [
        (format!("/api/v1/customers/{cid}/contacts"), json!({"name": "Pat"}), "notes", 4000),
        (format!("/api/v1/customers/{cid}/activities"), json!({"kind": "note"}), "body", 10_000),
        ("/api/v1/reminders".to_owned(), json!({"due": "2030-01-01T09:00:00Z"}), "title", 200),
    ];
    for (path, base, field, limit) in texts {
        for (len, refused) in [(limit, false), (limit + 1, true)] {
            let mut body = base.clone();
            body[field] = json!("t".repeat(len));
            let res = app.post(&path, &admin.token, body).await;
            if refused {
                let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
                assert!(err["error"]["fields"][field].is_string(), "{path} {field}: {err}");
            } else {
                assert_eq!(res.status(), StatusCode::CREATED, "{path} {field} at its limit");
            }
        }
    }
}

/// A page size past the maximum is clamped to it, not refused (documented in
/// `rapport_shared::page`): the answer is a full page and a cursor.
#[tokio::test]
async fn a_page_size_past_the_maximum_gets_the_maximum() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let actor = Actor {
        user_id: admin.user_id,
        name: String::new(),
        org_id: admin.org_id,
        role: Role::Admin,
        team_id: None,
        address: None,
    };
    for i in 0..=MAX_LIMIT {
        let input: NewCustomer = serde_json::from_value(json!({"kind": "person", "name": format!("P{i:03}")})).unwrap();
        customers::create(&app.db, &actor, input).await.unwrap();
    }
    let page: Value =
        app.get(&format!("/api/v1/customers?limit={}", MAX_LIMIT + 1), &admin.token).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len() as u64, MAX_LIMIT);
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let rest: Value = app
        .get(&format!("/api/v1/customers?limit={}&cursor={cursor}", u64::MAX), &admin.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
    // A size that is not a number at all is the caller's error.
    for bad in ["-1", "lots", "18446744073709551616"] {
        let res = app.get(&format!("/api/v1/customers?limit={bad}"), &admin.token).await;
        assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    }
}

#[tokio::test]
async fn one_request_past_the_per_credential_rate_is_429() {
    const LIMIT: u32 = 5;
    let app = spawn_app_with(|s| s.rate_limit_per_minute = LIMIT).await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;

    for i in 0..LIMIT {
        assert_eq!(app.get("/api/v1/me", &rep.token).await.status(), StatusCode::OK, "request {i}");
    }
    let res = app.get("/api/v1/me", &rep.token).await;
    let retry: u64 = res.headers().get(RETRY_AFTER).expect("Retry-After").to_str().unwrap().parse().unwrap();
    assert!((1..=60 / u64::from(LIMIT)).contains(&retry), "Retry-After {retry}");
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Writes count against the same allowance, and nothing is written.
    let res = app.post("/api/v1/customers", &rep.token, json!({"kind": "person", "name": "Too fast"})).await;
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // The limit is the user's, not one token's: signing in again does not reset it.
    let again = app.login(&rep.email, PASSWORD).await;
    assert_error(app.get("/api/v1/me", &again.token).await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

    // Others have their own allowance; an API key has its own, apart from its owner's sessions.
    let key: Value = app
        .post("/api/v1/api-keys", &admin.token, json!({"name": "ERP", "scope": "write"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = key["secret"].as_str().unwrap();
    for i in 0..LIMIT {
        assert_eq!(app.get("/api/v1/customers", secret).await.status(), StatusCode::OK, "key request {i}");
    }
    let res = app.get("/api/v1/customers", secret).await;
    assert!(res.headers().get(RETRY_AFTER).is_some());
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(app.get("/api/v1/me", &admin.token).await.status(), StatusCode::OK, "the owner's session goes on");
    let list: Value = app.get("/api/v1/customers", &admin.token).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]), "the limited write created nothing");
}

// ---------------------------------------------------------------------------
// Cursors
// ---------------------------------------------------------------------------

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn with_cursor(list: &str, cursor: &str) -> String {
    format!("{list}&cursor={}", urlencode(cursor))
}

#[tokio::test]
async fn forged_and_foreign_cursors_are_400_on_every_list() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    // Two of everything, so each list has a second page.
    for _ in 0..2 {
        app.user(admin.org_id, Role::Rep).await;
    }
    let a = id(&app.customer(&admin, json!({"kind": "person", "name": "Cursor A"})).await);
    let b = id(&app.customer(&admin, json!({"kind": "person", "name": "Cursor B"})).await);
    for cid in [&a, &b] {
        for body in ["One", "Two"] {
            created(
                &app,
                &admin,
                &format!("/api/v1/customers/{cid}/activities"),
                json!({"kind": "note", "body": body}),
            )
            .await;
        }
    }
    for title in ["D1", "D2"] {
        created(&app, &admin, "/api/v1/deals", json!({"customer_id": a, "title": title})).await;
    }
    let due = chrono::Utc::now() - chrono::Duration::minutes(5);
    for title in ["R1", "R2"] {
        created(&app, &admin, "/api/v1/reminders", json!({"title": title, "due": due})).await;
    }
    scheduler::run_pass(&app.db, chrono::Utc::now()).await.unwrap();
    let pipelines: Value = app.get("/api/v1/pipelines", &admin.token).await.json().await.unwrap();
    let (pipeline, first_stage) = (id(&pipelines[0]), id(&pipelines[0]["stages"][0]));
    let other_stage = id(&pipelines[0]["stages"][1]);

    let lists = [
        "/api/v1/customers?limit=1".to_owned(),
        "/api/v1/customers?sort=last_touch&limit=1".to_owned(),
        "/api/v1/deals?limit=1".to_owned(),
        format!("/api/v1/deals?stage={first_stage}&limit=1"),
        "/api/v1/reminders?limit=1".to_owned(),
        format!("/api/v1/customers/{a}/timeline?limit=1"),
        format!("/api/v1/customers/{b}/timeline?limit=1"),
        "/api/v1/notifications?limit=1".to_owned(),
        "/api/v1/audit?limit=1".to_owned(),
    ];
    let mut issued = Vec::new();
    for list in &lists {
        let page: Value = app.get(list, &admin.token).await.json().await.unwrap();
        let cursor = page["next_cursor"].as_str().unwrap_or_else(|| panic!("{list} has a second page: {page}"));
        // Each list takes its own cursor.
        assert_eq!(app.get(&with_cursor(list, cursor), &admin.token).await.status(), StatusCode::OK, "{list}");
        issued.push(cursor.to_owned());
    }
    // The board's column cursors page on as that stage's deal list, and only there.
    let board: Value =
        app.get(&format!("/api/v1/pipelines/{pipeline}/board?limit=1"), &admin.token).await.json().await.unwrap();
    let column = board["columns"][0]["next_cursor"].as_str().unwrap();
    let stage_list = format!("/api/v1/deals?stage={first_stage}&limit=1");
    assert_eq!(app.get(&with_cursor(&stage_list, column), &admin.token).await.status(), StatusCode::OK);

    let id0 = Uuid::now_v7();
    let b64 = |text: &str| URL_SAFE_NO_PAD.encode(text);
    let noise: Vec<u8> = (0u8..48).map(|i| i.wrapping_mul(97).wrapping_add(13)).collect();
    let mut forged = vec![
        "bogus".to_owned(),
        "%".to_owned(),
        "\u{0}".to_owned(),
        "🙂".to_owned(),
        URL_SAFE_NO_PAD.encode(&noise),
        b64("{}"),
        b64("[]"),
        b64("null"),
        b64("\"x\""),
        b64("{\"a\":1}"),
        b64("{\"key\":"),
        format!("{}==", b64("{}")),
        // The shape before cursors named their list, and near-misses of the current one.
        b64(&format!(r#"{{"key":"","id":"{id0}"}}"#)),
        b64(&format!(r#"{{"list":"customers:name","key":1,"id":"{id0}"}}"#)),
        b64(r#"{"list":"customers:name","key":"a","id":"not-a-uuid"}"#),
        b64(&format!(r#"{{"list":["audit"],"key":"","id":"{id0}"}}"#)),
        "A".repeat(5000),
        // Standard base64 (`+`, `/`) is not the URL-safe kind the server writes.
        base64::engine::general_purpose::STANDARD.encode([0xfb, 0xff, 0xfe, 0x01]),
    ];
    // Right list, but a key that list cannot read (the notification and
    // newest-first deal lists page by id alone and have no key to read).
    for list in [
        "customers:last_touch".to_owned(),
        "reminders".to_owned(),
        "audit".to_owned(),
        format!("deals:stage:{first_stage}"),
        format!("timeline:{a}"),
    ] {
        forged.push(b64(&format!(r#"{{"list":"{list}","key":"yesterday","id":"{id0}"}}"#)));
    }

    let mut wrong = Vec::new();
    let mut check = async |list: &str, cursor: &str, what: &str| {
        let res = app.get(&with_cursor(list, cursor), &admin.token).await;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let shaped = body["error"]["code"] == "bad_request" && body["error"]["message"].is_string();
        if status != StatusCode::BAD_REQUEST || !shaped {
            wrong.push(format!("{list} with {what}: {status} {body}"));
        }
    };
    for list in &lists {
        for cursor in &forged {
            check(list, cursor, &format!("forged {cursor:.40}")).await;
        }
        for (from, cursor) in lists.iter().zip(&issued) {
            if from != list {
                check(list, cursor, &format!("the cursor of {from}")).await;
            }
        }
    }
    check("/api/v1/deals?limit=1", column, "a board column's cursor").await;
    check(&format!("/api/v1/deals?stage={other_stage}&limit=1"), column, "another stage's cursor").await;
    assert!(wrong.is_empty(), "{} cursors not refused with 400:\n{}", wrong.len(), wrong.join("\n"));
}
