//! The log-in throttle, shared by the API and the log-in page. An attempt is counted *before*
//! the password is verified, so parallel guesses cannot all slip in before the first failure is
//! recorded; it is counted per account and per source address; and the tables are bounded, so
//! a flood of invented names cannot grow the node's memory.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

/// Attempts allowed per account name within [`THROTTLE_WINDOW`] (a successful log-in clears
/// them).
pub const MAX_FAILED_LOGINS: usize = 5;

/// Failed attempts allowed per source address within [`THROTTLE_WINDOW`], over all names.
pub const MAX_FAILED_PER_SOURCE: usize = 30;

pub const THROTTLE_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// Names and addresses tracked at most; beyond, the stalest is forgotten.
const MAX_TRACKED: usize = 10_000;

/// Why an attempt is turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    Account,
    Source,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    accounts: Mutex<HashMap<String, Vec<Timestamp>>>,
    sources: Mutex<HashMap<IpAddr, Vec<Timestamp>>>,
}

/// Counts an attempt for `key` unless `limit` recent ones are there already.
fn count<K: Eq + Hash + Clone>(
    table: &Mutex<HashMap<K, Vec<Timestamp>>>,
    key: &K,
    limit: usize,
    now: Timestamp,
) -> bool {
    let Ok(mut table) = table.lock() else {
        return false;
    };
    if table.len() >= MAX_TRACKED && !table.contains_key(key) {
        table.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < THROTTLE_WINDOW));
        if table.len() >= MAX_TRACKED {
            let stalest = table
                .iter()
                .min_by_key(|(_, times)| times.last().copied())
                .map(|(k, _)| k.clone());
            if let Some(stalest) = stalest {
                table.remove(&stalest);
            }
        }
    }
    let recent = table.entry(key.clone()).or_default();
    recent.retain(|t| now.duration_since(*t) < THROTTLE_WINDOW);
    if recent.len() >= limit {
        return false;
    }
    recent.push(now);
    true
}

impl LoginThrottle {
    /// Counts an attempt of `account` from `source` before its password is checked; refuses it
    /// when either has had its allowance in the window.
    pub fn begin(&self, account: &str, source: Option<IpAddr>, now: Timestamp) -> Result<(), Throttled> {
        if let Some(ip) = source {
            if !count(&self.sources, &ip, MAX_FAILED_PER_SOURCE, now) {
                return Err(Throttled::Source);
            }
        }
        if !count(&self.accounts, &account.to_owned(), MAX_FAILED_LOGINS, now) {
            self.forget_one(source);
            return Err(Throttled::Account);
        }
        Ok(())
    }

    /// The attempt was right: the account's count starts again, and the source's attempt does
    /// not count as a failure.
    pub fn succeeded(&self, account: &str, source: Option<IpAddr>) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(account);
        }
        self.forget_one(source);
    }

    fn forget_one(&self, source: Option<IpAddr>) {
        if let (Some(ip), Ok(mut sources)) = (source, self.sources.lock()) {
            if let Some(times) = sources.get_mut(&ip) {
                times.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_counted_before_the_answer_per_account_and_per_source() {
        let throttle = LoginThrottle::default();
        let now = Timestamp::UNIX_EPOCH;
        let here: IpAddr = "127.0.0.1".parse().expect("ip");
        let outcomes: Vec<_> = (0..30).map(|_| throttle.begin("nl.dpo", Some(here), now)).collect();
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), MAX_FAILED_LOGINS);
        assert_eq!(throttle.begin("nl.dpo", Some(here), now), Err(Throttled::Account));
        // Another account from the same source still has its allowance, up to the source's.
        let mut allowed = 0;
        for i in 0..100 {
            if throttle.begin(&format!("user{i}"), Some(here), now).is_ok() {
                allowed += 1;
            }
        }
        assert_eq!(allowed, MAX_FAILED_PER_SOURCE - MAX_FAILED_LOGINS);
        // The window passes.
        let later = now + THROTTLE_WINDOW;
        assert!(throttle.begin("nl.dpo", Some(here), later).is_ok());
    }

    #[test]
    fn a_flood_of_names_is_bounded() {
        let throttle = LoginThrottle::default();
        for i in 0..(MAX_TRACKED + 500) {
            let _ = throttle.begin(&format!("n{i}"), None, Timestamp::UNIX_EPOCH);
        }
        assert!(throttle.accounts.lock().expect("lock").len() <= MAX_TRACKED);
    }
}
