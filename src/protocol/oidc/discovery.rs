//! OpenID Provider discovery (OIDC Discovery 1.0 §4): fetch
//! `{issuer}/.well-known/openid-configuration`, require the document's `issuer` to equal the
//! configured issuer exactly (§4.3), and keep a per-replica cache that refreshes.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use super::keys::Alg;
use crate::clock::Millis;
use crate::net::http::{HttpError, OutboundPolicy};

/// A cached document is refetched after this long.
pub const REFRESH_MS: Millis = 3600 * 1000;
/// When a refresh fails, a cached document this young is still used.
pub const STALE_OK_MS: Millis = 24 * 3600 * 1000;

/// The parts of the provider metadata axid uses.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
}

/// Why discovery failed, as a sentence for the 422 on save and the audit detail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DiscoveryError(pub String);

/// The discovery URL of §4.1: the issuer without a trailing slash, then the well-known path.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// Parses and checks a discovery document for `issuer` (the configured value, as entered).
pub fn parse_metadata(
    issuer: &str,
    body: &[u8],
    policy: &OutboundPolicy,
) -> Result<ProviderMetadata, DiscoveryError> {
    let meta: ProviderMetadata = serde_json::from_slice(body).map_err(|_| {
        DiscoveryError(
            "the discovery document is not JSON with issuer, authorization_endpoint, \
             token_endpoint and jwks_uri"
                .into(),
        )
    })?;
    if meta.issuer != issuer {
        return Err(DiscoveryError(format!(
            "the discovery document's issuer {:?} is not exactly the configured issuer {issuer:?}",
            meta.issuer
        )));
    }
    for (name, url) in [
        ("authorization_endpoint", &meta.authorization_endpoint),
        ("token_endpoint", &meta.token_endpoint),
        ("jwks_uri", &meta.jwks_uri),
    ] {
        policy
            .check_url(url)
            .map_err(|e| DiscoveryError(format!("{name}: {e}")))?;
    }
    if let Some(methods) = &meta.code_challenge_methods_supported {
        if !methods.iter().any(|m| m == "S256") {
            return Err(DiscoveryError(
                "the provider does not support PKCE with S256 (code_challenge_methods_supported)"
                    .into(),
            ));
        }
    }
    let algs = &meta.id_token_signing_alg_values_supported;
    if !algs.is_empty() && !algs.iter().any(|a| Alg::parse(a).is_some()) {
        return Err(DiscoveryError(format!(
            "the provider signs ID tokens only with {algs:?}; axid accepts RS*, PS*, ES256, ES384 and EdDSA"
        )));
    }
    Ok(meta)
}

#[derive(Debug)]
struct Cached {
    meta: Arc<ProviderMetadata>,
    fetched_at: Millis,
}

/// Discovery documents by issuer, shared by every organization on this replica.
#[derive(Debug, Default)]
pub struct DiscoveryCache {
    entries: Mutex<HashMap<String, Cached>>,
}

impl DiscoveryCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The metadata of `issuer`: cached when fresh, else fetched with `fetch` (given the
    /// discovery URL); on a failed refresh a not-too-stale copy is kept.
    pub async fn get<F, Fut>(
        &self,
        issuer: &str,
        policy: &OutboundPolicy,
        now: Millis,
        fetch: F,
    ) -> Result<Arc<ProviderMetadata>, DiscoveryError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<Vec<u8>, HttpError>>,
    {
        let cached = self
            .lock()
            .get(issuer)
            .map(|c| (c.meta.clone(), c.fetched_at));
        if let Some((meta, at)) = &cached {
            if now - at < REFRESH_MS {
                return Ok(meta.clone());
            }
        }
        match self.refresh(issuer, policy, now, fetch).await {
            Ok(meta) => Ok(meta),
            Err(e) => match cached {
                Some((meta, at)) if now - at < STALE_OK_MS => {
                    tracing::warn!(issuer, error = %e, "OIDC discovery refresh failed; using the cached document");
                    Ok(meta)
                }
                _ => Err(e),
            },
        }
    }

    /// Fetches now (configuration save, or an expired entry) and caches the result.
    pub async fn refresh<F, Fut>(
        &self,
        issuer: &str,
        policy: &OutboundPolicy,
        now: Millis,
        fetch: F,
    ) -> Result<Arc<ProviderMetadata>, DiscoveryError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<Vec<u8>, HttpError>>,
    {
        let url = discovery_url(issuer);
        policy
            .check_url(&url)
            .map_err(|e| DiscoveryError(format!("issuer: {e}")))?;
        let body = fetch(url)
            .await
            .map_err(|e| DiscoveryError(format!("fetching the discovery document: {e}")))?;
        let meta = Arc::new(parse_metadata(issuer, &body, policy)?);
        self.lock().insert(
            issuer.to_owned(),
            Cached {
                meta: meta.clone(),
                fetched_at: now,
            },
        );
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;

    use super::*;

    const POLICY: OutboundPolicy = OutboundPolicy {
        allow_http: false,
        allow_private: false,
    };

    fn doc(issuer: &str) -> Vec<u8> {
        json!({"issuer": issuer, "authorization_endpoint": "https://idp.example/auth",
            "token_endpoint": "https://idp.example/token", "jwks_uri": "https://idp.example/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"]})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn the_discovery_url_drops_one_trailing_slash_of_the_issuer() {
        assert_eq!(
            discovery_url("https://acme.okta.com/"),
            "https://acme.okta.com/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://login.microsoftonline.com/t/v2.0"),
            "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"
        );
    }

    #[test]
    fn the_documents_issuer_must_equal_the_configured_one_exactly() {
        assert!(
            parse_metadata("https://idp.example", &doc("https://idp.example"), &POLICY).is_ok()
        );
        let err = parse_metadata("https://idp.example/", &doc("https://idp.example"), &POLICY);
        assert!(err.unwrap_err().0.contains("not exactly"));
    }

    #[test]
    fn insecure_endpoints_missing_s256_and_symmetric_only_providers_are_refused() {
        let mut bad = serde_json::from_slice::<serde_json::Value>(&doc("https://i")).unwrap();
        bad["token_endpoint"] = json!("http://idp.example/token");
        let err = parse_metadata("https://i", bad.to_string().as_bytes(), &POLICY).unwrap_err();
        assert!(err.0.starts_with("token_endpoint"), "{err}");
        let mut plain = serde_json::from_slice::<serde_json::Value>(&doc("https://i")).unwrap();
        plain["code_challenge_methods_supported"] = json!(["plain"]);
        assert!(parse_metadata("https://i", plain.to_string().as_bytes(), &POLICY).is_err());
        let mut hs = serde_json::from_slice::<serde_json::Value>(&doc("https://i")).unwrap();
        hs["id_token_signing_alg_values_supported"] = json!(["HS256", "none"]);
        assert!(parse_metadata("https://i", hs.to_string().as_bytes(), &POLICY).is_err());
        assert!(parse_metadata("https://i", b"<html>", &POLICY).is_err());
    }

    #[tokio::test]
    async fn the_cache_refreshes_after_an_hour_and_survives_a_failed_refresh() {
        let cache = DiscoveryCache::default();
        let counter = AtomicUsize::new(0);
        let fetches = &counter;
        let ok = move |_| async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok(doc("https://i"))
        };
        cache.get("https://i", &POLICY, 0, ok).await.unwrap();
        cache.get("https://i", &POLICY, 60_000, ok).await.unwrap();
        assert_eq!(counter.load(Ordering::SeqCst), 1);
        cache
            .get("https://i", &POLICY, REFRESH_MS + 1, ok)
            .await
            .unwrap();
        assert_eq!(counter.load(Ordering::SeqCst), 2);
        let down = |_| async move { Err(HttpError::Failed("the connection failed".into())) };
        let stale = cache
            .get("https://i", &POLICY, 2 * REFRESH_MS + 2, down)
            .await;
        assert!(stale.is_ok());
        let err = cache
            .get("https://other", &POLICY, 0, down)
            .await
            .unwrap_err();
        assert!(err.0.contains("connection failed"), "{err}");
    }
}
