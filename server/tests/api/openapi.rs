use crate::helpers::spawn_app;
use serde_json::Value;

/// Every route of the contract, as (method, path).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/setup"),
    ("post", "/api/v1/setup"),
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("get", "/api/v1/customers"),
    ("post", "/api/v1/customers"),
    ("get", "/api/v1/customers/{id}"),
    ("patch", "/api/v1/customers/{id}"),
    ("delete", "/api/v1/customers/{id}"),
    ("post", "/api/v1/customers/{id}/claim"),
    ("get", "/api/v1/org/settings"),
    ("patch", "/api/v1/org/settings"),
    ("get", "/api/v1/customers/{id}/contacts"),
    ("post", "/api/v1/customers/{id}/contacts"),
    ("patch", "/api/v1/contacts/{id}"),
    ("delete", "/api/v1/contacts/{id}"),
    ("post", "/api/v1/customers/{id}/activities"),
    ("patch", "/api/v1/activities/{id}"),
    ("delete", "/api/v1/activities/{id}"),
    ("get", "/api/v1/customers/{id}/timeline"),
    ("get", "/api/v1/pipelines"),
    ("post", "/api/v1/pipelines"),
    ("patch", "/api/v1/pipelines/{id}"),
    ("delete", "/api/v1/pipelines/{id}"),
    ("post", "/api/v1/pipelines/{id}/stages"),
    ("post", "/api/v1/pipelines/{id}/stages/reorder"),
    ("patch", "/api/v1/stages/{id}"),
    ("delete", "/api/v1/stages/{id}"),
    ("get", "/api/v1/pipelines/{id}/board"),
    ("get", "/api/v1/lost-reasons"),
    ("get", "/api/v1/deals"),
    ("post", "/api/v1/deals"),
    ("get", "/api/v1/deals/{id}"),
    ("patch", "/api/v1/deals/{id}"),
    ("delete", "/api/v1/deals/{id}"),
    ("post", "/api/v1/deals/{id}/move"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("patch", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/deactivate"),
    ("get", "/api/v1/teams"),
    ("get", "/api/v1/team/dashboard"),
    ("post", "/api/v1/teams"),
    ("patch", "/api/v1/teams/{id}"),
    ("post", "/api/v1/customers/reassign"),
    ("post", "/api/v1/auth/accept-invite"),
    ("get", "/api/v1/api-keys"),
    ("post", "/api/v1/api-keys"),
    ("delete", "/api/v1/api-keys/{id}"),
    ("get", "/api/v1/playbooks"),
    ("post", "/api/v1/playbooks"),
    ("patch", "/api/v1/playbooks/{id}"),
    ("delete", "/api/v1/playbooks/{id}"),
    ("get", "/api/v1/customers/{id}/playbooks"),
    ("post", "/api/v1/customers/{id}/playbooks"),
    ("post", "/api/v1/playbook-runs/{id}/stop"),
    ("post", "/api/v1/me/calendar"),
    ("delete", "/api/v1/me/calendar"),
    ("get", "/api/v1/calendar/{secret}"),
    ("get", "/api/v1/reminders"),
    ("post", "/api/v1/reminders"),
    ("get", "/api/v1/reminders/counts"),
    ("get", "/api/v1/reminders/{id}"),
    ("patch", "/api/v1/reminders/{id}"),
    ("delete", "/api/v1/reminders/{id}"),
    ("get", "/api/v1/notifications"),
    ("post", "/api/v1/notifications/{id}/read"),
    ("post", "/api/v1/notifications/read-all"),
    ("get", "/api/v1/notifications/stream"),
    ("get", "/api/v1/audit"),
];

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_nothing_else() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));

    let mut described: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has responses");
            described.push((method.clone(), path.clone()));
        }
    }
    let mut expected: Vec<(String, String)> = ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    described.sort();
    expected.sort();
    assert_eq!(described, expected);
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["ApiErrorBody"].is_object());
}

#[tokio::test]
async fn every_described_route_answers_on_the_server() {
    // A route in the document that the router does not serve would 404 with
    // code not_found even with valid credentials; probe each without credentials
    // instead: served routes answer 401/409/422/200, never the catch-all 404.
    let app = spawn_app().await;
    for (method, path) in ROUTES {
        // An unknown feed secret is a 404 by design; the calendar test reads a real one.
        if path.contains("{secret}") {
            continue;
        }
        let path = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let res = app.client.request(method.clone(), app.url(&path)).json(&serde_json::json!({})).send().await.unwrap();
        assert_ne!(res.status(), 404, "{method} {path} is served");
        assert_ne!(res.status(), 405, "{method} {path} is served");
    }
}
