//! Per-client limit on the unauthenticated SSO browser routes (`/auth/saml/*/login` and
//! `/callback`, `/auth/oidc/*/login` and `/callback`): each request there may write a flow
//! row or an audit row, so a client past `SSO_RATE_LIMIT_PER_MINUTE` in the current minute
//! is refused before any work. Counted per replica in memory (a flood is stopped where it
//! lands; the database is what it protects), with IPv6 clients grouped by /64.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::clock::Millis;

/// Distinct clients tracked in one minute; past it new clients are let through uncounted
/// rather than refused, so a flood from many addresses cannot lock everyone out.
const MAX_TRACKED: usize = 100_000;

#[derive(Debug)]
pub struct FlowLimiter {
    per_minute: i64,
    window: Mutex<(Millis, HashMap<String, i64>)>,
}

impl FlowLimiter {
    pub fn new(per_minute: i64) -> Self {
        Self {
            per_minute,
            window: Mutex::new((0, HashMap::new())),
        }
    }

    /// Counts one request of `client`; Err(seconds until the window ends) past the limit.
    pub fn allow(&self, client: &str, now: Millis) -> Result<(), u64> {
        let minute = now - now.rem_euclid(60_000);
        let Ok(mut guard) = self.window.lock() else {
            return Ok(());
        };
        let (start, counts) = &mut *guard;
        if *start != minute {
            *start = minute;
            counts.clear();
        }
        if counts.len() >= MAX_TRACKED && !counts.contains_key(client) {
            return Ok(());
        }
        let count = counts.entry(client.to_owned()).or_insert(0);
        *count += 1;
        if *count > self.per_minute {
            let left_ms = minute + 60_000 - now;
            return Err(u64::try_from((left_ms + 999) / 1000).unwrap_or(60).max(1));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_past_the_limit_waits_for_the_next_minute_and_others_are_not_affected() {
        let limiter = FlowLimiter::new(2);
        let t = 120_000 + 15_000;
        assert!(limiter.allow("198.51.100.7", t).is_ok());
        assert!(limiter.allow("198.51.100.7", t).is_ok());
        assert_eq!(limiter.allow("198.51.100.7", t), Err(45));
        assert!(limiter.allow("203.0.113.9", t).is_ok());
        assert!(limiter.allow("198.51.100.7", 180_000).is_ok());
    }
}
