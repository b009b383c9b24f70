use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer_without_credentials() {
    let app = spawn_app().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(res.headers().get("x-request-id").is_some_and(|v| !v.is_empty()));
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/nope")).send().await.unwrap();
    crate::helpers::assert_error(res, reqwest::StatusCode::NOT_FOUND, "not_found").await;
}
