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
    let id_of = |res: reqwest::Response| {
        let header = res.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
        uuid::Uuid::parse_str(&header).unwrap()
    };
    let first = id_of(app.client.get(app.url("/healthz")).send().await.unwrap());
    let second = id_of(app.client.get(app.url("/healthz")).send().await.unwrap());
    assert_eq!(first.get_version(), Some(uuid::Version::Random));
    assert_ne!(first, second, "each request gets its own id");
    // A caller's own id is kept, so a trace can follow it across systems.
    let res = app.client.get(app.url("/healthz")).header("x-request-id", "erp-4711").send().await.unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "erp-4711");
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/nope")).send().await.unwrap();
    crate::helpers::assert_error(res, reqwest::StatusCode::NOT_FOUND, "not_found").await;
}
