//! Per-replica OIDC relying-party runtime: the outbound client and the discovery and JWKS
//! caches, shared by the login flow and the SSO configuration checks.

use std::sync::Arc;

use super::discovery::{DiscoveryCache, DiscoveryError, ProviderMetadata};
use super::jwks::JwksCache;
use crate::clock::Millis;
use crate::config::Settings;
use crate::net::http::{OutboundHttp, OutboundPolicy};

/// Per-replica OIDC state: the outbound client and the two caches.
#[derive(Debug)]
pub struct OidcRuntime {
    pub http: OutboundHttp,
    pub discovery: DiscoveryCache,
    pub jwks: JwksCache,
}

impl OidcRuntime {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            http: OutboundHttp::new(OutboundPolicy::from_settings(settings)),
            discovery: DiscoveryCache::default(),
            jwks: JwksCache::new(settings.oidc_jwks_min_refetch_secs),
        }
    }

    /// The provider's metadata, from the cache when fresh.
    pub async fn metadata(
        &self,
        issuer: &str,
        now: Millis,
    ) -> Result<Arc<ProviderMetadata>, DiscoveryError> {
        let http = self.http.clone();
        let fetch = move |url: String| async move { http.get(&url).await };
        self.discovery
            .get(issuer, &self.http.policy, now, fetch)
            .await
    }

    /// Discovery right now (a configuration is being saved); the result is cached.
    pub async fn discover_now(
        &self,
        issuer: &str,
        now: Millis,
    ) -> Result<Arc<ProviderMetadata>, DiscoveryError> {
        let http = self.http.clone();
        let fetch = move |url: String| async move { http.get(&url).await };
        self.discovery
            .refresh(issuer, &self.http.policy, now, fetch)
            .await
    }
}
