use crate::helpers::{Login, TestApp, assert_error, spawn_app};
use rapport_server::domain::{Actor, customers};
use rapport_server::entity::{customer, timeline_event};
use rapport_shared::auth::Role;
use rapport_shared::customer::NewCustomer;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

async fn make_team(app: &TestApp, admin: &Login, name: &str) -> String {
    let res = app.post("/api/v1/teams", &admin.token, json!({"name": name})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn join(app: &TestApp, admin: &Login, who: &Login, team: &str) {
    let res = app.patch(&format!("/api/v1/users/{}", who.user_id), &admin.token, json!({"team_id": team})).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn names(app: &TestApp, who: &Login, path: &str) -> Vec<String> {
    let page: Value = app.get(path, &who.token).await.json().await.unwrap();
    let items = page.get("items").cloned().unwrap_or(page);
    let mut names: Vec<String> =
        items.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn admins_add_people_by_password_or_invitation_and_managers_see_their_team() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let east = make_team(&app, &admin, "East").await;
    let manager = app.user(admin.org_id, Role::Manager).await;
    let rep_in = app.user(admin.org_id, Role::Rep).await;
    let rep_out = app.user(admin.org_id, Role::Rep).await;
    join(&app, &admin, &manager, &east).await;
    join(&app, &admin, &rep_in, &east).await;
    app.customer(&rep_in, json!({"kind": "company", "name": "Inside Team Ltd"})).await;
    let outside = app.customer(&rep_out, json!({"kind": "company", "name": "Outside Team Ltd"})).await;

    // Visibility: the manager sees the team's customers, not the others'.
    assert_eq!(names(&app, &manager, "/api/v1/customers").await, ["Inside Team Ltd"]);
    let other = outside["id"].as_str().unwrap();
    assert_error(
        app.get(&format!("/api/v1/customers/{other}"), &manager.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(names(&app, &admin, "/api/v1/customers").await, ["Inside Team Ltd", "Outside Team Ltd"]);
    assert_eq!(names(&app, &rep_out, "/api/v1/customers").await, ["Outside Team Ltd"]);
    let people: Vec<String> = names(&app, &manager, "/api/v1/users").await;
    assert_eq!(people.len(), 2, "the manager and their rep: {people:?}");
    let teams: Value = app.get("/api/v1/teams", &rep_out.token).await.json().await.unwrap();
    assert_eq!(teams[0]["members"], 2);

    // Only admins add people; bad input changes nothing.
    let body = json!({"email": "new@example.com", "name": "New Rep", "role": "rep"});
    assert_error(app.post("/api/v1/users", &manager.token, body).await, StatusCode::FORBIDDEN, "forbidden").await;
    let bad = json!({"email": "nope", "name": "", "role": "rep", "password": "short"});
    let res = app.post("/api/v1/users", &admin.token, bad).await;
    let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(err["error"]["fields"]["email"].is_string() && err["error"]["fields"]["password"].is_string());
    let res = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({"email": "x@example.com", "name": "X", "role": "rep", "team_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // With a password the account works at once.
    let res = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({"email": "sam@example.com", "name": "Sam", "role": "rep", "team_id": east, "password": "a long enough password"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["invite_path"], Value::Null);
    assert_eq!(created["user"]["team_id"], east.as_str());
    app.login("sam@example.com", "a long enough password").await;
    let res = app
        .post("/api/v1/users", &admin.token, json!({"email": "SAM@example.com", "name": "Sam 2", "role": "rep"}))
        .await;
    assert_error(res, StatusCode::CONFLICT, "conflict").await;

    // A zone the admin mistypes is refused, on a new person and on a change.
    let res = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({"email": "zed@example.com", "name": "Zed", "role": "rep", "time_zone": "Asia/Shangai"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let sam = created["user"]["id"].as_str().unwrap().to_owned();
    let res = app.patch(&format!("/api/v1/users/{sam}"), &admin.token, json!({"time_zone": "Europe/Londn"})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.patch(&format!("/api/v1/users/{sam}"), &admin.token, json!({"time_zone": "Europe/London"})).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Without one, a one-time invitation link.
    let res = app
        .post("/api/v1/users", &admin.token, json!({"email": "ivy@example.com", "name": "Ivy", "role": "manager"}))
        .await;
    let invited: Value = res.json().await.unwrap();
    let token = invited["invite_path"].as_str().unwrap().trim_start_matches("/invite/").to_owned();
    let accept = |password: &str| json!({"token": token, "password": password, "time_zone": "Asia/Shanghai"});
    let res = app.request(Method::POST, "/api/v1/auth/accept-invite", None, Some(accept("short"))).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // A zone of the wrong shape, or of no zone, is refused and the invitation still works.
    for zone in ["Mars", "Asia/Shangai"] {
        let bad_zone = json!({"token": token, "password": "ivy's new password", "time_zone": zone});
        let res = app.request(Method::POST, "/api/v1/auth/accept-invite", None, Some(bad_zone)).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
    // The person's own zone (the browser's) replaces the default UTC.
    let res = app.request(Method::POST, "/api/v1/auth/accept-invite", None, Some(accept("ivy's new password"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["user"]["time_zone"], "Asia/Shanghai");
    let res = app.request(Method::POST, "/api/v1/auth/accept-invite", None, Some(accept("another password!"))).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    app.login("ivy@example.com", "ivy's new password").await;
    let audit: Value = app.get("/api/v1/audit?action=user.invite_accepted", &admin.token).await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");

    // The org keeps an admin.
    let res = app.patch(&format!("/api/v1/users/{}", admin.user_id), &admin.token, json!({"role": "rep"})).await;
    assert_error(res, StatusCode::CONFLICT, "conflict").await;
    let res = app.patch(&format!("/api/v1/users/{}", rep_out.user_id), &manager.token, json!({"role": "admin"})).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;

    // Another org's admin sees none of these people.
    let stranger = app.other_org_admin().await;
    let res = app.patch(&format!("/api/v1/users/{}", rep_in.user_id), &stranger.token, json!({"name": "Taken"})).await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(names(&app, &stranger, "/api/v1/users").await.len(), 1);
}

#[tokio::test]
async fn deactivating_hands_everything_over_and_ends_access_at_once() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let leaving = app.user(admin.org_id, Role::Rep).await;
    let receiver = app.user(admin.org_id, Role::Rep).await;
    let customer = app.customer(&leaving, json!({"kind": "company", "name": "Handover Foods"})).await;
    let cid = customer["id"].as_str().unwrap();
    let res = app.post("/api/v1/deals", &leaving.token, json!({"customer_id": cid, "title": "Spring order"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for body in [
        json!({"title": "Call about the order", "due": "2030-05-01T09:00:00Z", "customer_id": cid}),
        json!({"title": "Prepare the trade fair", "due": "2030-05-02T09:00:00Z"}),
    ] {
        assert_eq!(app.post("/api/v1/reminders", &leaving.token, body).await.status(), StatusCode::CREATED);
    }
    let book = json!({"name": "Welcome", "steps": [{"day_offset": 1, "channel": "call", "title": "Welcome call"}]});
    let book: Value = app.post("/api/v1/playbooks", &admin.token, book).await.json().await.unwrap();
    let res = app
        .post(&format!("/api/v1/customers/{cid}/playbooks"), &leaving.token, json!({"playbook_id": book["id"]}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let key: Value = app
        .post("/api/v1/api-keys", &leaving.token, json!({"name": "ERP", "scope": "write"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = key["secret"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/customers", &secret).await.status(), StatusCode::OK);

    // Bad requests change nothing.
    let path = format!("/api/v1/users/{}/deactivate", leaving.user_id);
    assert_error(app.post(&path, &admin.token, json!({})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        .await;
    let res = app.post(&path, &admin.token, json!({"handover": "round_robin"})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await; // no team to spread over
    let res = app.post(&path, &receiver.token, json!({"handover_to": receiver.user_id})).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(app.get("/api/v1/me", &leaving.token).await.status(), StatusCode::OK);

    let res = app.post(&path, &admin.token, json!({"handover_to": receiver.user_id})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved, json!({"customers": 1, "deals": 1, "reminders": 3}));

    // Their access ends with the next request: session and API key alike.
    assert_error(app.get("/api/v1/me", &leaving.token).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_error(app.get("/api/v1/customers", &secret).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": leaving.email, "password": crate::helpers::PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The receiver has it all, and the timeline says so.
    assert_eq!(names(&app, &receiver, "/api/v1/customers").await, ["Handover Foods"]);
    let deals: Value = app.get("/api/v1/deals", &receiver.token).await.json().await.unwrap();
    assert_eq!(deals["items"][0]["owner"]["id"], receiver.user_id.to_string());
    let reminders: Value =
        app.get("/api/v1/reminders?assignee=me&status=open", &receiver.token).await.json().await.unwrap();
    assert_eq!(reminders["items"].as_array().unwrap().len(), 3, "two reminders and the playbook's step");
    let timeline: Value =
        app.get(&format!("/api/v1/customers/{cid}/timeline"), &receiver.token).await.json().await.unwrap();
    let change = timeline["items"].as_array().unwrap().iter().find(|e| e["event"]["kind"] == "owner_changed").unwrap();
    assert_eq!(change["event"]["to"]["id"], receiver.user_id.to_string());
    let left: Value = app.get("/api/v1/reminders", &admin.token).await.json().await.unwrap();
    assert!(left["items"].as_array().unwrap().iter().all(|r| r["assignee"]["id"] != leaving.user_id.to_string()));
    let res = app.post(&path, &admin.token, json!({"handover_to": receiver.user_id})).await;
    assert_error(res, StatusCode::CONFLICT, "conflict").await;

    // Round robin within a team.
    let team = make_team(&app, &admin, "West").await;
    let a = app.user(admin.org_id, Role::Rep).await;
    let b = app.user(admin.org_id, Role::Rep).await;
    let c = app.user(admin.org_id, Role::Rep).await;
    for who in [&a, &b, &c] {
        join(&app, &admin, who, &team).await;
    }
    for i in 0..4 {
        app.customer(&a, json!({"kind": "person", "name": format!("Round Robin Person {i}")})).await;
    }
    let res = app
        .post(&format!("/api/v1/users/{}/deactivate", a.user_id), &admin.token, json!({"handover": "round_robin"}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["customers"], 4);
    assert_eq!(names(&app, &b, "/api/v1/customers").await.len(), 2);
    assert_eq!(names(&app, &c, "/api/v1/customers").await.len(), 2);
}

/// A handover goes by chunks of customers (500 a statement): one past two
/// chunks moves every customer once, with one timeline event each.
#[tokio::test]
async fn a_handover_of_more_than_a_chunk_moves_every_customer_once() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let leaving = app.user(admin.org_id, Role::Rep).await;
    let receiver = app.user(admin.org_id, Role::Rep).await;
    let actor = Actor {
        user_id: leaving.user_id,
        name: String::new(),
        org_id: leaving.org_id,
        role: Role::Rep,
        team_id: None,
        address: None,
    };
    for i in 0..1001 {
        let input: NewCustomer = serde_json::from_value(json!({"kind": "person", "name": format!("P{i:04}")})).unwrap();
        customers::create(&app.db, &actor, input).await.unwrap();
    }
    let path = format!("/api/v1/users/{}/deactivate", leaving.user_id);
    let res = app.post(&path, &admin.token, json!({"handover_to": receiver.user_id})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["customers"], 1001);
    let owned = |id| customer::Entity::find().filter(customer::Column::OwnerId.eq(id)).count(&app.db);
    assert_eq!((owned(receiver.user_id).await.unwrap(), owned(leaving.user_id).await.unwrap()), (1001, 0));
    let events = timeline_event::Entity::find()
        .filter(timeline_event::Column::Kind.eq("owner_changed"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(events, 1001);
}

#[tokio::test]
async fn api_keys_act_as_their_owner_read_only_or_read_write_until_revoked() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    app.customer(&admin, json!({"kind": "company", "name": "Admin's Own Co"})).await;
    app.customer(&rep, json!({"kind": "company", "name": "Rep's Own Co"})).await;
    let res = app.post("/api/v1/api-keys", &rep.token, json!({"name": " ", "scope": "read"})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let read: Value =
        app.post("/api/v1/api-keys", &rep.token, json!({"name": "BI", "scope": "read"})).await.json().await.unwrap();
    let write: Value =
        app.post("/api/v1/api-keys", &rep.token, json!({"name": "ERP", "scope": "write"})).await.json().await.unwrap();
    let (read_secret, write_secret) = (read["secret"].as_str().unwrap(), write["secret"].as_str().unwrap());
    assert!(read_secret.starts_with(read["key"]["prefix"].as_str().unwrap()));

    // Listed without secrets.
    let list: Value = app.get("/api/v1/api-keys", &rep.token).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains(read_secret));

    // The owner's visibility; read keys cannot write.
    assert_eq!(
        names(&app, &Login { token: read_secret.into(), ..rep.clone() }, "/api/v1/customers").await,
        ["Rep's Own Co"]
    );
    let body = json!({"kind": "company", "name": "Via Key Co"});
    assert_error(app.post("/api/v1/customers", read_secret, body.clone()).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    assert_eq!(app.post("/api/v1/customers", write_secret, body).await.status(), StatusCode::CREATED);
    let used: Value = app.get("/api/v1/api-keys", &rep.token).await.json().await.unwrap();
    assert!(used.as_array().unwrap().iter().all(|k| k["last_used_at"].is_string()));

    // Only its owner revokes it; then it is dead.
    let id = write["key"]["id"].as_str().unwrap();
    assert_error(app.delete(&format!("/api/v1/api-keys/{id}"), &admin.token).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_eq!(app.delete(&format!("/api/v1/api-keys/{id}"), &rep.token).await.status(), StatusCode::NO_CONTENT);
    assert_error(app.get("/api/v1/customers", write_secret).await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_error(app.get("/api/v1/customers", "rk_made_up").await, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn reassigning_moves_customers_within_what_the_actor_sees() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let team = make_team(&app, &admin, "North").await;
    let manager = app.user(admin.org_id, Role::Manager).await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.user(admin.org_id, Role::Rep).await;
    join(&app, &admin, &manager, &team).await;
    join(&app, &admin, &rep, &team).await;
    let mine = app.customer(&rep, json!({"kind": "company", "name": "Team Customer Co"})).await;
    let theirs = app.customer(&outsider, json!({"kind": "company", "name": "Elsewhere Co"})).await;
    let reassign = |ids: Vec<&Value>, owner: uuid::Uuid| json!({"customer_ids": ids.iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), "owner_id": owner});
    let res = app.post("/api/v1/customers/reassign", &rep.token, reassign(vec![&mine], rep.user_id)).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // Outside the manager's team: neither the receiver nor the customer exists for them.
    let res = app.post("/api/v1/customers/reassign", &manager.token, reassign(vec![&mine], outsider.user_id)).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res =
        app.post("/api/v1/customers/reassign", &manager.token, reassign(vec![&mine, &theirs], manager.user_id)).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(names(&app, &rep, "/api/v1/customers").await, ["Team Customer Co"], "nothing moved");

    let res = app.post("/api/v1/customers/reassign", &manager.token, reassign(vec![&mine], manager.user_id)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(names(&app, &rep, "/api/v1/customers").await.is_empty());
    let moved: Value = app
        .get(&format!("/api/v1/customers/{}", mine["id"].as_str().unwrap()), &manager.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["owner"]["id"], manager.user_id.to_string());
}

#[tokio::test]
async fn the_team_dashboard_counts_what_each_rep_owns_and_did() {
    use chrono::{Duration, Utc};
    use rapport_server::entity::customer;
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let team = make_team(&app, &admin, "South").await;
    let manager = app.user(admin.org_id, Role::Manager).await;
    let busy = app.user(admin.org_id, Role::Rep).await;
    let quiet = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.user(admin.org_id, Role::Rep).await;
    for who in [&manager, &busy, &quiet] {
        join(&app, &admin, who, &team).await;
    }

    // Busy: 3 customers (one not contacted for 30 days), 3 activities this
    // week (2 calls, 1 visit) and 1 older one, 2 open reminders (1 overdue)
    // and 1 done, 3 open deals (2 in Lead, 1 in Proposal) and 1 lost.
    let mut ids = Vec::new();
    for name in ["Dash Alpha", "Dash Beta", "Dash Gamma"] {
        ids.push(
            app.customer(&busy, json!({"kind": "company", "name": name})).await["id"].as_str().unwrap().to_owned(),
        );
    }
    let old = customer::Entity::find_by_id(ids[2].parse::<uuid::Uuid>().unwrap()).one(&app.db).await.unwrap().unwrap();
    let mut model = old.into_active_model();
    model.last_touch_at = Set(Utc::now() - Duration::days(30));
    model.update(&app.db).await.unwrap();
    let log = |kind: &str, when: chrono::DateTime<Utc>| json!({"kind": kind, "occurred_at": when, "body": "x"});
    let path = format!("/api/v1/customers/{}/activities", ids[0]);
    for body in [
        log("call", Utc::now()),
        log("call", Utc::now()),
        log("visit", Utc::now()),
        log("call", Utc::now() - Duration::days(10)),
    ] {
        assert_eq!(app.post(&path, &busy.token, body).await.status(), StatusCode::CREATED);
    }
    let hour = Duration::hours(1);
    for due in [Utc::now() - hour, Utc::now() + Duration::days(3), Utc::now() + Duration::days(4)] {
        let r: Value = app
            .post("/api/v1/reminders", &busy.token, json!({"title": "Follow up", "due": due}))
            .await
            .json()
            .await
            .unwrap();
        if due > Utc::now() + Duration::days(3) + hour {
            app.patch(
                &format!("/api/v1/reminders/{}", r["id"].as_str().unwrap()),
                &busy.token,
                json!({"status": "done"}),
            )
            .await;
        }
    }
    let pipelines: Value = app.get("/api/v1/pipelines", &admin.token).await.json().await.unwrap();
    let stage = |name: &str| {
        pipelines[0]["stages"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].clone()
    };
    for (amount, target) in [(10_000, None), (20_000, None), (50_000, Some("Proposal")), (90_000, Some("Lost"))] {
        let d: Value = app
            .post("/api/v1/deals", &busy.token, json!({"customer_id": ids[1], "title": "D", "amount_minor": amount}))
            .await
            .json()
            .await
            .unwrap();
        if let Some(t) = target {
            let body = json!({"stage_id": stage(t), "lost_reason": "Price"});
            let res =
                app.post(&format!("/api/v1/deals/{}/move", d["deal"]["id"].as_str().unwrap()), &busy.token, body).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    }
    // Archived and pooled, untouched for a month: neither owned nor waiting.
    for name in ["Dash Archived", "Dash Pooled"] {
        let id: uuid::Uuid = app.customer(&busy, json!({"kind": "company", "name": name})).await["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let mut model = customer::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().into_active_model();
        model.last_touch_at = Set(Utc::now() - Duration::days(30));
        if name == "Dash Archived" {
            model.archived_at = Set(Some(Utc::now()));
        } else {
            model.pooled_at = Set(Some(Utc::now()));
        }
        model.update(&app.db).await.unwrap();
    }
    app.customer(&quiet, json!({"kind": "person", "name": "Quiet Person"})).await;
    app.customer(&outsider, json!({"kind": "person", "name": "Outsider Person"})).await;

    assert_error(app.get("/api/v1/team/dashboard", &busy.token).await, StatusCode::FORBIDDEN, "forbidden").await;
    let board: Value = app.get("/api/v1/team/dashboard", &manager.token).await.json().await.unwrap();
    let reps = board["reps"].as_array().unwrap();
    assert_eq!(reps.len(), 3, "the manager and their two reps, not the outsider");
    let row = |who: &Login| reps.iter().find(|r| r["user"]["id"] == who.user_id.to_string()).unwrap().clone();
    let b = row(&busy);
    assert_eq!(b["customers"], 3);
    assert_eq!(b["not_contacted"], 1);
    assert_eq!(b["activities_this_week"], json!({"call": 2, "visit": 1}));
    assert_eq!(b["open_reminders"], 2);
    assert_eq!(b["overdue_reminders"], 1);
    assert_eq!(b["open_deal_amount_minor"], 80_000);
    let by_stage: Vec<(String, u64)> = b["deals_by_stage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stage"].as_str().unwrap().to_owned(), s["count"].as_u64().unwrap()))
        .collect();
    assert!(
        by_stage.contains(&("Lead".into(), 2)) && by_stage.contains(&("Proposal".into(), 1)) && by_stage.len() == 2,
        "{by_stage:?}"
    );
    assert!(b["last_activity_at"].is_string());
    let q = row(&quiet);
    assert_eq!((q["customers"].as_u64(), q["open_reminders"].as_u64()), (Some(1), Some(0)));
    assert_eq!(q["last_activity_at"], Value::Null);
    // The admin sees everyone, the outsider too.
    let all: Value = app.get("/api/v1/team/dashboard", &admin.token).await.json().await.unwrap();
    assert_eq!(all["reps"].as_array().unwrap().len(), 5);
}
