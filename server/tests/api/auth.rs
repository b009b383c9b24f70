use crate::helpers::{PASSWORD, assert_error, spawn_app, spawn_app_with};
use rapport_shared::auth::Role;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn setup_is_offered_until_the_first_org_exists() {
    let app = spawn_app().await;
    let before: Value = app.client.get(app.url("/api/v1/setup")).send().await.unwrap().json().await.unwrap();
    assert_eq!(before["needs_setup"], true);

    let admin = app.setup_admin().await;

    let after: Value = app.client.get(app.url("/api/v1/setup")).send().await.unwrap().json().await.unwrap();
    assert_eq!(after["needs_setup"], false);
    let me: Value = app.get("/api/v1/me", &admin.token).await.json().await.unwrap();
    assert_eq!(me["role"], "admin");
    assert_eq!(me["org_name"], "Acme Sales");
}

#[tokio::test]
async fn setup_is_closed_once_an_org_exists() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let body = json!({"org_name": "Intruder", "name": "Eve", "email": "eve@example.com", "password": PASSWORD});
    let res = app.request(Method::POST, "/api/v1/setup", None, Some(body)).await;
    assert_error(res, StatusCode::CONFLICT, "conflict").await;
    // Nothing was created: Eve cannot sign in.
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "eve@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn setup_reports_every_invalid_field() {
    let app = spawn_app().await;
    let body = json!({"org_name": "", "name": "A", "email": "not-an-email", "password": "short"});
    let res = app.request(Method::POST, "/api/v1/setup", None, Some(body)).await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for field in ["org_name", "email", "password"] {
        assert!(body["error"]["fields"][field].is_string(), "{field} in {body}");
    }
    let status: Value = app.client.get(app.url("/api/v1/setup")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["needs_setup"], true, "a failed setup changes nothing");
}

#[tokio::test]
async fn login_returns_a_bearer_token_and_sets_cookies() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": admin.email.to_uppercase(), "password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookies: Vec<String> =
        res.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let access = cookies.iter().find(|c| c.starts_with("rapport_access=")).expect("access cookie");
    assert!(access.contains("HttpOnly") && access.contains("SameSite=Lax"), "{access}");
    let refresh = cookies.iter().find(|c| c.starts_with("rapport_refresh=")).expect("refresh cookie");
    assert!(refresh.contains("HttpOnly") && refresh.contains("SameSite=Strict"), "{refresh}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], admin.email);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_the_same_401() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    for (email, password) in [(admin.email.as_str(), "wrong password"), ("nobody@example.com", PASSWORD)] {
        let res = app
            .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password})))
            .await;
        assert_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_429() {
    let app = spawn_app_with(|s| s.login_max_failures_per_account = 3).await;
    let admin = app.setup_admin().await;
    let attempt = |password: &'static str| {
        app.request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": admin.email, "password": password})))
    };
    for _ in 0..3 {
        assert_eq!(attempt("wrong password").await.status(), StatusCode::UNAUTHORIZED);
    }
    let res = attempt(PASSWORD).await;
    assert!(res.headers().get("retry-after").is_some());
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_limited_across_accounts() {
    let app = spawn_app_with(|s| s.login_max_failures_per_address = 2).await;
    for i in 0..2 {
        let body = json!({"email": format!("guess{i}@example.com"), "password": "x"});
        let res = app.request(Method::POST, "/api/v1/auth/login", None, Some(body)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "guess9@example.com", "password": "x"})),
        )
        .await;
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn missing_forged_and_garbage_tokens_are_401() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app.request(Method::GET, "/api/v1/me", None, None).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // Same header and claims, different signature.
    let mut parts: Vec<&str> = admin.token.split('.').collect();
    parts[2] = "c2lnbmF0dXJlLWZyb20tc29tZW9uZS1lbHNl";
    let forged = parts.join(".");
    for token in [forged.as_str(), "garbage", ""] {
        let res = app.get("/api/v1/me", token).await;
        assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
}

/// The browser's way: cookies, with the CSRF token echoed on writes.
#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_writes() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app
        .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": admin.email, "password": PASSWORD})))
        .await;
    let jar = cookie_header(&res);
    let csrf = cookie_value(&res, "rapport_csrf");

    let read = app.client.get(app.url("/api/v1/me")).header(COOKIE, &jar).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK, "reads need no CSRF token");

    let body = json!({"kind": "person", "name": "Cookie Customer"});
    let forged = app.client.post(app.url("/api/v1/customers")).header(COOKIE, &jar).json(&body).send().await.unwrap();
    assert_error(forged, StatusCode::FORBIDDEN, "forbidden").await;
    let wrong = app
        .client
        .post(app.url("/api/v1/customers"))
        .header(COOKIE, &jar)
        .header("X-CSRF-Token", "not-the-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);

    let ok = app
        .client
        .post(app.url("/api/v1/customers"))
        .header(COOKIE, &jar)
        .header("X-CSRF-Token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
    let list: Value = app.get("/api/v1/customers", &admin.token).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "the forged writes created nothing");
}

#[tokio::test]
async fn refresh_rotates_the_session_and_a_reused_token_revokes_it() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let login = app
        .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": admin.email, "password": PASSWORD})))
        .await;
    let first = (cookie_header(&login), cookie_value(&login, "rapport_csrf"));

    let refreshed = refresh(&app, &first).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let second = (cookie_header(&refreshed), cookie_value(&refreshed, "rapport_csrf"));
    let body: Value = refreshed.json().await.unwrap();
    assert!(body["access_token"].is_string());

    // The first refresh token was used: presenting it again is theft.
    assert_eq!(refresh(&app, &first).await.status(), StatusCode::UNAUTHORIZED);
    // …and it revoked the session that rotation produced.
    assert_eq!(refresh(&app, &second).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_without_a_cookie_is_401_and_without_csrf_is_403() {
    let app = spawn_app().await;
    let res = app.request(Method::POST, "/api/v1/auth/refresh", None, None).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    let admin = app.setup_admin().await;
    let login = app
        .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": admin.email, "password": PASSWORD})))
        .await;
    let res =
        app.client.post(app.url("/api/v1/auth/refresh")).header(COOKIE, cookie_header(&login)).send().await.unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let login = app
        .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": admin.email, "password": PASSWORD})))
        .await;
    let session = (cookie_header(&login), cookie_value(&login, "rapport_csrf"));
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header(COOKIE, &session.0)
        .header("X-CSRF-Token", &session.1)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(refresh(&app, &session).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn me_can_change_language_and_time_zone_but_not_to_nonsense() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app.patch("/api/v1/me", &admin.token, json!({"language": "zh-CN", "time_zone": "Asia/Shanghai"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["language"], "zh-CN");
    assert_eq!(me["time_zone"], "Asia/Shanghai");

    let res = app.patch("/api/v1/me", &admin.token, json!({"time_zone": "Mars/Olympus Mons", "name": "New"})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let me: Value = app.get("/api/v1/me", &admin.token).await.json().await.unwrap();
    assert_eq!(me["name"], "Ada Admin", "a rejected patch changes nothing");

    // Of a zone's shape, but no zone: the browser would show the device's
    // time and the server read UTC.
    let res = app.patch("/api/v1/me", &admin.token, json!({"time_zone": "Asia/Shangai", "name": "New"})).await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(!body["error"]["fields"]["time_zone"].is_null(), "{body}");
    let me: Value = app.get("/api/v1/me", &admin.token).await.json().await.unwrap();
    assert_eq!((me["name"].as_str(), me["time_zone"].as_str()), (Some("Ada Admin"), Some("Asia/Shanghai")));
}

#[tokio::test]
async fn logout_with_only_a_bearer_token_ends_that_session() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let other = app.login(&admin.email, PASSWORD).await;

    let res = app.request(Method::POST, "/api/v1/auth/logout", Some(&admin.token), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    assert_error(app.get("/api/v1/me", &admin.token).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let res = app.post("/api/v1/customers", &admin.token, json!({"kind": "person", "name": "After logout"})).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // Only that session: the same user's other sign-in goes on.
    assert_eq!(app.get("/api/v1/me", &other.token).await.status(), StatusCode::OK);
    // Signing out again is harmless.
    let res = app.request(Method::POST, "/api/v1/auth/logout", Some(&admin.token), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn changing_the_password_ends_every_session_and_keeps_the_caller_signed_in() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, rapport_shared::auth::Role::Rep).await;
    let login = app
        .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": rep.email, "password": PASSWORD})))
        .await;
    let browser = (cookie_header(&login), cookie_value(&login, "rapport_csrf"));
    let browser_access = cookie_value(&login, "rapport_access");
    let new_password = "a brand new passphrase";

    // Changed from the browser (cookies and the CSRF header).
    let res = app
        .client
        .post(app.url("/api/v1/me/password"))
        .header(COOKIE, &browser.0)
        .header("X-CSRF-Token", &browser.1)
        .json(&json!({"current_password": PASSWORD, "new_password": new_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = (cookie_header(&res), cookie_value(&res, "rapport_csrf"));
    let body: Value = res.json().await.unwrap();
    let fresh_token = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(body["user"]["email"], rep.email);

    // Every earlier session is over: bearer, browser access token, refresh token.
    for token in [&rep.token, &browser_access] {
        assert_error(app.get("/api/v1/me", token).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    // Refused, but not taken for a stolen copy: the other device trying it
    // does not sign out the person who changed the password.
    assert_eq!(refresh(&app, &browser).await.status(), StatusCode::UNAUTHORIZED);
    // The caller's new session works, by bearer, by cookie, and refreshes.
    assert_eq!(app.get("/api/v1/me", &fresh_token).await.status(), StatusCode::OK);
    let res = app.client.get(app.url("/api/v1/me")).header(COOKIE, &fresh.0).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(refresh(&app, &fresh).await.status(), StatusCode::OK);

    // The new password signs in; the old one does not.
    let old = app
        .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": rep.email, "password": PASSWORD})))
        .await;
    assert_error(old, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    app.login(&rep.email, new_password).await;

    // Audited, by the user, in the org's log.
    let log: Value = app.get("/api/v1/audit?action=user.password_changed", &admin.token).await.json().await.unwrap();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{log}");
    assert_eq!(items[0]["actor"]["id"], rep.user_id.to_string());
    assert_eq!(items[0]["target_id"], rep.user_id.to_string());
}

#[tokio::test]
async fn a_wrong_current_password_or_a_weak_new_one_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let other = app.login(&admin.email, PASSWORD).await;

    let res = app
        .post(
            "/api/v1/me/password",
            &admin.token,
            json!({"current_password": "not it at all", "new_password": "another good one"}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["error"]["fields"]["current_password"].is_string(), "{body}");

    let res = app
        .post("/api/v1/me/password", &admin.token, json!({"current_password": PASSWORD, "new_password": "short"}))
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["error"]["fields"]["new_password"].is_string(), "{body}");
    assert!(body["error"]["fields"]["current_password"].is_null(), "{body}");

    // Both sessions live on, and the old password still signs in.
    for token in [&admin.token, &other.token] {
        assert_eq!(app.get("/api/v1/me", token).await.status(), StatusCode::OK);
    }
    app.login(&admin.email, PASSWORD).await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": admin.email, "password": "another good one"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let log: Value = app.get("/api/v1/audit?action=user.password_changed", &admin.token).await.json().await.unwrap();
    assert_eq!(log["items"], json!([]));
}

#[tokio::test]
async fn guessing_the_current_password_is_rate_limited_like_logins() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    // The limit is five failures per account (the default).
    for _ in 0..5 {
        let res = app
            .post(
                "/api/v1/me/password",
                &admin.token,
                json!({"current_password": "a wrong guess", "new_password": "another good one"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app
        .post(
            "/api/v1/me/password",
            &admin.token,
            json!({"current_password": PASSWORD, "new_password": "another good one"}),
        )
        .await;
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // The account's logins are locked out too: it is one count.
    let res = app
        .request(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": admin.email, "password": PASSWORD})))
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn refresh(app: &crate::helpers::TestApp, session: &(String, String)) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/refresh"))
        .header(COOKIE, &session.0)
        .header("X-CSRF-Token", &session.1)
        .send()
        .await
        .unwrap()
}

/// `name=value; …` of every cookie the response set.
fn cookie_header(res: &reqwest::Response) -> String {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

fn cookie_value(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next()?.strip_prefix(&format!("{name}="))?.to_owned().into())
        .next()
        .unwrap_or_default()
}

/// With sessions remembered for a minute, each way a session ends or its
/// user changes still takes effect on the next request.
#[tokio::test]
async fn a_remembered_session_still_ends_at_once() {
    let app = spawn_app_with(|s| s.session_cache_ms = 60_000).await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let other_admin = app.user(admin.org_id, Role::Admin).await;
    for login in [&admin, &rep, &other_admin] {
        assert_eq!(app.get("/api/v1/me", &login.token).await.status(), StatusCode::OK, "now remembered");
    }

    let res = app.request(Method::POST, "/api/v1/auth/logout", Some(&admin.token), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_error(app.get("/api/v1/me", &admin.token).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    let admin = app.login(&admin.email, PASSWORD).await;
    assert_eq!(app.get("/api/v1/audit", &other_admin.token).await.status(), StatusCode::OK);
    let demoted =
        app.patch(&format!("/api/v1/users/{}", other_admin.user_id), &admin.token, json!({"role": "rep"})).await;
    assert_eq!(demoted.status(), StatusCode::OK);
    let res = app.get("/api/v1/audit", &other_admin.token).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "the new role applies to the next request");

    let path = format!("/api/v1/users/{}/deactivate", rep.user_id);
    assert_eq!(app.post(&path, &admin.token, json!({"handover_to": admin.user_id})).await.status(), StatusCode::OK);
    assert_error(app.get("/api/v1/me", &rep.token).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    let change = json!({"current_password": PASSWORD, "new_password": "another horse battery"});
    assert_eq!(app.post("/api/v1/me/password", &other_admin.token, change).await.status(), StatusCode::OK);
    let res = app.get("/api/v1/me", &other_admin.token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

/// Two servers on one PostgreSQL database: a sign-out on one reaches the
/// other's memory of sessions over NOTIFY, well before its minute is up.
#[tokio::test]
async fn a_sign_out_on_one_server_ends_the_session_on_another() {
    if std::env::var("RAPPORT_TEST_POSTGRES_URL").is_err() {
        eprintln!("skipped: needs RAPPORT_TEST_POSTGRES_URL");
        return;
    }
    let first = spawn_app().await;
    let second = crate::helpers::spawn_sibling(&first, |s| s.session_cache_ms = 60_000).await;
    let admin = first.setup_admin().await;
    // Give the second server's listener a moment to subscribe.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(second.get("/api/v1/me", &admin.token).await.status(), StatusCode::OK, "now remembered there");

    let res = first.request(Method::POST, "/api/v1/auth/logout", Some(&admin.token), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let status = second.get("/api/v1/me", &admin.token).await.status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(tokio::time::Instant::now() < deadline, "the second server still honours the ended session");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
