use crate::helpers::{Login, TestApp, assert_error, spawn_app, spawn_app_with};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rapport_server::domain::scheduler;
use rapport_server::entity::{notification, user};
use rapport_shared::auth::Role;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};

async fn set_zone(app: &TestApp, who: &Login, tz: &str) {
    let res = app.patch("/api/v1/me", &who.token, json!({"time_zone": tz})).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn create(app: &TestApp, who: &Login, body: Value) -> Value {
    let res = app.post("/api/v1/reminders", &who.token, body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn kinds(app: &TestApp, who: &Login, customer: &str) -> Vec<String> {
    let page: Value =
        app.get(&format!("/api/v1/customers/{customer}/timeline"), &who.token).await.json().await.unwrap();
    page["items"].as_array().unwrap().iter().map(|e| e["event"]["kind"].as_str().unwrap().to_owned()).collect()
}

async fn notifications(app: &TestApp, who: &Login) -> Vec<Value> {
    let page: Value = app.get("/api/v1/notifications?limit=200", &who.token).await.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_wall_clock_due_time_may_leave_out_the_seconds_as_documented() {
    // The OpenAPI example (and a `datetime-local` input) is `2026-11-23T09:00`.
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    set_zone(&app, &admin, "Asia/Shanghai").await;
    let r = create(&app, &admin, json!({"title": "Call back", "due": "2030-03-01T09:00"})).await;
    assert_eq!(r["due_at"], "2030-03-01T01:00:00Z");
    let res = app
        .patch(
            &format!("/api/v1/reminders/{}", r["id"].as_str().unwrap()),
            &admin.token,
            json!({"due": "2030-03-02T10:30"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["due_at"], "2030-03-02T02:30:00Z");
}

#[tokio::test]
async fn local_due_times_follow_the_assignees_zone_and_land_on_the_timeline() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    set_zone(&app, &admin, "Asia/Shanghai").await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let cid = customer["id"].as_str().unwrap();
    let r = create(&app, &admin, json!({"title": "Call back", "due": "2030-03-01T09:00:00", "customer_id": cid})).await;
    assert_eq!(r["due_at"], "2030-03-01T01:00:00Z", "09:00 in Shanghai is 01:00 UTC");
    assert_eq!(r["status"], "open");
    assert_eq!(r["customer"]["name"], "Acme");
    assert!(kinds(&app, &admin, cid).await.contains(&"reminder_created".to_owned()));

    // Bad input changes nothing.
    for bad in [
        json!({"title": "", "due": "2030-03-01T09:00:00"}),
        json!({"title": "x", "due": "tomorrow"}),
        json!({"title": "x", "due": "2030-03-01T09:00:00Z", "recurrence": {"repeat": {"freq": "monthly", "day": 40}}}),
        json!({"title": "x", "due": "2030-03-01T09:00:00Z", "customer_id": uuid::Uuid::now_v7()}),
        json!({"title": "x", "due": "2030-03-01T09:00:00Z", "org_id": uuid::Uuid::now_v7()}),
    ] {
        let res = app.post("/api/v1/reminders", &admin.token, bad).await;
        assert!(res.status() == StatusCode::UNPROCESSABLE_ENTITY || res.status() == StatusCode::BAD_REQUEST);
    }
    let all: Value = app.get("/api/v1/reminders", &admin.token).await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    // Reps see only their own; another org sees nothing.
    let rep = app.user(admin.org_id, Role::Rep).await;
    let id = r["id"].as_str().unwrap();
    assert_error(app.get(&format!("/api/v1/reminders/{id}"), &rep.token).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    let res = app
        .post(
            "/api/v1/reminders",
            &rep.token,
            json!({"title": "x", "due": "2030-03-01T09:00:00Z", "assignee_id": admin.user_id}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn the_scheduler_announces_due_then_overdue_exactly_once() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    set_zone(&app, &admin, "Europe/Berlin").await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let cid = customer["id"].as_str().unwrap();
    let r =
        create(&app, &admin, json!({"title": "Send offer", "due": "2030-06-10T09:00:00Z", "customer_id": cid})).await;

    let before = scheduler::run_pass(&app.db, at("2030-06-10T08:59:59Z")).await.unwrap();
    assert_eq!((before.due, before.overdue), (0, 0), "not yet due");
    let due = scheduler::run_pass(&app.db, at("2030-06-10T09:00:00Z")).await.unwrap();
    assert_eq!(due.due, 1);
    assert_eq!(due.pushed[0].notification.title, "Send offer");
    // A repeated pass (a retry, or after a restart) announces nothing new.
    let again = scheduler::run_pass(&app.db, at("2030-06-10T09:00:05Z")).await.unwrap();
    assert_eq!((again.due, again.overdue), (0, 0));
    // Overdue once its local day (Berlin, UTC+2 in June) has ended.
    let late = scheduler::run_pass(&app.db, at("2030-06-10T21:59:00Z")).await.unwrap();
    assert_eq!(late.overdue, 0, "still the same local day");
    let overdue = scheduler::run_pass(&app.db, at("2030-06-10T22:00:00Z")).await.unwrap();
    assert_eq!(overdue.overdue, 1);
    assert!(kinds(&app, &admin, cid).await.contains(&"reminder_overdue".to_owned()));

    // Snoozing re-arms: a new due notification when the snooze ends.
    let id = r["id"].as_str().unwrap();
    let until = at("2030-06-11T09:00:00Z");
    let res = app.patch(&format!("/api/v1/reminders/{id}"), &admin.token, json!({"snoozed_until": until})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(kinds(&app, &admin, cid).await.contains(&"reminder_snoozed".to_owned()));
    let early = scheduler::run_pass(&app.db, until - Duration::minutes(1)).await.unwrap();
    assert_eq!(early.due, 0);
    let woke = scheduler::run_pass(&app.db, until + Duration::seconds(1)).await.unwrap();
    assert_eq!(woke.due, 1);
    let kinds_sent: Vec<String> =
        notifications(&app, &admin).await.iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds_sent.iter().filter(|k| *k == "reminder_due").count(), 2, "{kinds_sent:?}");
    assert_eq!(kinds_sent.iter().filter(|k| *k == "reminder_overdue").count(), 1);

    // Notifications: read one, then all.
    let list = notifications(&app, &admin).await;
    let first = list[0]["id"].as_str().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/notifications/{first}/read"), &admin.token, json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    let counts: Value = app.get("/api/v1/reminders/counts", &admin.token).await.json().await.unwrap();
    assert_eq!(counts["unread_notifications"], list.len() - 1);
    app.post("/api/v1/notifications/read-all", &admin.token, json!({})).await;
    let counts: Value = app.get("/api/v1/reminders/counts", &admin.token).await.json().await.unwrap();
    assert_eq!(counts["unread_notifications"], 0);
    let outsider = app.other_org_admin().await;
    let res = app.post(&format!("/api/v1/notifications/{first}/read"), &outsider.token, json!({})).await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn completing_logs_the_activity_and_a_recurring_reminder_comes_back_at_the_same_local_time() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    set_zone(&app, &admin, "Europe/Berlin").await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let cid = customer["id"].as_str().unwrap();
    // Monthly on the 31st from January, 09:00 Berlin; DST starts on 28 March 2027.
    let r = create(
        &app,
        &admin,
        json!({"title": "Monthly check-in", "due": "2027-01-31T09:00:00", "customer_id": cid,
               "recurrence": {"repeat": {"freq": "monthly", "day": 31}, "count": 3}}),
    )
    .await;
    let mut id = r["id"].as_str().unwrap().to_owned();
    let mut dues = vec![r["due_at"].as_str().unwrap().to_owned()];
    for _ in 0..3 {
        let res = app
            .patch(
                &format!("/api/v1/reminders/{id}"),
                &admin.token,
                json!({"status": "done", "log_activity": {"kind": "call", "body": "Checked in"}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        let open: Value = app.get("/api/v1/reminders?status=open", &admin.token).await.json().await.unwrap();
        match open["items"].as_array().unwrap().first() {
            Some(next) => {
                id = next["id"].as_str().unwrap().to_owned();
                dues.push(next["due_at"].as_str().unwrap().to_owned());
            }
            None => break,
        }
    }
    assert_eq!(dues, ["2027-01-31T08:00:00Z", "2027-02-28T08:00:00Z", "2027-03-31T07:00:00Z"]);
    let kinds = kinds(&app, &admin, cid).await;
    assert_eq!(kinds.iter().filter(|k| *k == "call").count(), 3, "each completion logged its call");
    assert_eq!(kinds.iter().filter(|k| *k == "reminder_completed").count(), 3);

    // log_activity without completing is refused and changes nothing.
    let r = create(&app, &admin, json!({"title": "x", "due": "2030-01-01T09:00:00Z", "customer_id": cid})).await;
    let rid = r["id"].as_str().unwrap();
    let res =
        app.patch(&format!("/api/v1/reminders/{rid}"), &admin.token, json!({"log_activity": {"kind": "call"}})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let still: Value = app.get(&format!("/api/v1/reminders/{rid}"), &admin.token).await.json().await.unwrap();
    assert_eq!(still["status"], "open");
}

#[tokio::test]
async fn an_activitys_follow_up_becomes_a_reminder_for_the_owner() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let customer = app.customer(&rep, json!({"kind": "company", "name": "Acme"})).await;
    let cid = customer["id"].as_str().unwrap();
    let follow = (Utc::now() + Duration::days(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let res = app
        .post(
            &format!("/api/v1/customers/{cid}/activities"),
            &rep.token,
            json!({"kind": "call", "next_follow_up_at": follow}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let activity: Value = res.json().await.unwrap();
    let mine: Value = app.get("/api/v1/reminders?assignee=me", &rep.token).await.json().await.unwrap();
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["source"], "follow_up");
    assert_eq!(items[0]["due_at"], follow);
    // Clearing the follow-up cancels its reminder.
    let aid = activity["id"].as_str().unwrap();
    let res = app.patch(&format!("/api/v1/activities/{aid}"), &rep.token, json!({"next_follow_up_at": null})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let open: Value = app.get("/api/v1/reminders?status=open", &rep.token).await.json().await.unwrap();
    assert!(open["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_daily_digest_comes_at_the_users_local_morning() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    set_zone(&app, &admin, "America/New_York").await;
    // Due at 15:00 New York on 10 June 2030; one overdue from the day before.
    create(&app, &admin, json!({"title": "Today", "due": "2030-06-10T15:00:00"})).await;
    create(&app, &admin, json!({"title": "Late", "due": "2030-06-09T15:00:00"})).await;
    // First pass schedules the digest for the next 08:00 New York (12:00 UTC).
    let first = scheduler::run_pass(&app.db, at("2030-06-10T03:00:00Z")).await.unwrap();
    assert_eq!(first.digests, 0);
    let u = user::Entity::find_by_id(admin.user_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(u.next_digest_at, Some(Utc.with_ymd_and_hms(2030, 6, 10, 12, 0, 0).unwrap()));
    let digest = scheduler::run_pass(&app.db, at("2030-06-10T12:00:30Z")).await.unwrap();
    assert_eq!(digest.digests, 1);
    let n = &digest.pushed.iter().find(|p| p.notification.kind.as_str() == "digest").unwrap().notification;
    assert_eq!(n.title, "Your day: 1 due today, 1 overdue");
    assert!(n.body.as_deref().unwrap().contains("not contacted for 14 days"));
    // Once a day: the next is tomorrow morning.
    let u = user::Entity::find_by_id(admin.user_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(u.next_digest_at, Some(Utc.with_ymd_and_hms(2030, 6, 11, 12, 0, 0).unwrap()));
    let mut model = u.into_active_model();
    model.next_digest_at = Set(Some(at("2030-06-10T12:00:00Z")));
    model.update(&app.db).await.unwrap();
    let same_day = scheduler::run_pass(&app.db, at("2030-06-10T12:01:00Z")).await.unwrap();
    assert_eq!(same_day.digests, 0, "the dedupe key holds one digest per local day");
}

#[tokio::test]
async fn two_schedulers_on_one_database_notify_each_due_reminder_once() {
    let app = spawn_app().await;
    if app.database_url.starts_with("sqlite") {
        // SQLite serves one process (documented); the race is PostgreSQL's.
        return;
    }
    let admin = app.setup_admin().await;
    for i in 0..120 {
        create(&app, &admin, json!({"title": format!("R{i}"), "due": "2030-01-01T09:00:00Z"})).await;
    }
    // A second connection pool stands for a second server process.
    let url = app.database_url.clone();
    let other = rapport_server::db::connect(&url).await.unwrap();
    let now = at("2030-01-01T09:00:01Z");
    let (a, b) = tokio::join!(scheduler::run_pass(&app.db, now), scheduler::run_pass(&other, now));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.due + b.due, 120, "each reminder announced once between the two");
    assert_eq!(notifications(&app, &admin).await.len(), 120);

    // Digests too: the first passes gave every user a digest time; when it
    // comes, the two processes write one digest per user between them.
    for _ in 0..5 {
        app.user(admin.org_id, Role::Rep).await;
    }
    let morning = at("2030-01-02T09:00:00Z");
    user::Entity::update_many()
        .col_expr(user::Column::NextDigestAt, sea_orm::sea_query::Expr::value(Some(morning)))
        .exec(&app.db)
        .await
        .unwrap();
    let (a, b) = tokio::join!(scheduler::run_pass(&app.db, morning), scheduler::run_pass(&other, morning));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.digests + b.digests, 6, "one digest per user between the two");
    let digests =
        notification::Entity::find().filter(notification::Column::Kind.eq("digest")).count(&app.db).await.unwrap();
    assert_eq!(digests, 6);
}

#[tokio::test]
async fn a_due_reminder_reaches_an_open_stream_and_a_reconnect_catches_up() {
    let app = spawn_app_with(|s| s.scheduler_interval_ms = 100).await;
    let admin = app.setup_admin().await;
    let mut stream =
        app.client.get(app.url("/api/v1/notifications/stream")).bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let due = Utc::now() + Duration::milliseconds(300);
    create(&app, &admin, json!({"title": "Ring Acme", "due": due})).await;
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !text.contains("Ring Acme") {
        let chunk =
            tokio::time::timeout_at(deadline, stream.chunk()).await.expect("pushed within 10 s").unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: notification"));
    let first_id = text.lines().find_map(|l| l.strip_prefix("id: ")).unwrap().to_owned();
    drop(stream);

    // Missed while disconnected: replayed after Last-Event-ID.
    create(&app, &admin, json!({"title": "Ring Beta", "due": Utc::now()})).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let mut again = app
        .client
        .get(app.url("/api/v1/notifications/stream"))
        .bearer_auth(&admin.token)
        .header("Last-Event-ID", first_id)
        .send()
        .await
        .unwrap();
    let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), again.chunk()).await.unwrap().unwrap().unwrap();
    assert!(String::from_utf8_lossy(&chunk).contains("Ring Beta"));
}

#[tokio::test]
async fn with_two_servers_on_postgresql_the_push_reaches_a_stream_on_either() {
    // Server A runs the scheduler; the user's browser is connected to server B.
    let a = spawn_app_with(|s| s.scheduler_interval_ms = 100).await;
    if a.database_url.starts_with("sqlite") {
        // SQLite serves one process (documented); LISTEN/NOTIFY is PostgreSQL's.
        return;
    }
    let b = crate::helpers::spawn_sibling(&a, |_| {}).await;
    let admin = a.setup_admin().await;
    let mut stream =
        b.client.get(b.url("/api/v1/notifications/stream")).bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    create(&a, &admin, json!({"title": "Call from the other server", "due": Utc::now() + Duration::milliseconds(300)}))
        .await;
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !text.contains("Call from the other server") {
        let chunk =
            tokio::time::timeout_at(deadline, stream.chunk()).await.expect("relayed within 10 s").unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert_eq!(text.matches("Call from the other server").count(), 1, "pushed once: {text}");
}
