//! A per-server memory, one second long, of the sessions found live.
//!
//! Every request proves its session is still live (see
//! [`super::sessions::live_actor`]); asking the database each time cost a
//! query per request. A session found live is remembered for a second
//! (`RAPPORT_SESSION_CACHE_MS`).
//!
//! Anything that can end a session or change who its user is (sign-out, a
//! reused refresh token, a password change, deactivation, a role or team
//! change) calls [`SessionCache::changed`] after its commit: this server forgets every
//! session at once, and on PostgreSQL the other processes hear it over
//! `NOTIFY` and forget theirs (see `live.rs`). The TTL bounds what a lost
//! notification could cost. A generation number keeps a lookup that began
//! before a change from storing what it read after the change was made.

use super::Actor;
use sea_orm::{DatabaseConnection, DbBackend};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The PostgreSQL channel that tells every process to forget.
pub const CHANNEL: &str = "rapport_sessions";

/// Beyond this many remembered sessions, expired ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

struct Remembered {
    actor: Actor,
    at: Instant,
}

#[derive(Default)]
struct Sessions {
    generation: u64,
    live: HashMap<Uuid, Remembered>,
}

/// One server's memory of live sessions; clones share it.
#[derive(Clone)]
pub struct SessionCache {
    ttl: Duration,
    inner: Arc<Mutex<Sessions>>,
}

impl SessionCache {
    /// A cache believing a session for `ttl`; zero turns it off.
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, inner: Arc::default() }
    }

    fn lock(&self) -> MutexGuard<'_, Sessions> {
        // The map stays consistent whatever panicked while holding it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The generation to pass to [`Self::remember`]; read it before the database.
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// The actor of session `session_id`, if it was found live within the
    /// TTL for this user and org.
    pub fn recall(&self, session_id: Uuid, user_id: Uuid, org_id: Uuid) -> Option<Actor> {
        let sessions = self.lock();
        let found = sessions.live.get(&session_id)?;
        let fresh = found.at.elapsed() < self.ttl && found.actor.user_id == user_id && found.actor.org_id == org_id;
        fresh.then(|| found.actor.clone())
    }

    /// Remembers a session found live, unless something changed since
    /// `generation` was read.
    pub fn remember(&self, generation: u64, session_id: Uuid, actor: &Actor) {
        if self.ttl.is_zero() {
            return;
        }
        let mut sessions = self.lock();
        if sessions.generation != generation {
            return;
        }
        if sessions.live.len() >= PRUNE_ABOVE {
            let ttl = self.ttl;
            sessions.live.retain(|_, r| r.at.elapsed() < ttl);
        }
        let actor = Actor { address: None, ..actor.clone() };
        sessions.live.insert(session_id, Remembered { actor, at: Instant::now() });
    }

    /// Forgets every session this server remembers.
    pub fn forget_all(&self) {
        let mut sessions = self.lock();
        sessions.generation = sessions.generation.wrapping_add(1);
        sessions.live.clear();
    }

    /// Call after committing a change to sessions or users: this server
    /// forgets at once, and on PostgreSQL every other process is told. A
    /// failed notification is only logged; the others forget within the TTL.
    pub async fn changed(&self, db: &DatabaseConnection) {
        self.forget_all();
        if db.get_database_backend() == DbBackend::Postgres {
            let sent = sea_orm::sqlx::query("SELECT pg_notify($1, '')")
                .bind(CHANNEL)
                .execute(db.get_postgres_connection_pool())
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not tell other processes that sessions changed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_change_during_a_lookup_keeps_its_result_out() {
        let (cache, sid, a) = (SessionCache::new(Duration::from_secs(1)), Uuid::now_v7(), Actor::test_rep());
        let before = cache.generation();
        cache.forget_all();
        cache.remember(before, sid, &a);
        assert!(cache.recall(sid, a.user_id, a.org_id).is_none());
        cache.remember(cache.generation(), sid, &a);
        assert_eq!(cache.recall(sid, a.user_id, a.org_id).map(|r| r.user_id), Some(a.user_id));
        cache.forget_all();
        assert!(cache.recall(sid, a.user_id, a.org_id).is_none());
    }

    #[test]
    fn only_the_tokens_user_and_org_recall_a_session() {
        let (cache, sid, a) = (SessionCache::new(Duration::from_secs(1)), Uuid::now_v7(), Actor::test_rep());
        cache.remember(cache.generation(), sid, &a);
        assert!(cache.recall(sid, Uuid::now_v7(), a.org_id).is_none());
        assert!(cache.recall(sid, a.user_id, Uuid::now_v7()).is_none());
    }

    #[test]
    fn a_remembered_session_expires() {
        let (cache, sid, a) = (SessionCache::new(Duration::from_millis(20)), Uuid::now_v7(), Actor::test_rep());
        cache.remember(cache.generation(), sid, &a);
        assert!(cache.recall(sid, a.user_id, a.org_id).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.recall(sid, a.user_id, a.org_id).is_none());
    }

    #[test]
    fn a_zero_ttl_remembers_nothing() {
        let (cache, sid, a) = (SessionCache::new(Duration::ZERO), Uuid::now_v7(), Actor::test_rep());
        cache.remember(cache.generation(), sid, &a);
        assert!(cache.recall(sid, a.user_id, a.org_id).is_none());
    }
}
