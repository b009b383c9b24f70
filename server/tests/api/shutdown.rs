use rapport_server::Application;
use rapport_server::config::{Config, ServeArgs};
use std::time::{Duration, Instant};

/// On a stop signal the server stops accepting, lets in-flight work finish,
/// and returns within its shutdown timeout.
#[tokio::test]
async fn the_server_stops_within_its_shutdown_timeout() {
    let database = crate::helpers::fresh_database().await;
    let serve = ServeArgs { addr: "127.0.0.1:0".parse().unwrap(), shutdown_timeout_secs: 2, ..ServeArgs::default() };
    let config = Config { database_url: database.url.clone(), serve };
    let app = Application::build(config).await.unwrap();
    let url = format!("http://127.0.0.1:{}/healthz", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);

    let asked = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("stops in time").unwrap().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(3), "bounded by the 2 s timeout");
    assert!(client.get(&url).send().await.is_err(), "no longer accepting");
}
