//! The outbox: activities entered on this device wait here until the server
//! has them. An entry is kept in local storage from the moment it is saved,
//! sent with its idempotency key (so a retry never duplicates it), and
//! removed only once the server confirms. Nothing typed is lost offline.

use crate::api::{self, ApiError};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use rapport_shared::activity::NewActivity;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const STORAGE_KEY: &str = "rapport.outbox";

/// An activity not yet confirmed by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// Also the `Idempotency-Key`.
    pub key: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub input: NewActivity,
    pub queued_at: DateTime<Utc>,
    /// Set when the server refused it (it stays until discarded).
    pub rejected: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Outbox {
    pub pending: RwSignal<Vec<Pending>>,
    /// Counts confirmed sends, so timelines know to reload.
    pub sent: RwSignal<u32>,
    flushing: StoredValue<bool>,
}

impl Outbox {
    /// Keeps the entry, then tries to send everything waiting. Returns true
    /// when this entry reached the server now.
    pub async fn submit(self, customer_id: Uuid, customer_name: String, input: NewActivity) -> bool {
        let key = Uuid::now_v7().to_string();
        let entry = Pending {
            key: key.clone(),
            customer_id,
            customer_name,
            input,
            queued_at: crate::format::now(),
            rejected: false,
        };
        self.pending.update(|p| p.push(entry));
        self.persist();
        self.flush().await;
        !self.pending.with_untracked(|p| p.iter().any(|e| e.key == key))
    }

    /// Sends waiting entries in order; stops at the first failure that may
    /// pass (network, server unavailable); an entry the server refuses stays, marked.
    pub async fn flush(self) {
        if self.flushing.get_value() {
            return;
        }
        self.flushing.set_value(true);
        let waiting: Vec<Pending> = self.pending.get_untracked().into_iter().filter(|e| !e.rejected).collect();
        for entry in waiting {
            match api::log_activity(entry.customer_id, &entry.input, &entry.key).await {
                Ok(_) => {
                    self.pending.update(|p| p.retain(|e| e.key != entry.key));
                    self.sent.update(|n| *n += 1);
                }
                Err(ApiError::Network) => break,
                // The server cannot take it now (database down or full, or
                // too many requests): keep it and try again later.
                Err(ApiError::Api { status: 429 | 502..=504, .. }) => break,
                // Signed out: keep it for after the next sign-in.
                Err(e) if e.is_unauthenticated() => break,
                Err(_) => self.pending.update(|p| {
                    if let Some(e) = p.iter_mut().find(|e| e.key == entry.key) {
                        e.rejected = true;
                    }
                }),
            }
            self.persist();
        }
        self.flushing.set_value(false);
    }

    pub fn discard(self, key: &str) {
        self.pending.update(|p| p.retain(|e| e.key != key));
        self.persist();
    }

    fn persist(self) {
        let json = self.pending.with_untracked(|p| crate::api::encode(p).unwrap_or_default());
        storage_set(&json);
    }
}

/// Provides the outbox; in the browser, loads what an earlier visit left and
/// sends it now, whenever the connection returns, and every 20 seconds.
pub fn provide_outbox() -> Outbox {
    let outbox =
        Outbox { pending: RwSignal::new(Vec::new()), sent: RwSignal::new(0), flushing: StoredValue::new(false) };
    provide_context(outbox);
    Effect::new(move |_| {
        let stored: Vec<Pending> = storage_get().and_then(|s| crate::api::decode(&s).ok()).unwrap_or_default();
        outbox.pending.set(stored);
        leptos::task::spawn_local(outbox.flush());
        watch_connection(outbox);
    });
    outbox
}

pub fn use_outbox() -> Outbox {
    use_context::<Outbox>().unwrap_or_else(|| Outbox {
        pending: RwSignal::new(Vec::new()),
        sent: RwSignal::new(0),
        flushing: StoredValue::new(false),
    })
}

#[cfg(feature = "hydrate")]
fn watch_connection(outbox: Outbox) {
    let online = window_event_listener(leptos::ev::online, move |_| leptos::task::spawn_local(outbox.flush()));
    // The listener lives as long as the page.
    std::mem::forget(online);
    set_interval(move || leptos::task::spawn_local(outbox.flush()), std::time::Duration::from_secs(20));
}

#[cfg(not(feature = "hydrate"))]
fn watch_connection(_outbox: Outbox) {}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn storage_get() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        storage()?.get_item(STORAGE_KEY).ok()?
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

fn storage_set(value: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (value, STORAGE_KEY);
}
