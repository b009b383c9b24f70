//! Hostile and malformed input: always the JSON error shape, never a 500, never a change.

use crate::helpers::{assert_error, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn malformed_json_is_a_400() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app
        .client
        .post(app.url("/api/v1/customers"))
        .bearer_auth(&admin.token)
        .header("content-type", "application/json")
        .body("{\"kind\": \"person\", \"name\": ")
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_422() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    for body in [
        json!({"kind": "person", "name": 42}),
        json!({"kind": "robot", "name": "R2"}),
        json!({"kind": "person", "name": "A", "nmae": "typo"}),
        json!({"kind": "person", "name": "A", "phones": "not a list"}),
        // Well-formed JSON of the wrong shape (a body that does not parse is the 400 above).
        json!([1, 2, 3]),
        json!("Acme"),
    ] {
        let res = app.post("/api/v1/customers", &admin.token, body.clone()).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
    let list: Value = app.get("/api/v1/customers", &admin.token).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn an_oversize_body_is_413() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let body = json!({"kind": "person", "name": "Big", "address": "x".repeat(200_000)});
    let res = app.post("/api/v1/customers", &admin.token, body).await;
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn oversize_custom_fields_and_long_names_are_422() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app
        .post(
            "/api/v1/customers",
            &admin.token,
            json!({"kind": "person", "name": "A", "custom_fields": {"blob": "x".repeat(9000)}}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["error"]["fields"]["custom_fields"].is_string());
    let res = app.post("/api/v1/customers", &admin.token, json!({"kind": "person", "name": "n".repeat(201)})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn a_malformed_id_is_a_400_and_an_unknown_one_a_404() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    assert_error(app.get("/api/v1/customers/not-a-uuid", &admin.token).await, StatusCode::BAD_REQUEST, "bad_request")
        .await;
    let unknown = format!("/api/v1/customers/{}", uuid::Uuid::now_v7());
    assert_error(app.get(&unknown, &admin.token).await, StatusCode::NOT_FOUND, "not_found").await;
}
