use crate::helpers::{assert_error, spawn_app};
use rapport_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn contacts_can_be_added_listed_changed_and_removed() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let list_path = format!("/api/v1/customers/{}/contacts", c["id"].as_str().unwrap());

    let res = app
        .post(
            &list_path,
            &admin.token,
            json!({"name": "Wang Fang", "title": "Buyer", "phone": "138 0013 8000", "email": "Wang@Acme.com"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let contact: Value = res.json().await.unwrap();
    assert_eq!(contact["phone"], "13800138000");
    assert_eq!(contact["email"], "wang@acme.com");

    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    let res = app.patch(&path, &admin.token, json!({"title": null, "notes": "Prefers WeChat"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["title"], Value::Null);
    assert_eq!(changed["notes"], "Prefers WeChat");
    assert_eq!(changed["name"], "Wang Fang");

    let listed: Value = app.get(&list_path, &admin.token).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(app.delete(&path, &admin.token).await.status(), StatusCode::NO_CONTENT);
    let listed: Value = app.get(&list_path, &admin.token).await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn an_invalid_contact_is_refused_with_its_fields() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let path = format!("/api/v1/customers/{}/contacts", c["id"].as_str().unwrap());
    let res = app.post(&path, &admin.token, json!({"name": "", "email": "nope"})).await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["error"]["fields"]["name"].is_string() && body["error"]["fields"]["email"].is_string());
    let listed: Value = app.get(&path, &admin.token).await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn contacts_are_as_private_as_their_customer() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.other_org_admin().await;
    let c = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let list_path = format!("/api/v1/customers/{}/contacts", c["id"].as_str().unwrap());
    let contact: Value = app.post(&list_path, &admin.token, json!({"name": "Li"})).await.json().await.unwrap();
    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());

    for who in [&rep, &outsider] {
        assert_error(app.get(&list_path, &who.token).await, StatusCode::NOT_FOUND, "not_found").await;
        let res = app.post(&list_path, &who.token, json!({"name": "Intruder"})).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
        let res = app.patch(&path, &who.token, json!({"name": "Changed"})).await;
        assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
        assert_error(app.delete(&path, &who.token).await, StatusCode::NOT_FOUND, "not_found").await;
    }
    let listed: Value = app.get(&list_path, &admin.token).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "Li");
}
