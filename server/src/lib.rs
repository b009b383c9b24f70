//! Rapport's server: the `/api/v1` REST API, the server-rendered web app,
//! persistence, live notifications and the scheduler.
//!
//! Layering: `http` (thin handlers) → `domain` (rules, scoped by the actor)
//! → `entity` (SeaORM). `Application::build` wires it up so tests can start
//! the real server on port 0.

// Without `--cfg erase_components` (release builds) the nested view types of
// the bigger pages exceed the default depth of 128.
#![recursion_limit = "256"]

pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod entity;
pub mod error;
pub mod http;
pub mod jobs;
pub mod live;
pub mod state;
pub mod telemetry;
pub mod web;

use crate::auth::keys::Keys;
use crate::auth::rate_limit::{LoginLimiter, RequestLimiter};
use crate::config::Config;
use crate::domain::activities::ActivityLog;
use crate::domain::mail::Mailer;
use crate::domain::search_sample::SearchSample;
use crate::domain::session_cache::SessionCache;
use crate::state::AppState;
use axum::Router;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    app: Router,
    db: DatabaseConnection,
    hub: live::Hub,
    scheduler_interval: Duration,
    mailer: Option<Mailer>,
    shutdown_timeout: Duration,
}

impl Application {
    /// Connects and migrates the database, loads keys, binds the address.
    ///
    /// # Errors
    /// Database, key or bind failures.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url).await?;
        db::migrate(&db).await?;
        let keys = Keys::load(config.serve.jwt_secret.as_ref(), &db).await?;
        let login_limiter =
            LoginLimiter::new(config.serve.login_max_failures_per_account, config.serve.login_max_failures_per_address);
        // Checked at start-up: a mistyped SMTP URL fails now, not at the first reminder.
        let mailer = config
            .serve
            .smtp_url
            .as_ref()
            .map(|url| Mailer::new(url.expose_secret(), &config.serve.mail_from))
            .transpose()?;
        let config = Arc::new(config);
        let sessions = SessionCache::new(Duration::from_millis(config.serve.session_cache_ms));
        let hub = live::Hub::new(&db, sessions.clone());
        let state = AppState {
            db: db.clone(),
            config: config.clone(),
            keys: Arc::new(keys),
            login_limiter: Arc::new(login_limiter),
            request_limiter: Arc::new(RequestLimiter::new(config.serve.rate_limit_per_minute)),
            hub: hub.clone(),
            sessions,
            activities: ActivityLog::new(db.clone()),
            search_sample: SearchSample::default(),
        };
        let app = http::observe(http::router(state).merge(web::router(&config)?));
        let listener = TcpListener::bind(config.serve.addr).await?;
        Ok(Self {
            listener,
            app,
            db,
            hub,
            scheduler_interval: Duration::from_millis(config.serve.scheduler_interval_ms),
            mailer,
            shutdown_timeout: Duration::from_secs(config.serve.shutdown_timeout_secs),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish
    /// for at most the configured timeout.
    ///
    /// # Errors
    /// I/O failures of the listener.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        self.hub.spawn_listener();
        jobs::spawn_checkpointer(self.db.clone(), self.hub.clone());
        if !self.scheduler_interval.is_zero() {
            jobs::spawn_scheduler(self.db.clone(), self.hub.clone(), self.scheduler_interval, self.mailer.clone());
        }
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let hub = self.hub.clone();
        let server = axum::serve(self.listener, self.app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                shutdown.await;
                tracing::info!("shutting down: finishing in-flight requests");
                // Live streams never finish by themselves: end them now.
                hub.close();
                let _ = stopping_tx.send(());
            });
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(self.shutdown_timeout).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            result = server => result?,
            () = deadline => tracing::warn!("shutdown timeout reached; dropping remaining connections"),
        }
        self.db.close().await.ok();
        Ok(())
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
