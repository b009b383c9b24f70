//! What goes over the wire compressed: the built web assets (`/pkg/*`, whose
//! brotli and gzip copies the release build writes beside them; the release
//! wasm is 1.9 MB raw) and the API's JSON (gzip, when the client accepts it).

use crate::helpers::{spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::io::Read;
use uuid::Uuid;

#[tokio::test]
async fn built_assets_are_served_precompressed_to_browsers_that_accept_it() {
    let site = std::env::temp_dir().join(format!("rapport_site_{}", Uuid::now_v7().simple()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("rapport.wasm"), b"\0asm raw bytes").unwrap();
    std::fs::write(pkg.join("rapport.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("rapport.wasm.gz"), b"gzip bytes").unwrap();
    let root = site.clone();
    let app = spawn_app_with(move |serve| serve.site_root = Some(root)).await;
    let fetch = |encodings: Option<&'static str>| {
        let mut req = app.client.get(app.url("/pkg/rapport.wasm"));
        if let Some(encodings) = encodings {
            req = req.header("accept-encoding", encodings);
        }
        req.send()
    };

    let res = fetch(Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["content-type"], "application/wasm", "streaming compilation needs the wasm type");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let res = fetch(Some("gzip")).await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"gzip bytes");

    let res = fetch(None).await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"\0asm raw bytes");
    std::fs::remove_dir_all(site).ok();
}

#[tokio::test]
async fn api_answers_are_gzipped_for_clients_that_accept_it_and_event_streams_are_not() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    for i in 0..20 {
        app.customer(&admin, json!({"kind": "company", "name": format!("Harbor Trading {i}")})).await;
    }
    let list = |encodings: Option<&'static str>| {
        let mut req = app.client.get(app.url("/api/v1/customers?limit=50")).bearer_auth(&admin.token);
        if let Some(encodings) = encodings {
            req = req.header("accept-encoding", encodings);
        }
        req.send()
    };

    let plain = list(None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none(), "no Accept-Encoding, no compression");
    let plain = plain.bytes().await.unwrap();

    let gzipped = list(Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["content-type"], "application/json");
    let gzipped = gzipped.bytes().await.unwrap();
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(gzipped.as_ref()).read_to_end(&mut text).unwrap();
    let body: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 20);
    // 1,082 of 9,560 bytes when measured.
    assert!(gzipped.len() * 3 < plain.len(), "{} bytes gzipped of {}", gzipped.len(), plain.len());

    // Live notifications must reach the browser as they happen: never buffered by an encoder.
    let stream = app
        .client
        .get(app.url("/api/v1/notifications/stream"))
        .bearer_auth(&admin.token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers().get("content-encoding").is_none());
}
