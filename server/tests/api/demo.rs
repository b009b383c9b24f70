use crate::helpers::spawn_app;
use rapport_server::domain::demo;
use serde_json::Value;

#[tokio::test]
async fn demo_data_creates_an_org_whose_users_can_sign_in_and_see_their_share() {
    let app = spawn_app().await;
    assert_eq!(demo::create(&app.db, "demo-password").await.unwrap(), 200);
    assert!(demo::create(&app.db, "demo-password").await.is_err(), "a second run refuses instead of duplicating");

    let admin = app.login(&format!("admin@{}", demo::DEMO_DOMAIN), "demo-password").await;
    let all = |filter: &'static str| {
        let (app, token) = (&app, admin.token.clone());
        async move {
            let mut items = Vec::new();
            let mut cursor = String::new();
            loop {
                let page: Value = app
                    .get(&format!("/api/v1/customers?limit=200{filter}{cursor}"), &token)
                    .await
                    .json()
                    .await
                    .unwrap();
                items.extend(page["items"].as_array().unwrap().iter().cloned());
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = format!("&cursor={c}"),
                    None => break items,
                }
            }
        }
    };
    // The pool is on and holds the lost customers, to claim from; the rest are owned.
    let (owned, pooled) = (all("").await, all("&pool=true").await);
    assert_eq!(owned.len() + pooled.len(), 200);
    assert!(!pooled.is_empty() && pooled.len() < 100, "{} pooled", pooled.len());
    assert!(pooled.iter().all(|c| c["status"] == "lost"));
    assert!(owned.iter().all(|c| c["status"] != "lost"));

    let rep = app.login(&format!("rep.li@{}", demo::DEMO_DOMAIN), "demo-password").await;
    let mine: Value = app.get("/api/v1/customers?limit=200", &rep.token).await.json().await.unwrap();
    let mine = mine["items"].as_array().unwrap();
    assert!(!mine.is_empty() && mine.len() < 200, "a rep sees only their share");
    assert!(mine.iter().all(|c| c["owner"]["id"] == rep.user_id.to_string()));

    // Demo customers have a history: activities on the timeline, and last touches spread out.
    let id = mine[0]["id"].as_str().unwrap();
    let timeline: Value = app.get(&format!("/api/v1/customers/{id}/timeline"), &rep.token).await.json().await.unwrap();
    let kinds: Vec<&str> =
        timeline["items"].as_array().unwrap().iter().map(|e| e["event"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.last(), Some(&"customer_created"));
    assert!(kinds.len() >= 2, "at least one activity: {kinds:?}");
    let touches: std::collections::HashSet<&str> = mine.iter().map(|c| c["last_touch_at"].as_str().unwrap()).collect();
    assert!(touches.len() > mine.len() / 2, "last touches differ between customers");

    // The board is filled: deals in several stages, with a forecast.
    let pipelines: Value = app.get("/api/v1/pipelines", &admin.token).await.json().await.unwrap();
    let pid = pipelines[0]["id"].as_str().unwrap();
    let board: Value = app.get(&format!("/api/v1/pipelines/{pid}/board"), &admin.token).await.json().await.unwrap();
    let filled = board["columns"].as_array().unwrap().iter().filter(|c| c["count"].as_u64().unwrap() > 0).count();
    assert!(filled >= 5, "deals spread over the stages: {filled}");
    assert!(!board["forecast"].as_array().unwrap().is_empty());

    // Deals have ages, as on a real board: days in stage differ, and some open deals rot.
    let now = chrono::Utc::now();
    let mut days = std::collections::BTreeSet::new();
    let mut rotting = 0;
    for column in board["columns"].as_array().unwrap() {
        let limit = column["stage"]["rotting_days"].as_i64();
        for card in column["cards"].as_array().unwrap() {
            let entered: chrono::DateTime<chrono::Utc> = card["stage_entered_at"].as_str().unwrap().parse().unwrap();
            let age = (now - entered).num_days();
            days.insert(age);
            rotting += usize::from(limit.is_some_and(|l| age > l));
        }
    }
    assert!(days.len() > 10, "days in stage vary: {days:?}");
    assert!(rotting > 0, "some open deals are past their stage's rotting days");

    // What a deal started keeps its order: opened before it moved, its playbook
    // steps after it entered the stage.
    let deals: Value = app.get("/api/v1/deals?limit=200", &admin.token).await.json().await.unwrap();
    for deal in deals["items"].as_array().unwrap() {
        let created: chrono::DateTime<chrono::Utc> = deal["created_at"].as_str().unwrap().parse().unwrap();
        let entered: chrono::DateTime<chrono::Utc> = deal["stage_entered_at"].as_str().unwrap().parse().unwrap();
        assert!(created <= entered && entered <= now, "{deal}");
    }
    let reminders: Value = app.get("/api/v1/reminders?limit=200", &admin.token).await.json().await.unwrap();
    assert!(
        reminders["items"].as_array().unwrap().iter().any(|r| r["playbook_run_id"].is_string()),
        "the proposal playbook's steps are there"
    );
}
