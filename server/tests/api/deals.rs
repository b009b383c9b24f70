use crate::helpers::{Login, TestApp, assert_error, spawn_app};
use rapport_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn pipeline(app: &TestApp, who: &Login) -> Value {
    let list: Value = app.get("/api/v1/pipelines", &who.token).await.json().await.unwrap();
    list[0].clone()
}

fn stage(p: &Value, name: &str) -> String {
    p["stages"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].as_str().unwrap().to_owned()
}

async fn new_deal(app: &TestApp, who: &Login, customer: &Value, title: &str) -> Value {
    let res = app.post("/api/v1/deals", &who.token, json!({"customer_id": customer["id"], "title": title})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn move_to(app: &TestApp, who: &Login, deal: &str, body: Value) -> reqwest::Response {
    app.post(&format!("/api/v1/deals/{deal}/move"), &who.token, body).await
}

#[tokio::test]
async fn a_new_org_gets_the_default_pipeline() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let p = pipeline(&app, &admin).await;
    let names: Vec<&str> = p["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Lead", "Contacted", "Needs analysis", "Proposal", "Negotiation", "Won", "Lost"]);
    assert_eq!(p["stages"][5]["kind"], "won");
    assert_eq!(p["stages"][6]["kind"], "lost");
    assert_eq!(p["stages"][0]["probability"], 10);
}

#[tokio::test]
async fn only_admins_change_stages_and_a_stage_with_deals_stays() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let p = pipeline(&app, &admin).await;
    let pid = p["id"].as_str().unwrap();

    let res = app.post(&format!("/api/v1/pipelines/{pid}/stages"), &rep.token, json!({"name": "Demo"})).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .post(&format!("/api/v1/pipelines/{pid}/stages"), &admin.token, json!({"name": "Demo", "probability": 150}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app
        .post(&format!("/api/v1/pipelines/{pid}/stages"), &admin.token, json!({"name": "Demo", "probability": 50}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let demo: Value = res.json().await.unwrap();

    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let lead = stage(&p, "Lead");
    new_deal(&app, &admin, &customer, "Fleet order").await;
    let res = app.delete(&format!("/api/v1/stages/{lead}"), &admin.token).await;
    let body = assert_error(res, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(body["error"]["details"]["deals"], 1);
    assert_eq!(
        app.delete(&format!("/api/v1/stages/{}", demo["id"].as_str().unwrap()), &admin.token).await.status(),
        204
    );

    // Reorder: every stage exactly once.
    let mut ids: Vec<String> = pipeline(&app, &admin).await["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let res = app
        .post(&format!("/api/v1/pipelines/{pid}/stages/reorder"), &admin.token, json!({"stage_ids": ids[1..]}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    ids.swap(0, 1);
    let res =
        app.post(&format!("/api/v1/pipelines/{pid}/stages/reorder"), &admin.token, json!({"stage_ids": ids})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let reordered: Value = res.json().await.unwrap();
    assert_eq!(reordered["stages"][0]["name"], "Contacted");
    let res = app.patch(&format!("/api/v1/stages/{lead}"), &rep.token, json!({"name": "Hot lead"})).await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn moves_keep_a_history_and_land_on_the_customer_timeline() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let p = pipeline(&app, &admin).await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let created = new_deal(&app, &admin, &customer, "Fleet order").await;
    assert_eq!(created["deal"]["status"], "open");
    assert_eq!(created["deal"]["stage_id"], stage(&p, "Lead"));
    let id = created["deal"]["id"].as_str().unwrap();
    let cid = customer["id"].as_str().unwrap();
    let after: Value = app.get(&format!("/api/v1/customers/{cid}"), &admin.token).await.json().await.unwrap();
    assert_eq!(after["status"], "prospect", "a first deal makes a lead a prospect");

    let mut answered = Value::Null;
    for name in ["Contacted", "Proposal"] {
        let res = move_to(&app, &admin, id, json!({"stage_id": stage(&p, name)})).await;
        assert_eq!(res.status(), StatusCode::OK);
        answered = res.json().await.unwrap();
    }
    let detail: Value = app.get(&format!("/api/v1/deals/{id}"), &admin.token).await.json().await.unwrap();
    assert_eq!(answered, detail["deal"], "a move answers the deal as stored");
    let history = detail["history"].as_array().unwrap();
    let visited: Vec<&str> = history.iter().map(|v| v["stage_name"].as_str().unwrap()).collect();
    assert_eq!(visited, ["Lead", "Contacted", "Proposal"]);
    assert!(history[0]["left_at"].is_string() && history[2]["left_at"].is_null());
    assert!(history.iter().all(|v| v["duration_secs"].as_i64().unwrap() >= 0));
    assert_eq!(detail["deal"]["version"], 3);

    let tl: Value = app
        .get(&format!("/api/v1/customers/{cid}/timeline?kinds=deal_created,stage_changed"), &admin.token)
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> =
        tl["items"].as_array().unwrap().iter().map(|e| e["event"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["stage_changed", "stage_changed", "deal_created"]);
    assert_eq!(tl["items"][0]["event"]["to"], "Proposal");
}

#[tokio::test]
async fn winning_needs_an_amount_and_losing_a_known_reason() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let p = pipeline(&app, &admin).await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let deal = new_deal(&app, &admin, &customer, "Big one").await;
    let id = deal["deal"]["id"].as_str().unwrap();

    let res = move_to(&app, &admin, id, json!({"stage_id": stage(&p, "Won")})).await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["error"]["fields"]["amount_minor"].is_string());
    let res = move_to(&app, &admin, id, json!({"stage_id": stage(&p, "Won"), "amount_minor": 1_250_000})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let won: Value = res.json().await.unwrap();
    assert_eq!(won["status"], "won");
    assert_eq!(won["amount_minor"], 1_250_000);
    let cid = customer["id"].as_str().unwrap();
    let c: Value = app.get(&format!("/api/v1/customers/{cid}"), &admin.token).await.json().await.unwrap();
    assert_eq!(c["status"], "customer", "a won deal makes a customer");

    let other = new_deal(&app, &admin, &customer, "Small one").await;
    let oid = other["deal"]["id"].as_str().unwrap();
    let res = move_to(&app, &admin, oid, json!({"stage_id": stage(&p, "Lost")})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = move_to(&app, &admin, oid, json!({"stage_id": stage(&p, "Lost"), "lost_reason": "Aliens"})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = move_to(&app, &admin, oid, json!({"stage_id": stage(&p, "Lost"), "lost_reason": "Price"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let lost: Value = res.json().await.unwrap();
    assert_eq!(lost["status"], "lost");
    assert_eq!(lost["lost_reason"], "Price");
    for (answered, id) in [(&won, id), (&lost, oid)] {
        let stored: Value = app.get(&format!("/api/v1/deals/{id}"), &admin.token).await.json().await.unwrap();
        assert_eq!(*answered, stored["deal"], "a move answers the deal as stored");
    }

    let tl: Value = app
        .get(&format!("/api/v1/customers/{cid}/timeline?kinds=deal_won,deal_lost"), &admin.token)
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> =
        tl["items"].as_array().unwrap().iter().map(|e| e["event"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["deal_lost", "deal_won"]);
}

#[tokio::test]
async fn a_stale_move_is_a_409_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let p = pipeline(&app, &admin).await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let deal = new_deal(&app, &admin, &customer, "Contested").await;
    let id = deal["deal"]["id"].as_str().unwrap();
    let first = move_to(&app, &admin, id, json!({"stage_id": stage(&p, "Contacted"), "expected_version": 1})).await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = move_to(&app, &admin, id, json!({"stage_id": stage(&p, "Proposal"), "expected_version": 1})).await;
    let body = assert_error(second, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(body["error"]["details"]["current_version"], 2);
    let detail: Value = app.get(&format!("/api/v1/deals/{id}"), &admin.token).await.json().await.unwrap();
    assert_eq!(detail["deal"]["stage_id"], stage(&p, "Contacted"));
    assert_eq!(detail["history"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn concurrent_moves_without_a_version_all_land() {
    // Without `expected_version` the latest move wins; a move that lost the
    // race between its checks and its write is made again, not refused.
    // (With a single attempt this fails on both databases: the race happens.)
    let app = std::sync::Arc::new(spawn_app().await);
    let admin = app.setup_admin().await;
    let p = pipeline(&app, &admin).await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let deal = new_deal(&app, &admin, &customer, "Busy").await;
    let id = deal["deal"]["id"].as_str().unwrap().to_owned();
    let stages = [stage(&p, "Contacted"), stage(&p, "Proposal")];
    let mut tasks = tokio::task::JoinSet::new();
    // Each loss is to another mover's commit, so four movers lose at most
    // three times each: within the server's five attempts.
    for i in 0..4 {
        let (app, admin, id, to) = (app.clone(), admin.clone(), id.clone(), stages[i % 2].clone());
        tasks.spawn(async move { move_to(&app, &admin, &id, json!({"stage_id": to})).await.status() });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    let detail: Value = app.get(&format!("/api/v1/deals/{id}"), &admin.token).await.json().await.unwrap();
    assert_eq!(detail["deal"]["version"], 5, "each of the 4 moves bumped the version once");
    // The history stays whole: one open visit, in the deal's stage, and no
    // visit followed by another of the same stage.
    let history = detail["history"].as_array().unwrap();
    let open: Vec<&Value> = history.iter().filter(|v| v["left_at"].is_null()).collect();
    assert_eq!(open.len(), 1, "{history:?}");
    assert_eq!(open[0]["stage_id"], detail["deal"]["stage_id"]);
    assert!(history.last().unwrap()["left_at"].is_null(), "the open visit is the latest");
    assert!(history.windows(2).all(|w| w[0]["stage_id"] != w[1]["stage_id"]), "{history:?}");
}

#[tokio::test]
async fn rank_after_places_a_card_within_its_stage() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let p = pipeline(&app, &admin).await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let a = new_deal(&app, &admin, &customer, "A").await;
    let b = new_deal(&app, &admin, &customer, "B").await;
    let c = new_deal(&app, &admin, &customer, "C").await;
    let lead = stage(&p, "Lead");
    let res = move_to(
        &app,
        &admin,
        c["deal"]["id"].as_str().unwrap(),
        json!({"stage_id": lead, "rank_after": a["deal"]["id"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = app.get(&format!("/api/v1/deals?stage={lead}"), &admin.token).await.json().await.unwrap();
    let mut cards: Vec<(i64, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rank"].as_i64().unwrap(), d["title"].as_str().unwrap().to_owned()))
        .collect();
    cards.sort();
    let order: Vec<&str> = cards.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(order, ["A", "C", "B"]);
    let _ = b;
}

#[tokio::test]
async fn deals_are_as_private_as_their_owner() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let other = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.other_org_admin().await;
    let p = pipeline(&app, &admin).await;
    let customer = app.customer(&rep, json!({"kind": "company", "name": "Rep's"})).await;
    let deal = new_deal(&app, &rep, &customer, "Mine").await;
    let id = deal["deal"]["id"].as_str().unwrap();

    for who in [&other, &outsider] {
        assert_error(app.get(&format!("/api/v1/deals/{id}"), &who.token).await, StatusCode::NOT_FOUND, "not_found")
            .await;
        let res = move_to(&app, who, id, json!({"stage_id": stage(&p, "Contacted")})).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
        let list: Value = app.get("/api/v1/deals", &who.token).await.json().await.unwrap();
        assert_eq!(list["items"], json!([]));
    }
    // Nor can a deal be opened on a customer one cannot see.
    let res = app.post("/api/v1/deals", &other.token, json!({"customer_id": customer["id"], "title": "Sneaky"})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let admin_list: Value = app.get("/api/v1/deals", &admin.token).await.json().await.unwrap();
    assert_eq!(admin_list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_board_shows_figures_and_cards_per_stage() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let p = pipeline(&app, &admin).await;
    let pid = p["id"].as_str().unwrap();
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    for (title, amount) in [("A", 100_000), ("B", 300_000), ("C", 50_000)] {
        let res = app
            .post(
                "/api/v1/deals",
                &admin.token,
                json!({"customer_id": customer["id"], "title": title, "amount_minor": amount}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let board: Value =
        app.get(&format!("/api/v1/pipelines/{pid}/board?limit=2"), &admin.token).await.json().await.unwrap();
    let lead = &board["columns"][0];
    assert_eq!(lead["stage"]["name"], "Lead");
    assert_eq!(lead["count"], 3);
    assert_eq!(lead["total_minor"], 450_000);
    assert_eq!(lead["weighted_minor"], 45_000, "10 % of the total");
    let titles: Vec<&str> = lead["cards"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["A", "B"]);
    assert_eq!(board["columns"][1]["count"], 0);
    assert!(board["lost_reasons"].as_array().unwrap().iter().any(|r| r == "Price"));
    let reasons: Value = app.get("/api/v1/lost-reasons", &admin.token).await.json().await.unwrap();
    assert_eq!(reasons, board["lost_reasons"]);

    // "Load more" for one column continues in rank order.
    let cursor = lead["next_cursor"].as_str().unwrap();
    let lead_id = lead["stage"]["id"].as_str().unwrap();
    let more: Value = app
        .get(&format!("/api/v1/deals?stage={lead_id}&limit=2&cursor={cursor}"), &admin.token)
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = more["items"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["C"]);
    assert!(more["next_cursor"].is_null());

    let outsider = app.other_org_admin().await;
    let res = app.get(&format!("/api/v1/pipelines/{pid}/board"), &outsider.token).await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn board_filters_by_owner_and_close_month_and_forecasts_by_month() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let p = pipeline(&app, &admin).await;
    let pid = p["id"].as_str().unwrap();
    let proposal = stage(&p, "Proposal");
    let mine = app.customer(&admin, json!({"kind": "company", "name": "Mine"})).await;
    let theirs = app.customer(&rep, json!({"kind": "company", "name": "Theirs"})).await;
    let deals = [
        (&admin, &mine, 100_000, Some("2026-12-15")),
        (&admin, &mine, 200_000, Some("2026-12-31")),
        (&admin, &mine, 400_000, Some("2027-01-01")),
        (&rep, &theirs, 800_000, Some("2026-12-01")),
        (&rep, &theirs, 1_600_000, None),
    ];
    let mut ids = Vec::new();
    for (who, customer, amount, close) in deals {
        let body =
            json!({"customer_id": customer["id"], "title": "D", "amount_minor": amount, "expected_close": close});
        let res = app.post("/api/v1/deals", &who.token, body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let d: Value = res.json().await.unwrap();
        ids.push(d["deal"]["id"].as_str().unwrap().to_owned());
    }
    // Lead weighs 10 %, Proposal 60 %: move the 200,000 one to Proposal.
    let res = move_to(&app, &admin, &ids[1], json!({"stage_id": proposal})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let get = |q: String| {
        let app = &app;
        let token = admin.token.clone();
        async move { app.get(&format!("/api/v1/pipelines/{pid}/board{q}"), &token).await.json::<Value>().await.unwrap() }
    };
    let count = |b: &Value| b["columns"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum::<u64>();

    let all = get(String::new()).await;
    assert_eq!(count(&all), 5);
    let forecast = all["forecast"].as_array().unwrap();
    let months: Vec<&Value> = forecast.iter().map(|m| &m["month"]).collect();
    assert_eq!(months, [&json!("2026-12"), &json!("2027-01"), &Value::Null]);
    assert_eq!(forecast[0]["count"], 3);
    assert_eq!(forecast[0]["open_minor"], 1_100_000);
    assert_eq!(forecast[0]["weighted_minor"], 10_000 + 120_000 + 80_000);
    assert_eq!(forecast[2]["open_minor"], 1_600_000);

    let december = get("?close_month=2026-12".into()).await;
    assert_eq!(count(&december), 3, "the 1 January deal and the undated one are out");
    assert_eq!(december["forecast"], all["forecast"], "the month filter leaves the forecast whole");

    let only_mine = get(format!("?owner={}", admin.user_id)).await;
    assert_eq!(count(&only_mine), 3);
    assert_eq!(only_mine["forecast"][0]["open_minor"], 300_000);

    // The rep's board has their deals only, whatever the filter says.
    let theirs: Value = app.get(&format!("/api/v1/pipelines/{pid}/board"), &rep.token).await.json().await.unwrap();
    assert_eq!(count(&theirs), 2);

    // "Load more" honours the same month filter.
    let lead = stage(&p, "Lead");
    let page: Value =
        app.get(&format!("/api/v1/deals?stage={lead}&close_month=2026-12"), &admin.token).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);

    for bad in ["2026-13", "december", "2026-1"] {
        let res = app.get(&format!("/api/v1/pipelines/{pid}/board?close_month={bad}"), &admin.token).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
}

#[tokio::test]
async fn concurrent_writes_all_succeed() {
    // On SQLite a transaction that reads before it writes must take the write
    // lock up front, or a concurrent commit makes it fail with SQLITE_BUSY.
    let app = std::sync::Arc::new(spawn_app().await);
    let admin = app.setup_admin().await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Busy Buyer"})).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (app, token, id) = (app.clone(), admin.token.clone(), customer["id"].clone());
        tasks.spawn(async move {
            app.post("/api/v1/deals", &token, json!({"customer_id": id, "title": format!("Order {i}")})).await.status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::CREATED);
    }
    let page: Value = app.get("/api/v1/deals?limit=100", &admin.token).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 24);
}

#[tokio::test]
async fn the_board_narrows_to_a_team_and_a_manager_sees_only_theirs() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let team: Value = app.post("/api/v1/teams", &admin.token, json!({"name": "North"})).await.json().await.unwrap();
    let team_id = team["id"].as_str().unwrap();
    let manager = app.user(admin.org_id, Role::Manager).await;
    let member = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.user(admin.org_id, Role::Rep).await;
    for who in [&manager, &member] {
        let res = app.patch(&format!("/api/v1/users/{}", who.user_id), &admin.token, json!({"team_id": team_id})).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    for (who, name) in [(&member, "Member Co"), (&outsider, "Outsider Co")] {
        let c = app.customer(who, json!({"kind": "company", "name": name})).await;
        let res = app
            .post("/api/v1/deals", &who.token, json!({"customer_id": c["id"], "title": format!("{name} deal")}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let p = pipeline(&app, &admin).await;
    let titles = |board: &Value| -> Vec<String> {
        board["columns"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["cards"].as_array().unwrap().clone())
            .map(|d| d["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let pid = p["id"].as_str().unwrap();
    let all: Value = app.get(&format!("/api/v1/pipelines/{pid}/board"), &admin.token).await.json().await.unwrap();
    assert_eq!(titles(&all).len(), 2);
    let narrowed: Value =
        app.get(&format!("/api/v1/pipelines/{pid}/board?team={team_id}"), &admin.token).await.json().await.unwrap();
    assert_eq!(titles(&narrowed), ["Member Co deal"]);
    assert_eq!(narrowed["columns"][0]["count"], 1);
    let theirs: Value = app.get(&format!("/api/v1/pipelines/{pid}/board"), &manager.token).await.json().await.unwrap();
    assert_eq!(titles(&theirs), ["Member Co deal"]);
    let listed: Value = app.get(&format!("/api/v1/deals?team={team_id}"), &admin.token).await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}
