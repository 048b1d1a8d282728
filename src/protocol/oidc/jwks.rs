//! Per-replica JWKS cache, one entry per organization. A token whose `kid` is not in the
//! cached set triggers a refetch (the provider may have rotated its keys, OIDC Core 1.0
//! §10.1.1), but at most once per short interval per organization, so forged `kid`s cannot
//! make this service hammer the provider; after that the token fails with `kid_unknown`.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use super::keys::{Alg, KeySet};
use super::reason::OidcReason;
use crate::clock::Millis;
use crate::domain::OrgId;
use crate::net::http::HttpError;

/// Cached key sets are refetched after this long even when every `kid` is known.
pub const MAX_AGE_MS: Millis = 24 * 3600 * 1000;

#[derive(Debug, Default)]
struct Entry {
    jwks_uri: String,
    keys: Option<Arc<KeySet>>,
    fetched_at: Millis,
    /// Last fetch attempt, successful or not: the rate limit counts from here.
    attempted_at: Option<Millis>,
    /// Why the last attempt failed, repeated while the rate limit holds and no keys exist.
    last_error: Option<String>,
}

#[derive(Debug)]
pub struct JwksCache {
    entries: Mutex<HashMap<String, Entry>>,
    min_refetch_ms: Millis,
}

/// Why no key was found.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyLookupError {
    /// No key with this `kid` even after the refetch the rate limit allowed.
    KidUnknown,
    /// The JWKS could not be fetched or parsed; the sentence says what failed.
    FetchFailed(String),
}

impl KeyLookupError {
    pub fn reason(&self) -> OidcReason {
        match self {
            Self::KidUnknown => OidcReason::KidUnknown,
            Self::FetchFailed(_) => OidcReason::JwksFetchFailed,
        }
    }
}

impl JwksCache {
    pub fn new(min_refetch_secs: i64) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            min_refetch_ms: min_refetch_secs.saturating_mul(1000),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The key set that holds a key for (`kid`, `alg`), fetching with `fetch` when the cache
    /// has none and the rate limit allows.
    pub async fn key_set_for<F, Fut>(
        &self,
        org: &OrgId,
        jwks_uri: &str,
        kid: Option<&str>,
        alg: Alg,
        now: Millis,
        fetch: F,
    ) -> Result<Arc<KeySet>, KeyLookupError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<Vec<u8>, HttpError>>,
    {
        // Keys older than MAX_AGE_MS that hold the kid: used only if a refetch fails.
        let stale = {
            let mut entries = self.lock();
            let entry = entries.entry(org.to_string()).or_default();
            if entry.jwks_uri != jwks_uri {
                *entry = Entry {
                    jwks_uri: jwks_uri.to_owned(),
                    ..Entry::default()
                };
            }
            let holding = entry.keys.clone().filter(|k| k.find(kid, alg).is_some());
            if now - entry.fetched_at < MAX_AGE_MS {
                if let Some(keys) = holding {
                    return Ok(keys);
                }
            }
            let may_fetch = entry
                .attempted_at
                .is_none_or(|at| now - at >= self.min_refetch_ms);
            if !may_fetch {
                return match (holding, &entry.last_error, &entry.keys) {
                    (Some(keys), _, _) => Ok(keys),
                    (None, Some(error), None) => Err(KeyLookupError::FetchFailed(error.clone())),
                    _ => Err(KeyLookupError::KidUnknown),
                };
            }
            // Claimed before the lock is released: concurrent callers do not fetch too.
            entry.attempted_at = Some(now);
            holding
        };
        let fetched = match fetch(jwks_uri.to_owned()).await {
            Ok(body) => KeySet::parse(&body),
            Err(e) => Err(format!("fetching the JWKS: {e}")),
        };
        let mut entries = self.lock();
        let entry = entries.entry(org.to_string()).or_default();
        let same_uri = entry.jwks_uri == jwks_uri;
        let keys = match fetched {
            Ok(keys) => Arc::new(keys),
            Err(error) => {
                if same_uri {
                    entry.last_error = Some(error.clone());
                }
                return stale.ok_or(KeyLookupError::FetchFailed(error));
            }
        };
        if same_uri {
            entry.keys = Some(keys.clone());
            entry.fetched_at = now;
            entry.last_error = None;
        }
        if keys.find(kid, alg).is_some() {
            Ok(keys)
        } else {
            Err(KeyLookupError::KidUnknown)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::protocol::oidc::test_support::{ec_jwk, rsa_jwk};

    fn org(id: &str) -> OrgId {
        OrgId::parse(id).unwrap()
    }

    fn body(keys: &[serde_json::Value]) -> Vec<u8> {
        serde_json::json!({ "keys": keys }).to_string().into_bytes()
    }

    #[tokio::test]
    async fn known_kids_are_served_from_the_cache() {
        let cache = JwksCache::new(30);
        let counter = AtomicUsize::new(0);
        let fetches = &counter;
        let fetch = move |_| async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok(body(&[rsa_jwk("k1")]))
        };
        let a = org("acme");
        for t in 0..3 {
            let set = cache
                .key_set_for(
                    &a,
                    "https://i/jwks",
                    Some("k1"),
                    Alg::Rs256,
                    t * 1000,
                    fetch,
                )
                .await;
            assert!(set.is_ok());
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_unknown_kid_refetches_at_most_once_per_interval_per_org() {
        let cache = JwksCache::new(30);
        let counter = AtomicUsize::new(0);
        let flag = std::sync::atomic::AtomicBool::new(false);
        let (fetches, rotated) = (&counter, &flag);
        let fetch = move |_| async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok(if rotated.load(Ordering::SeqCst) {
                body(&[rsa_jwk("k2")])
            } else {
                body(&[rsa_jwk("k1")])
            })
        };
        let (a, b) = (org("acme"), org("beta"));
        let uri = "https://i/jwks";
        assert!(cache
            .key_set_for(&a, uri, Some("k1"), Alg::Rs256, 0, fetch)
            .await
            .is_ok());
        // A forged kid right after the first fetch does not refetch; 30 s later one miss
        // refetches, and the next ones within 30 s do not.
        for t in [1_000, 31_000, 32_000, 60_000] {
            let err = cache
                .key_set_for(&a, uri, Some("zz"), Alg::Rs256, t, fetch)
                .await;
            assert_eq!(err.unwrap_err(), KeyLookupError::KidUnknown);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        // Another organization has its own budget.
        assert!(cache
            .key_set_for(&b, uri, Some("k1"), Alg::Rs256, 32_000, fetch)
            .await
            .is_ok());
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
        // After the interval, a rotated key is picked up.
        rotated.store(true, Ordering::SeqCst);
        let got = cache
            .key_set_for(&a, uri, Some("k2"), Alg::Rs256, 61_000, fetch)
            .await;
        assert!(got.is_ok());
        assert_eq!(fetches.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn fetch_failures_and_wrong_key_types_are_typed() {
        let cache = JwksCache::new(30);
        let a = org("acme");
        let failing = |_| async move { Err(HttpError::Failed("the connection failed".into())) };
        let err = cache
            .key_set_for(&a, "https://i/jwks", Some("k1"), Alg::Rs256, 0, failing)
            .await
            .unwrap_err();
        assert_eq!(err.reason(), OidcReason::JwksFetchFailed);
        // Within the interval the failure is repeated, not turned into kid_unknown.
        let again = cache
            .key_set_for(&a, "https://i/jwks", Some("k1"), Alg::Rs256, 1_000, failing)
            .await
            .unwrap_err();
        assert_eq!(again.reason(), OidcReason::JwksFetchFailed);
        let ec_only = |_| async move { Ok(body(&[ec_jwk("k1")])) };
        let err = cache
            .key_set_for(
                &a,
                "https://i/jwks",
                Some("k1"),
                Alg::Rs256,
                60_000,
                ec_only,
            )
            .await
            .unwrap_err();
        assert_eq!(err, KeyLookupError::KidUnknown);
    }

    #[tokio::test]
    async fn a_failing_provider_repeats_its_error_and_old_keys_survive_an_outage() {
        let cache = JwksCache::new(30);
        let a = org("acme");
        let uri = "https://i/jwks";
        let failing = |_| async move { Err(HttpError::Failed("the connection failed".into())) };
        let first = cache
            .key_set_for(&a, uri, Some("k1"), Alg::Rs256, 0, failing)
            .await;
        let again = cache
            .key_set_for(&a, uri, Some("k1"), Alg::Rs256, 1_000, failing)
            .await;
        assert_eq!(first.unwrap_err().reason(), OidcReason::JwksFetchFailed);
        assert_eq!(again.unwrap_err().reason(), OidcReason::JwksFetchFailed);
        let good = |_| async move { Ok(body(&[rsa_jwk("k1")])) };
        assert!(cache
            .key_set_for(&a, uri, Some("k1"), Alg::Rs256, 31_000, good)
            .await
            .is_ok());
        // A day later the keys are due for a refetch; the provider is down: they still serve.
        let later = 31_000 + MAX_AGE_MS;
        assert!(cache
            .key_set_for(&a, uri, Some("k1"), Alg::Rs256, later, failing)
            .await
            .is_ok());
        assert!(cache
            .key_set_for(&a, uri, Some("k1"), Alg::Rs256, later + 1, failing)
            .await
            .is_ok());
    }
}
