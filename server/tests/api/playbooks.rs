use crate::helpers::{Login, TestApp, assert_error, spawn_app};
use rapport_shared::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn kinds(app: &TestApp, who: &Login, customer: &str) -> Vec<String> {
    let page: Value =
        app.get(&format!("/api/v1/customers/{customer}/timeline"), &who.token).await.json().await.unwrap();
    page["items"].as_array().unwrap().iter().map(|e| e["event"]["kind"].as_str().unwrap().to_owned()).collect()
}

async fn runs(app: &TestApp, who: &Login, customer: &str) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/customers/{customer}/playbooks"), &who.token).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn steps_json() -> Value {
    json!([
        {"day_offset": 0, "time": "09:00:00", "channel": "call", "title": "Intro call", "script": "Ask about their season"},
        {"day_offset": 2, "time": "10:30:00", "channel": "email", "title": "Send the brochure"},
        {"day_offset": 7, "channel": "visit", "title": "Visit the shop"}
    ])
}

fn statuses(run: &Value) -> Vec<&str> {
    run["steps"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_playbook_applied_by_hand_gives_the_owner_its_steps_and_stops_by_hand() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let res = app.patch("/api/v1/me", &rep.token, json!({"time_zone": "Europe/Berlin"})).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Only admins define playbooks; bad steps are refused field by field and change nothing.
    let res = app.post("/api/v1/playbooks", &rep.token, json!({"name": "Welcome", "steps": steps_json()})).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let bad = json!({"name": " ", "steps": [{"day_offset": 3, "channel": "call", "title": "A"}, {"day_offset": 1, "channel": "fax", "title": "B"}]});
    let res = app.post("/api/v1/playbooks", &admin.token, bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            "/api/v1/playbooks",
            &admin.token,
            json!({"name": "Welcome", "steps": [{"day_offset": 3, "channel": "call", "title": "A"}, {"day_offset": 1, "channel": "call", "title": ""}]}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields = &body["error"]["fields"];
    assert!(fields["steps[1].title"].is_string() && fields["steps[1].day_offset"].is_string(), "{body}");
    let none: Value = app.get("/api/v1/playbooks", &rep.token).await.json().await.unwrap();
    assert_eq!(none, json!([]));

    let res = app.post("/api/v1/playbooks", &admin.token, json!({"name": "Welcome", "steps": steps_json()})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let book: Value = res.json().await.unwrap();
    assert_eq!(book["steps"][2]["time"], "09:00:00", "time defaults to 9:00");
    let book_id = book["id"].as_str().unwrap();

    // The rep applies it to their customer: three reminders for them, in their zone.
    let customer = app.customer(&rep, json!({"kind": "company", "name": "Bakery Bloom"})).await;
    let cid = customer["id"].as_str().unwrap();
    let res =
        app.post(&format!("/api/v1/customers/{cid}/playbooks"), &rep.token, json!({"playbook_id": book_id})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let run: Value = res.json().await.unwrap();
    assert_eq!(run["status"], "active");
    assert_eq!(run["playbook_name"], "Welcome");
    assert_eq!(statuses(&run), ["open", "open", "open"]);
    assert_eq!(run["steps"][1]["channel"], "email");
    let mine: Value = app.get("/api/v1/reminders?assignee=me", &rep.token).await.json().await.unwrap();
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|r| r["source"] == "playbook" && r["customer"]["id"] == cid));
    let brochure = items.iter().find(|r| r["title"] == "Send the brochure").unwrap();
    let due: chrono::DateTime<chrono::Utc> = brochure["due_at"].as_str().unwrap().parse().unwrap();
    let local = due.with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!(local.format("%H:%M").to_string(), "10:30", "step time is the owner's local time");
    assert_eq!(items.iter().find(|r| r["title"] == "Intro call").unwrap()["note"], "Ask about their season");
    assert!(kinds(&app, &rep, cid).await.contains(&"playbook_started".to_owned()));

    // The same playbook cannot run twice at once; an unknown playbook is a field error.
    let res =
        app.post(&format!("/api/v1/customers/{cid}/playbooks"), &rep.token, json!({"playbook_id": book_id})).await;
    assert_error(res, StatusCode::CONFLICT, "conflict").await;
    let res = app
        .post(&format!("/api/v1/customers/{cid}/playbooks"), &rep.token, json!({"playbook_id": uuid::Uuid::now_v7()}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // Completing a step shows as progress.
    let first = run["steps"][0]["reminder_id"].as_str().unwrap();
    let res = app.patch(&format!("/api/v1/reminders/{first}"), &rep.token, json!({"status": "done"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let now = runs(&app, &rep, cid).await;
    assert_eq!(statuses(&now[0]), ["done", "open", "open"]);

    // Another rep can neither see nor stop the run.
    let other = app.user(admin.org_id, Role::Rep).await;
    let run_id = run["id"].as_str().unwrap();
    let res = app.post(&format!("/api/v1/playbook-runs/{run_id}/stop"), &other.token, json!({})).await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;

    // Stopping cancels what is left, once.
    let res = app.post(&format!("/api/v1/playbook-runs/{run_id}/stop"), &rep.token, json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let stopped: Value = res.json().await.unwrap();
    assert_eq!(stopped["status"], "stopped");
    assert_eq!(stopped["stop_reason"], "by_user");
    assert_eq!(statuses(&stopped), ["done", "cancelled", "cancelled"]);
    let again: Value =
        app.post(&format!("/api/v1/playbook-runs/{run_id}/stop"), &rep.token, json!({})).await.json().await.unwrap();
    assert_eq!(again["ended_at"], stopped["ended_at"], "stopping again changes nothing");
    let events = kinds(&app, &rep, cid).await;
    assert_eq!(events.iter().filter(|k| *k == "playbook_stopped").count(), 1);

    // Now it may run again; finishing every step completes it.
    let res =
        app.post(&format!("/api/v1/customers/{cid}/playbooks"), &rep.token, json!({"playbook_id": book_id})).await;
    let second: Value = res.json().await.unwrap();
    for step in second["steps"].as_array().unwrap() {
        let id = step["reminder_id"].as_str().unwrap();
        app.patch(&format!("/api/v1/reminders/{id}"), &rep.token, json!({"status": "done"})).await;
    }
    let all = runs(&app, &rep, cid).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["status"], "completed");

    // Archived playbooks are gone from the list and cannot be applied.
    assert_eq!(
        app.delete(&format!("/api/v1/playbooks/{book_id}"), &admin.token).await.status(),
        StatusCode::NO_CONTENT
    );
    let list: Value = app.get("/api/v1/playbooks", &admin.token).await.json().await.unwrap();
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn a_deal_entering_the_trigger_stage_starts_its_playbook_and_winning_stops_it() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let pipelines: Value = app.get("/api/v1/pipelines", &admin.token).await.json().await.unwrap();
    let stage = |name: &str| {
        pipelines[0]["stages"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let res = app
        .post(
            "/api/v1/playbooks",
            &admin.token,
            json!({"name": "Closing", "steps": steps_json(), "trigger_stage_id": stage("Won")}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app
        .post(
            "/api/v1/playbooks",
            &admin.token,
            json!({"name": "Proposal follow-up", "steps": steps_json(), "trigger_stage_id": stage("Proposal")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let cid = customer["id"].as_str().unwrap();
    let res = app.post("/api/v1/deals", &admin.token, json!({"customer_id": cid, "title": "Ovens"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let deal: Value = res.json().await.unwrap();
    let deal_id = deal["deal"]["id"].as_str().or(deal["id"].as_str()).unwrap().to_owned();
    assert!(runs(&app, &admin, cid).await.is_empty(), "the lead stage triggers nothing");

    let res =
        app.post(&format!("/api/v1/deals/{deal_id}/move"), &admin.token, json!({"stage_id": stage("Proposal")})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let started = runs(&app, &admin, cid).await;
    assert_eq!(started.len(), 1);
    assert_eq!(started[0]["deal_id"], deal_id.as_str());
    assert_eq!(statuses(&started[0]), ["open", "open", "open"]);
    let events = kinds(&app, &admin, cid).await;
    assert!(events.contains(&"playbook_started".to_owned()), "{events:?}");

    // Moving on and back does not start a second run while one is active.
    app.post(&format!("/api/v1/deals/{deal_id}/move"), &admin.token, json!({"stage_id": stage("Negotiation")})).await;
    app.post(&format!("/api/v1/deals/{deal_id}/move"), &admin.token, json!({"stage_id": stage("Proposal")})).await;
    assert_eq!(runs(&app, &admin, cid).await.len(), 1);

    // Winning the deal stops the run and cancels its open steps.
    let res = app
        .post(
            &format!("/api/v1/deals/{deal_id}/move"),
            &admin.token,
            json!({"stage_id": stage("Won"), "amount_minor": 500000}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let ended = runs(&app, &admin, cid).await;
    assert_eq!(ended[0]["status"], "stopped");
    assert_eq!(ended[0]["stop_reason"], "deal_won");
    assert_eq!(statuses(&ended[0]), ["cancelled", "cancelled", "cancelled"]);
    let open: Value = app.get("/api/v1/reminders?status=open", &admin.token).await.json().await.unwrap();
    assert_eq!(open["items"], json!([]));
}

#[tokio::test]
async fn the_calendar_feed_parses_as_icalendar_and_a_revoked_secret_is_gone() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme; Sons, Ltd"})).await;
    let cid = customer["id"].as_str().unwrap();
    for (title, due) in
        [("Call about the offer", "2030-01-10T09:00:00Z"), ("Visit, bring samples", "2030-01-11T14:00:00Z")]
    {
        let res =
            app.post("/api/v1/reminders", &admin.token, json!({"title": title, "due": due, "customer_id": cid})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    assert_eq!(feed_since(&app, &admin.token).await, Value::Null, "no feed yet");
    let res = app.post("/api/v1/me/calendar", &admin.token, json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let path = res.json::<Value>().await.unwrap()["path"].as_str().unwrap().to_owned();
    assert!(feed_since(&app, &admin.token).await.is_string(), "the feed is in use");

    // No login: the secret is the credential.
    let res = app.request(Method::GET, &path, None, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = res.text().await.unwrap();
    let mut parser = ical::IcalParser::new(text.as_bytes());
    let cal = parser.next().expect("one calendar").expect("parses as iCalendar");
    assert!(parser.next().is_none());
    let summaries: Vec<String> = cal
        .events
        .iter()
        .map(|e| e.properties.iter().find(|p| p.name == "SUMMARY").unwrap().value.clone().unwrap())
        .collect();
    assert_eq!(summaries, ["Call about the offer", "Visit\\, bring samples"]);
    let start = cal.events[0].properties.iter().find(|p| p.name == "DTSTART").unwrap();
    assert_eq!(start.value.as_deref(), Some("20300110T090000Z"));

    // A new feed revokes the old; revoking makes the URL 404.
    let res = app.post("/api/v1/me/calendar", &admin.token, json!({})).await;
    let fresh = res.json::<Value>().await.unwrap()["path"].as_str().unwrap().to_owned();
    assert_eq!(app.request(Method::GET, &path, None, None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.request(Method::GET, &fresh, None, None).await.status(), StatusCode::OK);
    assert_eq!(app.delete("/api/v1/me/calendar", &admin.token).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.request(Method::GET, &fresh, None, None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(feed_since(&app, &admin.token).await, Value::Null, "none after revoking");
    let guess = app.request(Method::GET, "/api/v1/calendar/not-a-secret", None, None).await;
    assert_eq!(guess.status(), StatusCode::NOT_FOUND);
}

/// When the caller's calendar feed was made (`null`: none).
async fn feed_since(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/me/calendar", token).await.json::<Value>().await.unwrap()["created_at"].clone()
}
