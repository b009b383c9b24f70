use crate::helpers::{Login, TestApp, assert_error, spawn_app};
use rapport_shared::auth::Role;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;

async fn timeline(app: &TestApp, who: &Login, customer: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/customers/{customer}/timeline{query}"), &who.token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Logs an activity as `who`, with a retry token when `key` is given.
async fn log_activity(app: &TestApp, who: &Login, customer: &str, body: Value, key: Option<&str>) -> Response {
    let mut req = app
        .client
        .post(app.url(&format!("/api/v1/customers/{customer}/activities")))
        .bearer_auth(&who.token)
        .json(&body);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    req.send().await.unwrap()
}

fn kinds(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|e| e["event"]["kind"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_change_writes_its_event_newest_first() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let c = app.customer(&admin, json!({"kind": "company", "name": "Acme", "status": "lead"})).await;
    let id = c["id"].as_str().unwrap();

    let res = app
        .patch(&format!("/api/v1/customers/{id}"), &admin.token, json!({"name": "Acme Ltd", "status": "prospect"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let contact: Value = app
        .post(&format!("/api/v1/customers/{id}/contacts"), &admin.token, json!({"name": "Li"}))
        .await
        .json()
        .await
        .unwrap();
    let contact_path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    assert_eq!(app.patch(&contact_path, &admin.token, json!({"title": "Buyer"})).await.status(), StatusCode::OK);
    let call: Value = app
        .post(
            &format!("/api/v1/customers/{id}/activities"),
            &admin.token,
            json!({"kind": "call", "outcome": "reached", "body": "Wants a quote"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let call_path = format!("/api/v1/activities/{}", call["id"].as_str().unwrap());
    assert_eq!(app.patch(&call_path, &admin.token, json!({"outcome": "interested"})).await.status(), StatusCode::OK);
    assert_eq!(app.delete(&call_path, &admin.token).await.status(), StatusCode::NO_CONTENT);
    let res = app.patch(&format!("/api/v1/customers/{id}"), &admin.token, json!({"owner_id": rep.user_id})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let page = timeline(&app, &admin, id, "").await;
    let mut seen = kinds(&page);
    seen.reverse();
    assert_eq!(
        seen,
        [
            "customer_created",
            "customer_updated",
            "contact_added",
            "contact_updated",
            "call",
            "activity_edited",
            "activity_deleted",
            "owner_changed"
        ]
    );
    let items = page["items"].as_array().unwrap();
    let updated = items.iter().find(|e| e["event"]["kind"] == "customer_updated").unwrap();
    assert_eq!(
        updated["event"]["changes"],
        json!([
            {"field": "name", "before": "Acme", "after": "Acme Ltd"},
            {"field": "status", "before": "lead", "after": "prospect"}
        ])
    );
    assert_eq!(updated["actor"]["name"], "Ada Admin");
    let owner = items.iter().find(|e| e["event"]["kind"] == "owner_changed").unwrap();
    assert_eq!(owner["event"]["to"]["id"], rep.user_id.to_string());
    let edited = items.iter().find(|e| e["event"]["kind"] == "activity_edited").unwrap();
    assert_eq!(edited["event"]["changes"][0]["after"], "interested");
    let logged = items.iter().find(|e| e["event"]["kind"] == "call").unwrap();
    assert_eq!(logged["event"]["body"], "Wants a quote");
}

#[tokio::test]
async fn a_rejected_change_leaves_no_event() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c = app.customer(&admin, json!({"kind": "person", "name": "A"})).await;
    let id = c["id"].as_str().unwrap();
    let bad_patch =
        app.patch(&format!("/api/v1/customers/{id}"), &admin.token, json!({"name": "", "status": "lost"})).await;
    assert_eq!(bad_patch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let foreign_contact = uuid::Uuid::now_v7();
    let bad_activity = app
        .post(
            &format!("/api/v1/customers/{id}/activities"),
            &admin.token,
            json!({"kind": "call", "contact_id": foreign_contact}),
        )
        .await;
    assert_error(bad_activity, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let future = app
        .post(
            &format!("/api/v1/customers/{id}/activities"),
            &admin.token,
            json!({"kind": "visit", "occurred_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert_error(future, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let unchanged = app.patch(&format!("/api/v1/customers/{id}"), &admin.token, json!({"name": "A"})).await;
    assert_eq!(unchanged.status(), StatusCode::OK);
    assert_eq!(
        kinds(&timeline(&app, &admin, id, "").await),
        ["customer_created"],
        "no-op patches write nothing either"
    );
}

#[tokio::test]
async fn paging_is_stable_when_events_share_a_timestamp() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c = app.customer(&admin, json!({"kind": "person", "name": "Busy"})).await;
    let id = c["id"].as_str().unwrap();
    for i in 0..7 {
        let body = json!({"kind": "note", "occurred_at": "2026-01-05T09:00:00Z", "body": format!("note {i}")});
        assert_eq!(app.post(&format!("/api/v1/customers/{id}/activities"), &admin.token, body).await.status(), 201);
    }
    let mut ids = Vec::new();
    let mut query = "?limit=3".to_owned();
    loop {
        let page = timeline(&app, &admin, id, &query).await;
        ids.extend(page["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), 8, "seven notes and the creation");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 8, "nothing repeated");
    let all = timeline(&app, &admin, id, "?limit=50").await;
    let all_ids: Vec<&str> = all["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, all_ids, "pages concatenate to the same order");
}

#[tokio::test]
async fn the_timeline_filters_by_kind_actor_and_time() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c = app.customer(&admin, json!({"kind": "person", "name": "F"})).await;
    let id = c["id"].as_str().unwrap();
    for (kind, at) in
        [("call", "2026-03-01T10:00:00Z"), ("visit", "2026-03-02T10:00:00Z"), ("note", "2026-03-03T10:00:00Z")]
    {
        let body = json!({"kind": kind, "occurred_at": at});
        assert_eq!(app.post(&format!("/api/v1/customers/{id}/activities"), &admin.token, body).await.status(), 201);
    }
    assert_eq!(kinds(&timeline(&app, &admin, id, "?kinds=call,visit").await), ["visit", "call"]);
    assert_eq!(kinds(&timeline(&app, &admin, id, "?kinds=note&after=2026-01-01T00:00:00Z").await), ["note"]);
    assert_eq!(kinds(&timeline(&app, &admin, id, "?before=2026-03-02T00:00:00Z").await), ["call"]);
    let by_admin = timeline(&app, &admin, id, &format!("?actor={}", admin.user_id)).await;
    assert_eq!(by_admin["items"].as_array().unwrap().len(), 4);
    let res = app.get(&format!("/api/v1/customers/{id}/timeline?kinds=teleport"), &admin.token).await;
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn a_retried_activity_with_the_same_key_is_created_once() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c = app.customer(&admin, json!({"kind": "person", "name": "Retry"})).await;
    let id = c["id"].as_str().unwrap();
    let send = |body: Value, key: &'static str| log_activity(&app, &admin, id, body, Some(key));
    let body = json!({"kind": "call", "occurred_at": "2026-02-01T08:00:00Z", "outcome": "no_answer"});
    let first: Value = send(body.clone(), "phone-entry-1").await.json().await.unwrap();
    let again = send(body.clone(), "phone-entry-1").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    assert_eq!(kinds(&timeline(&app, &admin, id, "?kinds=call").await), ["call"], "one call on the timeline");

    let other = send(json!({"kind": "visit"}), "phone-entry-1").await;
    assert_error(other, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let bad_key = send(body, "has spaces").await;
    assert_error(bad_key, StatusCode::BAD_REQUEST, "bad_request").await;
}

/// Activities sent at the same moment are written together (one
/// transaction per batch); each request is still answered on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activities_sent_together_are_each_answered_on_their_own() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let mine = app.customer(&rep, json!({"kind": "person", "name": "Mine"})).await;
    let theirs = app.customer(&admin, json!({"kind": "person", "name": "Theirs"})).await;
    let (mine, theirs) = (mine["id"].as_str().unwrap(), theirs["id"].as_str().unwrap());
    let keys: Vec<String> = (0..24).map(|n| format!("call-{n}")).collect();
    let call = |n: usize| json!({"kind": "call", "body": format!("call {n}")});
    let mut requests = Vec::new();
    for (n, key) in keys.iter().enumerate() {
        requests.push((201, log_activity(&app, &rep, mine, call(n), Some(key))));
    }
    for n in 0..4 {
        // The same retry token four times: one activity, four equal answers.
        requests.push((201, log_activity(&app, &rep, mine, call(100), Some("the-retried-one"))));
        requests.push((404, log_activity(&app, &rep, theirs, call(200 + n), None)));
        requests.push((201, log_activity(&app, &admin, theirs, call(300 + n), None)));
    }
    let (expected, sent): (Vec<u16>, Vec<_>) = requests.into_iter().unzip();
    let answers = futures_util::future::join_all(sent).await;
    let mut retried = HashSet::new();
    for (expected, res) in expected.into_iter().zip(answers) {
        assert_eq!(res.status().as_u16(), expected);
        let body: Value = res.json().await.unwrap();
        if body["body"] == "call 100" {
            retried.insert(body["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(retried.len(), 1, "every retry answered with the one activity");
    let calls = |page: Value| kinds(&page).iter().filter(|k| *k == "call").count();
    assert_eq!(calls(timeline(&app, &rep, mine, "?kinds=call&limit=100").await), 25);
    assert_eq!(calls(timeline(&app, &admin, theirs, "?kinds=call&limit=100").await), 4);
}

#[tokio::test]
async fn last_touch_follows_the_latest_live_activity() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let quiet = app.customer(&admin, json!({"kind": "person", "name": "Quiet"})).await;
    let busy = app.customer(&admin, json!({"kind": "person", "name": "Busy"})).await;
    let busy_id = busy["id"].as_str().unwrap();
    let later = chrono::Utc::now() + chrono::Duration::minutes(1);
    let call: Value = app
        .post(
            &format!("/api/v1/customers/{busy_id}/activities"),
            &admin.token,
            json!({"kind": "call", "occurred_at": later}),
        )
        .await
        .json()
        .await
        .unwrap();
    let fetched: Value = app.get(&format!("/api/v1/customers/{busy_id}"), &admin.token).await.json().await.unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(fetched["last_touch_at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(call["occurred_at"].as_str().unwrap()).unwrap()
    );
    let me: Value = app.get("/api/v1/me", &admin.token).await.json().await.unwrap();
    assert_eq!(call["author"]["name"], me["name"], "the author is answered with their name");
    // An activity logged after the fact never moves the last touch back.
    let earlier = chrono::Utc::now() - chrono::Duration::days(1);
    let res = app
        .post(
            &format!("/api/v1/customers/{busy_id}/activities"),
            &admin.token,
            json!({"kind": "visit", "occurred_at": earlier}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let again: Value = app.get(&format!("/api/v1/customers/{busy_id}"), &admin.token).await.json().await.unwrap();
    assert_eq!(again["last_touch_at"], fetched["last_touch_at"]);
    let order = |page: Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
    };
    let recent: Value = app.get("/api/v1/customers?sort=last_touch", &admin.token).await.json().await.unwrap();
    assert_eq!(order(recent), ["Busy", "Quiet"]);

    let waiting: Value = app.get("/api/v1/customers?untouched_days=0", &admin.token).await.json().await.unwrap();
    assert_eq!(order(waiting), ["Quiet"], "not contacted since now: only the quiet one");
    let none: Value = app.get("/api/v1/customers?untouched_days=30", &admin.token).await.json().await.unwrap();
    assert_eq!(order(none), Vec::<String>::new());

    let call_path = format!("/api/v1/activities/{}", call["id"].as_str().unwrap());
    assert_eq!(app.delete(&call_path, &admin.token).await.status(), StatusCode::NO_CONTENT);
    let fetched: Value = app.get(&format!("/api/v1/customers/{busy_id}"), &admin.token).await.json().await.unwrap();
    // The visit is the latest live activity, but it predates the customer.
    assert_eq!(fetched["last_touch_at"], fetched["created_at"], "back to its creation");
    assert_error(app.delete(&call_path, &admin.token).await, StatusCode::NOT_FOUND, "not_found").await;
    let _ = quiet;
}

#[tokio::test]
async fn other_owners_timelines_are_invisible_and_only_authors_or_admins_edit() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let other = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.other_org_admin().await;
    let c = app.customer(&rep, json!({"kind": "person", "name": "Rep's"})).await;
    let id = c["id"].as_str().unwrap();
    let note: Value = app
        .post(
            &format!("/api/v1/customers/{id}/activities"),
            &admin.token,
            json!({"kind": "note", "body": "from the admin"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let note_path = format!("/api/v1/activities/{}", note["id"].as_str().unwrap());

    for who in [&other, &outsider] {
        let res = app.get(&format!("/api/v1/customers/{id}/timeline"), &who.token).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
        let res = app.post(&format!("/api/v1/customers/{id}/activities"), &who.token, json!({"kind": "call"})).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
        assert_error(app.patch(&note_path, &who.token, json!({"body": "x"})).await, StatusCode::NOT_FOUND, "not_found")
            .await;
    }
    // The refused writes left nothing: one activity, and the last touch it set.
    let page = timeline(&app, &admin, id, "").await;
    assert_eq!(kinds(&page).iter().filter(|k| ["note", "call"].contains(&k.as_str())).count(), 1);
    let fetched: Value = app.get(&format!("/api/v1/customers/{id}"), &admin.token).await.json().await.unwrap();
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(at(&fetched["last_touch_at"]), at(&note["occurred_at"]));
    // The owner sees the admin's note but may not rewrite it.
    let res = app.patch(&note_path, &rep.token, json!({"body": "rewritten"})).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_error(app.delete(&note_path, &rep.token).await, StatusCode::FORBIDDEN, "forbidden").await;
    let own: Value = app
        .post(&format!("/api/v1/customers/{id}/activities"), &rep.token, json!({"kind": "call"}))
        .await
        .json()
        .await
        .unwrap();
    let own_path = format!("/api/v1/activities/{}", own["id"].as_str().unwrap());
    assert_eq!(app.patch(&own_path, &rep.token, json!({"body": "fine"})).await.status(), StatusCode::OK);
    assert_eq!(app.patch(&own_path, &admin.token, json!({"body": "admin fix"})).await.status(), StatusCode::OK);
}
