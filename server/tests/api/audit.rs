//! The audit log: every audited action appends an entry (actor, target,
//! address, before/after); only admins read it, only their org's; nothing in
//! the API changes it.

use crate::helpers::{Login, PASSWORD, TestApp, assert_error, spawn_app};
use rapport_shared::auth::Role;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The client address every test request comes from.
const LOOPBACK: &str = "127.0.0.1";

/// Every entry `who` can read (newest first), following the cursor.
async fn entries(app: &TestApp, who: &Login, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/audit?limit=200{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let res = app.get(&path, &who.token).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let page: Value = res.json().await.unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

/// The entries with `action` about `target` (any target when `None`).
async fn find(app: &TestApp, admin: &Login, action: &str, target: Option<&str>) -> Vec<Value> {
    entries(app, admin, &format!("&action={action}"))
        .await
        .into_iter()
        .filter(|e| target.is_none_or(|t| e["target_id"] == t))
        .collect()
}

/// The one entry with `action` about `target`.
async fn one(app: &TestApp, admin: &Login, action: &str, target: &str) -> Value {
    let mut found = find(app, admin, action, Some(target)).await;
    assert_eq!(found.len(), 1, "one {action} entry about {target}: {found:?}");
    found.remove(0)
}

fn assert_by(entry: &Value, who: &Login) {
    assert_eq!(entry["actor"]["id"], who.user_id.to_string(), "{entry}");
    assert_eq!(entry["address"], LOOPBACK, "{entry}");
}

#[tokio::test]
async fn logins_are_audited_with_the_address_and_unknown_emails_are_not() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let rep_id = rep.user_id.to_string();

    let ok = one(&app, &admin, "login.succeeded", &rep_id).await;
    assert_by(&ok, &rep);
    assert_eq!(ok["target_type"], "user");

    let body = json!({"email": rep.email, "password": "not the password"});
    let res = app.request(Method::POST, "/api/v1/auth/login", None, Some(body)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let failed = one(&app, &admin, "login.failed", &rep_id).await;
    assert!(failed["actor"].is_null(), "nobody was signed in: {failed}");
    assert_eq!(failed["address"], LOOPBACK);
    assert_eq!(failed["after"]["reason"], "wrong_password");

    let body = json!({"email": "nobody@example.com", "password": "whatever it is"});
    let res = app.request(Method::POST, "/api/v1/auth/login", None, Some(body)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(find(&app, &admin, "login.failed", None).await.len(), 1, "an unknown e-mail belongs to no org");

    // First-run setup records the org's first admin, with nobody signed in yet.
    let created = one(&app, &admin, "user.created", &admin.user_id.to_string()).await;
    assert!(created["actor"].is_null());
    assert_eq!(created["after"]["role"], "admin");
}

#[tokio::test]
async fn refresh_logout_and_a_reused_refresh_token_are_audited() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let rep_id = rep.user_id.to_string();
    let first = cookie_session(&app, &rep).await;

    let res = session_post(&app, "/api/v1/auth/refresh", &first).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = (cookie_header(&res), cookie_value(&res, "rapport_csrf"));
    let refreshed = one(&app, &admin, "session.refreshed", &rep_id).await;
    assert_by(&refreshed, &rep);

    let res = session_post(&app, "/api/v1/auth/logout", &second).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let ended = one(&app, &admin, "session.ended", &rep_id).await;
    assert_by(&ended, &rep);

    // The first refresh token was already used: all sessions end, with no actor.
    let res = session_post(&app, "/api/v1/auth/refresh", &first).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let ended = find(&app, &admin, "session.ended", Some(&rep_id)).await;
    assert_eq!(ended.len(), 2);
    assert!(ended[0]["actor"].is_null());
    assert_eq!(ended[0]["after"]["reason"], "refresh_token_reused");
    assert_eq!(ended[0]["address"], LOOPBACK);
}

#[tokio::test]
async fn calendar_feeds_issued_replaced_and_revoked_are_audited() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    assert_eq!(app.post("/api/v1/me/calendar", &admin.token, json!({})).await.status(), StatusCode::CREATED);
    assert_eq!(app.post("/api/v1/me/calendar", &admin.token, json!({})).await.status(), StatusCode::CREATED);
    assert_eq!(app.delete("/api/v1/me/calendar", &admin.token).await.status(), StatusCode::NO_CONTENT);

    let created = find(&app, &admin, "calendar_feed.created", None).await;
    let revoked = find(&app, &admin, "calendar_feed.revoked", None).await;
    assert_eq!(created.len(), 2);
    assert_eq!(revoked.len(), 2, "replacing a feed revokes the old one");
    for entry in created.iter().chain(&revoked) {
        assert_by(entry, &admin);
        assert_eq!(entry["target_type"], "calendar_feed");
    }
    // Newest first: the last revocation is of the second feed, the first of the first.
    assert_eq!(revoked[0]["target_id"], created[0]["target_id"]);
    assert_eq!(revoked[1]["target_id"], created[1]["target_id"]);
}

#[tokio::test]
async fn pipeline_stage_and_playbook_changes_are_audited_as_settings_changes() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;

    let res = app.post("/api/v1/pipelines", &admin.token, json!({"name": "Renewals"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let pipeline: Value = res.json().await.unwrap();
    let pid = pipeline["id"].as_str().unwrap().to_owned();
    let created = one(&app, &admin, "settings.changed", &pid).await;
    assert_by(&created, &admin);
    assert_eq!(created["target_type"], "pipeline");
    assert!(created["before"].is_null());
    assert_eq!(created["after"]["name"], "Renewals");

    let res = app.patch(&format!("/api/v1/pipelines/{pid}"), &admin.token, json!({"name": "Renewals 2027"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(&format!("/api/v1/pipelines/{pid}/stages"), &admin.token, json!({"name": "Demo", "probability": 50}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let stage: Value = res.json().await.unwrap();
    let sid = stage["id"].as_str().unwrap().to_owned();
    let res = app.patch(&format!("/api/v1/stages/{sid}"), &admin.token, json!({"probability": 60})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let pipelines: Value = app.get("/api/v1/pipelines", &admin.token).await.json().await.unwrap();
    let ours = pipelines.as_array().unwrap().iter().find(|p| p["id"] == pid.as_str()).unwrap();
    let mut order: Vec<Value> = ours["stages"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
    order.reverse();
    let res =
        app.post(&format!("/api/v1/pipelines/{pid}/stages/reorder"), &admin.token, json!({"stage_ids": order})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.delete(&format!("/api/v1/stages/{sid}"), &admin.token).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("/api/v1/pipelines/{pid}"), &admin.token).await.status(), StatusCode::NO_CONTENT);

    let on_pipeline = find(&app, &admin, "settings.changed", Some(&pid)).await;
    assert_eq!(on_pipeline.len(), 4, "created, renamed, reordered, deleted: {on_pipeline:?}");
    let (deleted, reordered, renamed) = (&on_pipeline[0], &on_pipeline[1], &on_pipeline[2]);
    assert_eq!(renamed["before"], json!({"name": "Renewals"}), "only the changed field");
    assert_eq!(renamed["after"], json!({"name": "Renewals 2027"}));
    assert_eq!(reordered["after"]["stage_ids"], json!(order));
    assert_eq!(deleted["before"]["name"], "Renewals 2027");
    assert!(deleted["after"].is_null());

    let on_stage = find(&app, &admin, "settings.changed", Some(&sid)).await;
    assert_eq!(on_stage.len(), 3, "added, edited, deleted: {on_stage:?}");
    assert!(on_stage.iter().all(|e| e["target_type"] == "stage"));
    assert_eq!(on_stage[2]["after"]["name"], "Demo");
    assert_eq!(on_stage[1]["after"], json!({"probability": 60}));
    assert_eq!(on_stage[0]["before"]["name"], "Demo");

    let steps = json!([{"day_offset": 0, "channel": "call", "title": "Intro call"}]);
    let res = app.post("/api/v1/playbooks", &admin.token, json!({"name": "Welcome", "steps": steps})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let book: Value = res.json().await.unwrap();
    let bid = book["id"].as_str().unwrap().to_owned();
    let res = app.patch(&format!("/api/v1/playbooks/{bid}"), &admin.token, json!({"name": "Onboarding"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.delete(&format!("/api/v1/playbooks/{bid}"), &admin.token).await.status(), StatusCode::NO_CONTENT);
    let on_book = find(&app, &admin, "settings.changed", Some(&bid)).await;
    assert_eq!(on_book.len(), 3, "created, renamed, archived: {on_book:?}");
    assert!(on_book.iter().all(|e| e["target_type"] == "playbook"));
    assert_eq!(on_book[1]["after"], json!({"name": "Onboarding"}));
    assert_eq!(on_book[0]["after"], json!({"archived": true}));
}

#[tokio::test]
async fn org_settings_changes_are_audited() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app.patch("/api/v1/org/settings", &admin.token, json!({"stale_after_days": 21})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let entry = one(&app, &admin, "settings.changed", &admin.org_id.to_string()).await;
    assert_by(&entry, &admin);
    assert_eq!(entry["target_type"], "org");
    assert_eq!(entry["before"], json!({"stale_after_days": 14}));
    assert_eq!(entry["after"], json!({"stale_after_days": 21}));
}

#[tokio::test]
async fn profile_changes_are_audited_with_only_the_changed_fields() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let res = app.patch("/api/v1/me", &rep.token, json!({"time_zone": "Asia/Shanghai", "name": "rep user"})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let entry = one(&app, &admin, "user.updated", &rep.user_id.to_string()).await;
    assert_by(&entry, &rep);
    assert_eq!(entry["before"], json!({"time_zone": "UTC"}), "the unchanged name is left out");
    assert_eq!(entry["after"], json!({"time_zone": "Asia/Shanghai"}));

    // A patch that changes nothing is not an event.
    let res = app.patch("/api/v1/me", &rep.token, json!({"time_zone": "Asia/Shanghai"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(find(&app, &admin, "user.updated", None).await.len(), 1);
}

#[tokio::test]
async fn archiving_customers_and_deals_and_deleting_activities_are_audited() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let customer = app.customer(&rep, json!({"kind": "company", "name": "Acme"})).await;
    let cid = customer["id"].as_str().unwrap().to_owned();

    let res = app.post("/api/v1/deals", &rep.token, json!({"customer_id": cid, "title": "Big one"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let did = res.json::<Value>().await.unwrap()["deal"]["id"].as_str().unwrap().to_owned();
    let res = app.post(&format!("/api/v1/customers/{cid}/activities"), &rep.token, json!({"kind": "call"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let aid = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    assert_eq!(app.delete(&format!("/api/v1/activities/{aid}"), &rep.token).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("/api/v1/deals/{did}"), &rep.token).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("/api/v1/customers/{cid}"), &rep.token).await.status(), StatusCode::NO_CONTENT);
    // Archiving again changes nothing, so it adds nothing.
    assert_eq!(app.delete(&format!("/api/v1/customers/{cid}"), &rep.token).await.status(), StatusCode::NO_CONTENT);

    let activity = one(&app, &admin, "activity.deleted", &aid).await;
    assert_by(&activity, &rep);
    assert_eq!(activity["target_type"], "activity");
    assert_eq!(activity["before"]["kind"], "call");
    let deal = one(&app, &admin, "deal.archived", &did).await;
    assert_by(&deal, &rep);
    assert_eq!(deal["before"]["title"], "Big one");
    assert!(deal["after"]["archived_at"].is_string());
    let archived = one(&app, &admin, "customer.archived", &cid).await;
    assert_by(&archived, &rep);
    assert_eq!(archived["target_type"], "customer");
    assert_eq!(archived["before"]["name"], "Acme");
}

#[tokio::test]
async fn people_teams_keys_reassignment_and_deactivation_are_audited() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;

    let res = app.post("/api/v1/teams", &admin.token, json!({"name": "North"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let tid = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let res = app.patch(&format!("/api/v1/teams/{tid}"), &admin.token, json!({"name": "North-East"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let on_team = find(&app, &admin, "settings.changed", Some(&tid)).await;
    assert_eq!(on_team.len(), 2);
    assert_eq!(on_team[0]["before"], json!({"name": "North"}));
    assert_eq!(on_team[0]["after"], json!({"name": "North-East"}));

    let body = json!({"email": "sam@example.com", "name": "Sam", "role": "rep", "password": "a long enough password"});
    let res = app.post("/api/v1/users", &admin.token, body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let sam_id = res.json::<Value>().await.unwrap()["user"]["id"].as_str().unwrap().to_owned();
    let created = one(&app, &admin, "user.created", &sam_id).await;
    assert_by(&created, &admin);
    assert_eq!(created["after"]["role"], "rep");

    let res = app.patch(&format!("/api/v1/users/{sam_id}"), &admin.token, json!({"role": "manager"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let promoted = one(&app, &admin, "user.role_changed", &sam_id).await;
    assert_by(&promoted, &admin);
    assert_eq!((&promoted["before"]["role"], &promoted["after"]["role"]), (&json!("rep"), &json!("manager")));
    assert!(find(&app, &admin, "user.updated", Some(&sam_id)).await.is_empty(), "only the role changed");
    let res = app.patch(&format!("/api/v1/users/{sam_id}"), &admin.token, json!({"name": "Samuel"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let renamed = one(&app, &admin, "user.updated", &sam_id).await;
    assert_eq!(renamed["after"], json!({"name": "Samuel"}));

    let sam = app.login("sam@example.com", "a long enough password").await;
    let res = app.post("/api/v1/api-keys", &sam.token, json!({"name": "ERP", "scope": "write"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let kid = created["key"]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.delete(&format!("/api/v1/api-keys/{kid}"), &sam.token).await.status(), StatusCode::NO_CONTENT);
    let issued = one(&app, &admin, "api_key.created", &kid).await;
    assert_by(&issued, &sam);
    assert_eq!(issued["after"]["scope"], "write");
    let secret = created["secret"].as_str().unwrap();
    assert!(!issued.to_string().contains(secret), "the secret never reaches the log");
    assert_by(&one(&app, &admin, "api_key.revoked", &kid).await, &sam);

    let customer = app.customer(&sam, json!({"kind": "company", "name": "Acme"})).await;
    let cid = customer["id"].as_str().unwrap().to_owned();
    let body = json!({"customer_ids": [cid], "owner_id": admin.user_id});
    assert_eq!(app.post("/api/v1/customers/reassign", &admin.token, body).await.status(), StatusCode::OK);
    let reassigned = one(&app, &admin, "customers.reassigned", &admin.user_id.to_string()).await;
    assert_by(&reassigned, &admin);
    assert_eq!(reassigned["before"]["owners"][&cid], sam_id.as_str());
    assert_eq!(reassigned["after"]["customers"], 1);

    let path = format!("/api/v1/users/{sam_id}/deactivate");
    let res = app.post(&path, &admin.token, json!({"handover_to": admin.user_id})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let gone = one(&app, &admin, "user.deactivated", &sam_id).await;
    assert_by(&gone, &admin);
    assert_eq!(gone["after"]["active"], false);
    assert_eq!(gone["after"]["handover_to"], json!([admin.user_id]));
}

#[tokio::test]
async fn only_admins_read_the_log_and_only_their_own_org() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let manager = app.user(admin.org_id, Role::Manager).await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    for who in [&manager, &rep] {
        assert_error(app.get("/api/v1/audit", &who.token).await, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let res = app.request(Method::GET, "/api/v1/audit", None, None).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    let other = app.other_org_admin().await;
    let mine = entries(&app, &admin, "").await;
    let theirs = entries(&app, &other, "").await;
    assert!(!mine.is_empty() && !theirs.is_empty());
    let ids = |list: &[Value]| list.iter().map(|e| e["id"].clone()).collect::<Vec<_>>();
    let mine_ids = ids(&mine);
    assert!(ids(&theirs).iter().all(|id| !mine_ids.contains(id)), "no entry of one org is visible to the other");
    let our_users = [admin.user_id, manager.user_id, rep.user_id].map(|id| json!(id.to_string()));
    assert!(theirs.iter().all(|e| !our_users.contains(&e["target_id"]) && !our_users.contains(&e["actor"]["id"])));
    // Filtering by another org's record finds nothing either.
    assert!(entries(&app, &other, &format!("&target_id={}", rep.user_id)).await.is_empty());
}

#[tokio::test]
async fn the_log_filters_and_pages_newest_first() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    for _ in 0..3 {
        app.login(&rep.email, PASSWORD).await;
    }

    let all = entries(&app, &admin, "").await;
    let times: Vec<&str> = all.iter().map(|e| e["occurred_at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");

    let by_rep = entries(&app, &admin, &format!("&actor_id={}", rep.user_id)).await;
    assert_eq!(by_rep.len(), 4, "one login by `user()` and three more");
    assert!(by_rep.iter().all(|e| e["action"] == "login.succeeded"));
    let about_rep = entries(&app, &admin, &format!("&target_id={}", rep.user_id)).await;
    assert_eq!(about_rep.len(), 4);

    // Pages of one entry each walk the same list, without repeats or gaps.
    let mut walked = Vec::new();
    let mut path = "/api/v1/audit?limit=1".to_owned();
    loop {
        let page: Value = app.get(&path, &admin.token).await.json().await.unwrap();
        assert!(page["items"].as_array().unwrap().len() <= 1);
        walked.extend(page["items"].as_array().unwrap().iter().map(|e| e["id"].clone()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/audit?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(walked, all.iter().map(|e| e["id"].clone()).collect::<Vec<_>>());

    // A time window: everything from the second-oldest rep login on, before the newest.
    let from = by_rep[2]["occurred_at"].as_str().unwrap();
    let to = by_rep[0]["occurred_at"].as_str().unwrap();
    let window =
        entries(&app, &admin, &format!("&actor_id={}&from={}&to={}", rep.user_id, urlencode(from), urlencode(to)))
            .await;
    assert_eq!(
        window.iter().map(|e| e["id"].clone()).collect::<Vec<_>>(),
        vec![by_rep[1]["id"].clone(), by_rep[2]["id"].clone()]
    );

    let res = app.get("/api/v1/audit?action=coffee.made", &admin.token).await;
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    let res = app.get("/api/v1/audit?cursor=garbage", &admin.token).await;
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn the_api_offers_no_way_to_change_or_delete_an_entry() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let before = entries(&app, &admin, "").await;
    let id = before[0]["id"].as_str().unwrap().to_owned();
    let body = json!({"action": "export", "actor_id": null, "before": null, "after": null});

    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        for path in ["/api/v1/audit".to_owned(), format!("/api/v1/audit/{id}")] {
            let res = app.request(method.clone(), &path, Some(&admin.token), Some(body.clone())).await;
            assert!(
                matches!(res.status(), StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED),
                "{method} {path}: {}",
                res.status()
            );
        }
    }
    let res = app.get(&format!("/api/v1/audit/{id}"), &admin.token).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(entries(&app, &admin, "").await, before, "the log is unchanged");
}

/// Signs `who` in again and returns their browser session (cookies, CSRF token).
async fn cookie_session(app: &TestApp, who: &Login) -> (String, String) {
    let body = json!({"email": who.email, "password": PASSWORD});
    let res = app.request(Method::POST, "/api/v1/auth/login", None, Some(body)).await;
    assert_eq!(res.status(), StatusCode::OK);
    (cookie_header(&res), cookie_value(&res, "rapport_csrf"))
}

async fn session_post(app: &TestApp, path: &str, session: &(String, String)) -> reqwest::Response {
    app.client.post(app.url(path)).header(COOKIE, &session.0).header("X-CSRF-Token", &session.1).send().await.unwrap()
}

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

/// RFC 3339 times carry `+` and `:`, which a query string must escape.
fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}
