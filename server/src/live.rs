//! Live delivery of notifications to open browsers (server-sent events).
//!
//! Every process keeps one broadcast channel its SSE streams listen on. On
//! PostgreSQL a notification is published with `pg_notify`, and every
//! process — the publisher included — relays what it hears on `LISTEN` to
//! its own channel, so a user gets the push whichever process they are
//! connected to. On SQLite (one process) publishing goes to the channel
//! directly. Delivery is best effort; the notification is already stored,
//! and a reconnecting stream replays from `Last-Event-ID`. The same listener
//! hears when sessions change elsewhere (`session_cache`).

use crate::domain::scheduler::Pushed;
use crate::domain::session_cache::{self, SessionCache};
use rapport_shared::reminder::Notification;
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use sea_orm::{DatabaseConnection, DbBackend};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

const CHANNEL: &str = "rapport_notifications";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wire {
    user_id: Uuid,
    notification: Notification,
}

/// The process's hub of live notifications.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Pushed>>,
    pg: Option<PgPool>,
    closing: watch::Sender<bool>,
    sessions: SessionCache,
}

impl Hub {
    pub fn new(db: &DatabaseConnection, sessions: SessionCache) -> Self {
        let (tx, _) = broadcast::channel(1024);
        let pg = (db.get_database_backend() == DbBackend::Postgres).then(|| db.get_postgres_connection_pool().clone());
        Self { tx, pg, closing: watch::channel(false).0, sessions }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Pushed>> {
        self.tx.subscribe()
    }

    /// Resolves when the server begins to shut down: streams end then.
    pub fn closed(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|closing| *closing).await;
        }
    }

    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Sends notifications to the users' open streams, in every process.
    pub async fn publish(&self, items: Vec<Pushed>) {
        for item in items {
            match &self.pg {
                Some(pool) => {
                    let wire = Wire { user_id: item.user_id, notification: item.notification };
                    let Ok(payload) = serde_json::to_string(&wire) else { continue };
                    let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANNEL)
                        .bind(payload)
                        .execute(pool)
                        .await;
                    if let Err(e) = sent {
                        tracing::warn!(error = %e, "pg_notify failed; the notification stays stored");
                    }
                }
                None => {
                    // No receivers is fine: nobody has a page open.
                    let _ = self.tx.send(Arc::new(item));
                }
            }
        }
    }

    /// On PostgreSQL, relays `LISTEN` to this process's streams until shutdown,
    /// reconnecting after a lost connection.
    pub fn spawn_listener(&self) {
        let Some(pool) = self.pg.clone() else { return };
        let hub = self.clone();
        tokio::spawn(async move {
            let closed = hub.closed();
            tokio::pin!(closed);
            loop {
                tokio::select! {
                    () = &mut closed => return,
                    result = hub.relay(&pool) => {
                        if let Err(e) = result {
                            tracing::warn!(error = %e, "notification listener lost; reconnecting");
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
    }

    async fn relay(&self, pool: &PgPool) -> Result<(), sea_orm::sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen_all([CHANNEL, session_cache::CHANNEL]).await?;
        // Changes may have gone unheard while the listener was away.
        self.sessions.forget_all();
        loop {
            let message = listener.recv().await?;
            if message.channel() == session_cache::CHANNEL {
                self.sessions.forget_all();
                continue;
            }
            if let Ok(wire) = serde_json::from_str::<Wire>(message.payload()) {
                let _ = self.tx.send(Arc::new(Pushed { user_id: wire.user_id, notification: wire.notification }));
            }
        }
    }
}
