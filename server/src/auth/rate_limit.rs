//! Failed-login limiter: per account and per client address, in a sliding
//! 15-minute window. In memory, so with several processes each keeps its own
//! count (the limit per process still bounds guessing).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
}
