//! Signed JWTs reused until a fifth of their lifetime remains: the downstream JWTs of
//! `/auth/verify` (`X-Axid-Jwt`, CONTRACT.md §14) per (session or client, audience), and
//! client credentials access tokens per (client, secret, audience, scope). The entry also
//! remembers what it asserted: a changed role, email or signing key signs anew.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use crate::clock::Millis;

/// A digest of what a JWT asserts besides its times, for `get` and `put`.
pub fn fingerprint(parts: &[&str]) -> u64 {
    let digest = Sha256::digest(parts.join("\n").as_bytes());
    u64::from_be_bytes(digest[..8].try_into().unwrap_or_default())
}

/// A bound on memory: past it, expired entries go, then everything (re-signing is cheap
/// compared with unbounded growth).
const MAX_ENTRIES: usize = 100_000;

struct Entry {
    fingerprint: u64,
    jwt: Arc<str>,
    /// Reuse until here: a fifth of the lifetime before `exp`.
    fresh_until: Millis,
    expires_at: Millis,
}

#[derive(Default)]
pub struct JwtCache {
    entries: RwLock<HashMap<String, Entry>>,
}

impl std::fmt::Debug for JwtCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtCache")
    }
}

impl JwtCache {
    pub fn get(&self, key: &str, fingerprint: u64, now: Millis) -> Option<Arc<str>> {
        self.get_with_expiry(key, fingerprint, now)
            .map(|(jwt, _)| jwt)
    }

    /// The fresh JWT and its `exp` in milliseconds (a reused access token reports the
    /// lifetime it has left, RFC 6749 §5.1 `expires_in`).
    pub fn get_with_expiry(
        &self,
        key: &str,
        fingerprint: u64,
        now: Millis,
    ) -> Option<(Arc<str>, Millis)> {
        let entries = self.entries.read().ok()?;
        let entry = entries.get(key)?;
        (entry.fingerprint == fingerprint && now < entry.fresh_until)
            .then(|| (entry.jwt.clone(), entry.expires_at))
    }

    pub fn put(
        &self,
        key: String,
        fingerprint: u64,
        jwt: Arc<str>,
        issued_at: Millis,
        expires_at: Millis,
    ) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.expires_at > issued_at);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        let fresh_until = expires_at - (expires_at - issued_at) / 5;
        entries.insert(
            key,
            Entry {
                fingerprint,
                jwt,
                fresh_until,
                expires_at,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwt_is_reused_until_a_fifth_of_its_lifetime_remains_and_never_for_other_claims() {
        let cache = JwtCache::default();
        cache.put("s1|app".into(), 7, Arc::from("jwt-1"), 0, 300_000);
        assert_eq!(cache.get("s1|app", 7, 239_999).as_deref(), Some("jwt-1"));
        assert!(
            cache.get("s1|app", 7, 240_000).is_none(),
            "past four fifths: sign anew"
        );
        assert!(
            cache.get("s1|app", 8, 1).is_none(),
            "other roles or email: sign anew"
        );
        assert!(cache.get("s1|other", 7, 1).is_none());
    }
}
