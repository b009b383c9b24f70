//! Rate limits, in memory (with several processes each keeps its own
//! count; the limit per process still bounds abuse):
//! - [`LoginLimiter`]: failed logins per account and per client address, in
//!   a sliding 15-minute window;
//! - [`RequestLimiter`]: authenticated requests per credential (the user of
//!   a session token, or the API key) per minute.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug)]
pub struct LoginLimiter {
    max_per_account: u32,
    max_per_address: u32,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(max_per_account: u32, max_per_address: u32) -> Self {
        Self { max_per_account, max_per_address, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds to wait)` when the account or the address is locked out.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0;
        for (key, max) in [(account_key(account), self.max_per_account), (address_key(address), self.max_per_address)] {
            if let Some(times) = map.get_mut(&key) {
                prune(times, now);
                if times.len() >= max as usize
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max((WINDOW.saturating_sub(now - *oldest)).as_secs().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    pub fn record_failure(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            // Bound memory under a spray of distinct keys: drop what has aged out.
            map.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for key in [account_key(account), address_key(address)] {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&account_key(account));
    }
}

fn account_key(account: &str) -> String {
    format!("a:{}", account.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("i:{address}")
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times.front().is_some_and(|t| now.duration_since(*t) > WINDOW) {
        times.pop_front();
    }
}

/// Whose requests a [`RequestLimiter`] counts together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller {
    /// Every session token of one user.
    User(Uuid),
    /// One API key.
    ApiKey(Uuid),
}

/// Requests per caller per minute, as a generic cell rate (GCRA): a caller
/// may send the whole minute's allowance at once, then one more every
/// `60 s / limit`. One instant per caller is all it keeps.
#[derive(Debug)]
pub struct RequestLimiter {
    /// Time that one request uses up; `None` when the limiter is off.
    interval: Option<Duration>,
    /// How far ahead of now a caller's schedule may run: the burst.
    burst: Duration,
    /// Per caller, when its allowance is fully back (the theoretical arrival time).
    schedule: Mutex<HashMap<Caller, Instant>>,
}

/// Callers kept before those whose allowance is back in full are dropped.
const MAX_TRACKED: usize = 100_000;

impl RequestLimiter {
    /// `per_minute` requests per caller per minute; 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        let interval = (per_minute > 0).then(|| Duration::from_secs(60) / per_minute);
        let burst = interval.map_or(Duration::ZERO, |i| i * per_minute.saturating_sub(1));
        Self { interval, burst, schedule: Mutex::new(HashMap::new()) }
    }

    /// Counts one request of `caller`: `Err(seconds to wait)` when it is over the limit
    /// (and then it does not count).
    pub fn check(&self, caller: Caller) -> Result<(), u64> {
        self.check_at(caller, Instant::now())
    }

    fn check_at(&self, caller: Caller, now: Instant) -> Result<(), u64> {
        let Some(interval) = self.interval else { return Ok(()) };
        let mut map = self.schedule.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_TRACKED {
            // Bound memory under a spray of callers: forget those back to a full allowance.
            map.retain(|_, due| *due > now);
        }
        let due = map.get(&caller).copied().filter(|due| *due > now).unwrap_or(now);
        let ahead = due - now;
        if ahead > self.burst {
            let wait = ahead - self.burst;
            // Whole seconds, rounded up: `Retry-After: 0` would invite an instant retry.
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }
        map.insert(caller, due + interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_an_account_after_its_failures() {
        let l = LoginLimiter::new(3, 100);
        for _ in 0..3 {
            assert!(l.check("a@x.io", "1.1.1.1").is_ok());
            l.record_failure("a@x.io", "1.1.1.1");
        }
        assert!(l.check("A@X.io", "2.2.2.2").is_err(), "account key ignores case and address");
        assert!(l.check("b@x.io", "1.1.1.1").is_ok());
    }

    #[test]
    fn locks_an_address_across_accounts() {
        let l = LoginLimiter::new(100, 2);
        l.record_failure("a@x.io", "1.1.1.1");
        l.record_failure("b@x.io", "1.1.1.1");
        assert!(l.check("c@x.io", "1.1.1.1").is_err());
        assert!(l.check("c@x.io", "9.9.9.9").is_ok());
    }

    #[test]
    fn success_clears_the_account() {
        let l = LoginLimiter::new(2, 100);
        l.record_failure("a@x.io", "1.1.1.1");
        l.record_success("a@x.io");
        l.record_failure("a@x.io", "1.1.1.1");
        assert!(l.check("a@x.io", "1.1.1.1").is_ok());
    }

    #[test]
    fn a_caller_gets_the_minutes_allowance_then_waits() {
        let l = RequestLimiter::new(3);
        let (me, other) = (Caller::User(Uuid::now_v7()), Caller::ApiKey(Uuid::now_v7()));
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.check_at(me, t), Ok(()));
        }
        assert_eq!(l.check_at(me, t), Err(20), "one request back every 20 s");
        assert_eq!(l.check_at(other, t), Ok(()), "callers are counted apart");
        assert_eq!(l.check_at(me, t + Duration::from_secs(19)), Err(1));
        assert_eq!(l.check_at(me, t + Duration::from_secs(20)), Ok(()));
        assert!(l.check_at(me, t + Duration::from_secs(20)).is_err());
        // After a quiet minute the whole allowance is back.
        let later = t + Duration::from_secs(120);
        for _ in 0..3 {
            assert_eq!(l.check_at(me, later), Ok(()));
        }
        assert!(l.check_at(me, later).is_err());
    }

    #[test]
    fn zero_turns_the_request_limit_off() {
        let l = RequestLimiter::new(0);
        let me = Caller::User(Uuid::now_v7());
        assert!((0..10_000).all(|_| l.check(me).is_ok()));
    }
}
