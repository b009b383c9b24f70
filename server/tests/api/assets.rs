//! The built web assets (`/pkg/*`): the release build writes brotli and
//! gzip copies beside each file (`make release`), and a browser that accepts
//! them gets those instead of the raw file (the release wasm is 2 MB raw).

use crate::helpers::spawn_app_with;
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
