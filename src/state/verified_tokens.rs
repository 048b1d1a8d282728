//! Access tokens whose signature, `typ` and issuer this replica has already checked, kept
//! with their claims until they expire, so a service presenting the same token on every
//! call costs a lookup instead of a signature check and a JSON parse. Only the signature
//! work is remembered: whether the client, secret, user and organization are still live is
//! read from the database on every request (CONTRACT.md §14), and `exp` is checked anew.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value};

use crate::clock::Millis;

/// A bound on memory (a Bearer header is at most 1 KiB): past it, expired entries go, then
/// everything (checking a signature again is cheap compared with unbounded growth).
const MAX_ENTRIES: usize = 20_000;

struct Entry {
    claims: Arc<Map<String, Value>>,
    expires_at: Millis,
}

#[derive(Default)]
pub struct VerifiedTokens {
    entries: RwLock<HashMap<Box<str>, Entry>>,
}

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedTokens")
    }
}

impl VerifiedTokens {
    /// The claims of `token` if it was verified here and has not expired at `now`.
    pub fn get(&self, token: &str, now: Millis) -> Option<Arc<Map<String, Value>>> {
        let entries = self.entries.read().ok()?;
        let entry = entries.get(token)?;
        (now < entry.expires_at).then(|| entry.claims.clone())
    }

    pub fn put(&self, token: &str, claims: Map<String, Value>, expires_at: Millis, now: Millis) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.expires_at > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        let claims = Arc::new(claims);
        entries.insert(token.into(), Entry { claims, expires_at });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verified_token_is_remembered_until_it_expires_and_others_are_not() {
        let cache = VerifiedTokens::default();
        let mut claims = Map::new();
        claims.insert("sub".into(), Value::from("axc_1"));
        cache.put("a.b.c", claims, 10_000, 0);
        assert_eq!(cache.get("a.b.c", 9_999).unwrap()["sub"], "axc_1");
        assert!(cache.get("a.b.c", 10_000).is_none(), "expired");
        assert!(cache.get("a.b.d", 1).is_none(), "another token string");
    }
}
