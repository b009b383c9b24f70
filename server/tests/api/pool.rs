//! The shared pool (recycling, claiming, limits, settings) and the duplicate guard.

use crate::helpers::{Login, TestApp, assert_error, spawn_app};
use chrono::{Duration, Utc};
use rapport_server::domain::scheduler;
use rapport_shared::auth::Role;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

async fn settings(app: &TestApp, admin: &Login, body: Value) {
    let res = app.patch("/api/v1/org/settings", &admin.token, body).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

async fn claim(app: &TestApp, who: &Login, id: &str) -> Response {
    app.post(&format!("/api/v1/customers/{id}/claim"), &who.token, json!({})).await
}

async fn ids(app: &TestApp, who: &Login, query: &str) -> Vec<String> {
    let list: Value = app.get(&format!("/api/v1/customers{query}"), &who.token).await.json().await.unwrap();
    list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

async fn events(app: &TestApp, who: &Login, id: &str, kind: &str) -> Vec<Value> {
    let path = format!("/api/v1/customers/{id}/timeline?kinds={kind}");
    let page: Value = app.get(&path, &who.token).await.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

/// A customer of `owner` that is in the pool: marked lost, then one pass.
async fn pooled_customer(app: &TestApp, owner: &Login, name: &str) -> String {
    let c = app.customer(owner, json!({"kind": "person", "name": name, "status": "lost"})).await;
    scheduler::run_pass(&app.db, Utc::now()).await.unwrap();
    let id = c["id"].as_str().unwrap().to_owned();
    let fetched: Value = app.get(&format!("/api/v1/customers/{id}"), &owner.token).await.json().await.unwrap();
    assert!(fetched["pooled_at"].is_string(), "{fetched}");
    id
}

#[tokio::test]
async fn each_duplicate_rule_answers_409_with_the_owner_and_without_contact_details() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let owner = app.user(admin.org_id, Role::Rep).await;
    let other = app.user(admin.org_id, Role::Rep).await;
    let existing = app
        .customer(
            &owner,
            json!({"kind": "company", "name": "Jade Dragon Tea Co., Ltd.", "phones": ["+86 138-0013-8000"],
                   "emails": ["Buy@JadeDragon.cn"], "address": "88 Tea Street"}),
        )
        .await;
    let expected = json!({
        "customer_id": existing["id"],
        "owner": {"id": owner.user_id.to_string(), "name": "rep user"},
        "in_pool": false,
    });

    for attempt in [
        json!({"kind": "person", "name": "Wang Fang", "phones": ["+86 13800138000"]}),
        json!({"kind": "person", "name": "Li Na", "emails": [" BUY@jadedragon.CN "]}),
        json!({"kind": "company", "name": "  jade dragon   TEA "}),
        json!({"kind": "company", "name": "Jade Dragon Tea Limited"}),
    ] {
        // The other rep cannot see the customer, and still learns that it exists and whose it is.
        let res = app.post("/api/v1/customers", &other.token, attempt.clone()).await;
        let text = res.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["code"], "duplicate_customer", "{attempt}: {body}");
        assert_eq!(body["error"]["details"], expected, "{attempt}");
        for secret in ["13800138000", "jadedragon", "Tea Street", "Jade Dragon"] {
            assert!(!text.to_lowercase().contains(&secret.to_lowercase()), "{secret} leaked: {text}");
        }
    }
    let res = app
        .post("/api/v1/customers", &other.token, json!({"kind": "person", "name": "Wang", "phones": ["8613800138000"]}))
        .await;
    assert_error(res, StatusCode::CONFLICT, "duplicate_customer").await;

    // Nothing was created: the org still has its one customer.
    assert_eq!(ids(&app, &admin, "").await, vec![existing["id"].as_str().unwrap().to_owned()]);
    assert!(ids(&app, &other, "").await.is_empty());

    // People may share a name; other companies and numbers are fine.
    for fine in [
        json!({"kind": "person", "name": "Jade Dragon Tea"}),
        json!({"kind": "company", "name": "Jade Dragon Teahouse", "phones": ["+86 13800138001"]}),
    ] {
        app.customer(&other, fine).await;
    }

    // An archived customer no longer blocks its keys.
    let path = format!("/api/v1/customers/{}", existing["id"].as_str().unwrap());
    assert_eq!(app.delete(&path, &owner.token).await.status(), StatusCode::NO_CONTENT);
    app.customer(&other, json!({"kind": "company", "name": "Jade Dragon Tea", "phones": ["+86 138 0013 8000"]})).await;
}

#[tokio::test]
async fn a_changed_phone_is_matched_by_its_new_value() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c = app.customer(&admin, json!({"kind": "person", "name": "Zhou", "phones": ["+44 20 7946 0000"]})).await;
    let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
    let res = app.patch(&path, &admin.token, json!({"phones": ["+44 20 7946 0999"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.customer(&admin, json!({"kind": "person", "name": "Zhao", "phones": ["+44 20 7946 0000"]})).await;
    let res = app
        .post(
            "/api/v1/customers",
            &admin.token,
            json!({"kind": "person", "name": "Qian", "phones": ["+44 20 7946 0999"]}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "duplicate_customer").await;
}

#[tokio::test]
async fn recycling_after_n_days_pools_the_customer_and_records_it_on_the_timeline() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let owner = app.user(admin.org_id, Role::Rep).await;
    let other = app.user(admin.org_id, Role::Rep).await;
    let c = app.customer(&owner, json!({"kind": "company", "name": "Quiet Ltd", "phones": ["+1 555 0100"]})).await;
    let id = c["id"].as_str().unwrap();

    // Without the setting nothing is pooled, however old.
    let report = scheduler::run_pass(&app.db, Utc::now() + Duration::days(365)).await.unwrap();
    assert_eq!(report.pooled, 0);

    settings(&app, &admin, json!({"pool_after_days": 30})).await;
    let early = scheduler::run_pass(&app.db, Utc::now() + Duration::days(29)).await.unwrap();
    assert_eq!(early.pooled, 0, "29 days untouched is not yet 30");
    assert!(ids(&app, &other, "?pool=true").await.is_empty());

    let later = Utc::now() + Duration::days(31);
    let report = scheduler::run_pass(&app.db, later).await.unwrap();
    assert_eq!(report.pooled, 1);
    let again = scheduler::run_pass(&app.db, later + Duration::minutes(1)).await.unwrap();
    assert_eq!(again.pooled, 0, "a pooled customer is pooled once");

    let pooled = events(&app, &owner, id, "customer_pooled").await;
    assert_eq!(pooled.len(), 1);
    let event = &pooled[0]["event"];
    assert_eq!(event["reason"], "untouched");
    assert_eq!(event["after_days"], 30);
    assert_eq!(event["previous_owner"]["id"], owner.user_id.to_string());
    assert_eq!(pooled[0]["actor"], Value::Null, "the system did it");

    // Everyone sees the pool; it is out of the owner's working list.
    assert_eq!(ids(&app, &other, "?pool=true").await, vec![id.to_owned()]);
    assert_eq!(ids(&app, &owner, "?pool=true").await, vec![id.to_owned()]);
    assert!(ids(&app, &owner, "").await.is_empty());
    let seen: Value = app.get(&format!("/api/v1/customers/{id}"), &other.token).await.json().await.unwrap();
    assert!(seen["pooled_at"].is_string());
    // …but only its owner's side changes it before a claim.
    let path = format!("/api/v1/customers/{id}");
    assert_error(app.patch(&path, &other.token, json!({"name": "Mine now"})).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    assert_error(app.delete(&path, &other.token).await, StatusCode::FORBIDDEN, "forbidden").await;

    // The duplicate guard says it is in the pool, without an owner.
    let res = app
        .post("/api/v1/customers", &other.token, json!({"kind": "person", "name": "Q", "phones": ["+15550100"]}))
        .await;
    let body = assert_error(res, StatusCode::CONFLICT, "duplicate_customer").await;
    assert_eq!(body["error"]["details"], json!({"customer_id": id, "owner": null, "in_pool": true}));
}

#[tokio::test]
async fn lost_customers_are_pooled_at_once_and_a_fresh_claim_is_not_recycled() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let owner = app.user(admin.org_id, Role::Rep).await;
    let other = app.user(admin.org_id, Role::Rep).await;
    settings(&app, &admin, json!({"pool_after_days": 30})).await;
    let id = pooled_customer(&app, &owner, "Gone Cold").await;
    let pooled = events(&app, &owner, &id, "customer_pooled").await;
    assert_eq!(pooled[0]["event"]["reason"], "lost");

    assert_eq!(claim(&app, &other, &id).await.status(), StatusCode::OK);
    // Still lost, but claimed a day ago: the claimer gets the org's 30 days.
    let report = scheduler::run_pass(&app.db, Utc::now() + Duration::days(1)).await.unwrap();
    assert_eq!(report.pooled, 0);
    let report = scheduler::run_pass(&app.db, Utc::now() + Duration::days(31)).await.unwrap();
    assert_eq!(report.pooled, 1);
}

#[tokio::test]
async fn two_claims_at_once_have_exactly_one_winner() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let owner = app.user(admin.org_id, Role::Rep).await;
    let a = app.user(admin.org_id, Role::Rep).await;
    let b = app.user(admin.org_id, Role::Rep).await;
    settings(&app, &admin, json!({"pool_after_days": 7})).await;

    for round in 0..3 {
        let id = pooled_customer(&app, &owner, &format!("Contested {round}")).await;
        let (ra, rb) = tokio::join!(claim(&app, &a, &id), claim(&app, &b, &id));
        let mut statuses = vec![ra.status(), rb.status()];
        statuses.sort();
        assert_eq!(statuses, vec![StatusCode::OK, StatusCode::CONFLICT], "round {round}");
        let (winner, loser, body) = if ra.status() == StatusCode::OK {
            (&a, rb, ra.json::<Value>().await.unwrap())
        } else {
            (&b, ra, rb.json::<Value>().await.unwrap())
        };
        assert_error(loser, StatusCode::CONFLICT, "conflict").await;
        assert_eq!(body["owner"]["id"], winner.user_id.to_string());
        assert_eq!(body["pooled_at"], Value::Null);

        let claimed = events(&app, winner, &id, "customer_claimed").await;
        assert_eq!(claimed.len(), 1, "one claim on the timeline");
        assert_eq!(claimed[0]["actor"]["id"], winner.user_id.to_string());
        assert_eq!(claimed[0]["event"]["from"]["id"], owner.user_id.to_string());
        assert_eq!(claimed[0]["event"]["to"]["id"], winner.user_id.to_string());
        assert!(ids(&app, winner, "").await.contains(&id));
        assert!(ids(&app, &a, "?pool=true").await.is_empty());
    }
    // Each claim is an ownership change in the audit log; the losers left none.
    let audit: Value = app.get("/api/v1/audit?action=customer.claimed", &admin.token).await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 3, "{audit}");
}

#[tokio::test]
async fn only_pool_customers_can_be_claimed() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let mine = app.customer(&rep, json!({"kind": "person", "name": "Mine"})).await;
    let theirs = app.customer(&admin, json!({"kind": "person", "name": "Theirs"})).await;
    assert_error(claim(&app, &rep, mine["id"].as_str().unwrap()).await, StatusCode::CONFLICT, "conflict").await;
    // A customer the rep cannot see does not exist for them.
    assert_error(claim(&app, &rep, theirs["id"].as_str().unwrap()).await, StatusCode::NOT_FOUND, "not_found").await;
    let stranger = app.other_org_admin().await;
    settings(&app, &admin, json!({"pool_after_days": 7})).await;
    let pooled = pooled_customer(&app, &rep, "Pooled").await;
    assert_error(claim(&app, &stranger, &pooled).await, StatusCode::NOT_FOUND, "not_found").await;
    assert!(ids(&app, &stranger, "?pool=true").await.is_empty(), "the pool is per org");
}

#[tokio::test]
async fn the_ownership_limit_and_the_daily_quota_refuse_a_claim_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    settings(&app, &admin, json!({"pool_after_days": 30, "max_owned_per_rep": 1})).await;
    app.customer(&rep, json!({"kind": "person", "name": "Already mine"})).await;
    let first = pooled_customer(&app, &admin, "First").await;

    let body = assert_error(claim(&app, &rep, &first).await, StatusCode::CONFLICT, "owned_limit_reached").await;
    assert_eq!(body["error"]["details"], json!({"limit": 1}));
    assert_eq!(ids(&app, &rep, "?pool=true").await, vec![first.clone()], "still in the pool");
    assert!(events(&app, &admin, &first, "customer_claimed").await.is_empty());

    settings(&app, &admin, json!({"max_owned_per_rep": null, "daily_claim_quota": 1})).await;
    assert_eq!(claim(&app, &rep, &first).await.status(), StatusCode::OK);
    let second = pooled_customer(&app, &admin, "Second").await;
    let res = claim(&app, &rep, &second).await;
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=24 * 3600).contains(&retry), "{retry}");
    let body = assert_error(res, StatusCode::TOO_MANY_REQUESTS, "claim_quota_exceeded").await;
    assert_eq!(body["error"]["details"], json!({"quota": 1}));
    assert!(ids(&app, &rep, "?pool=true").await.contains(&second), "still in the pool");
    // Someone else's quota is their own.
    let colleague = app.user(admin.org_id, Role::Rep).await;
    assert_eq!(claim(&app, &colleague, &second).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn everyone_reads_the_org_settings_and_only_admins_change_them() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let manager = app.user(admin.org_id, Role::Manager).await;
    let defaults =
        json!({"stale_after_days": 14, "pool_after_days": null, "max_owned_per_rep": null, "daily_claim_quota": null});
    let got: Value = app.get("/api/v1/org/settings", &rep.token).await.json().await.unwrap();
    assert_eq!(got, defaults);

    for who in [&rep, &manager] {
        let res = app.patch("/api/v1/org/settings", &who.token, json!({"pool_after_days": 5})).await;
        assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let res = app
        .patch(
            "/api/v1/org/settings",
            &admin.token,
            json!({"pool_after_days": 0, "daily_claim_quota": 5, "stale_after_days": 99999}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields = body["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("pool_after_days") && fields.contains_key("stale_after_days"), "{body}");
    let res = app.patch("/api/v1/org/settings", &admin.token, json!({"pool_days": 5})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let unchanged: Value = app.get("/api/v1/org/settings", &admin.token).await.json().await.unwrap();
    assert_eq!(unchanged, defaults, "a rejected patch changes nothing");

    settings(
        &app,
        &admin,
        json!({"stale_after_days": 10, "pool_after_days": 45, "max_owned_per_rep": 200, "daily_claim_quota": 5}),
    )
    .await;
    settings(&app, &admin, json!({"max_owned_per_rep": null})).await;
    let got: Value = app.get("/api/v1/org/settings", &manager.token).await.json().await.unwrap();
    assert_eq!(
        got,
        json!({"stale_after_days": 10, "pool_after_days": 45, "max_owned_per_rep": null, "daily_claim_quota": 5})
    );
    let stranger = app.other_org_admin().await;
    let theirs: Value = app.get("/api/v1/org/settings", &stranger.token).await.json().await.unwrap();
    assert_eq!(theirs, defaults, "settings are per org");
}
