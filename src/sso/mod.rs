//! Single sign-on pieces shared by SAML and OIDC: the configuration API and model,
//! certificates, secret encryption, the SSRF-guarded fetcher and the after-login path.

pub mod api;
pub mod api_misc;
pub mod browser;
pub mod certs;
pub mod config;
pub mod failure;
pub mod fetch;
pub mod login;
pub mod prepare;
pub mod providers;
pub mod secrets;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::clock::Millis;
use crate::config::Settings;
use crate::domain::OrgId;
use crate::saml::response::TrustedKeys;
use crate::store::{Store, StoreResult};
use config::SsoConfig;

/// Per-replica SSO state: the data key and a cache of parsed IdP keys per organization,
/// refreshed whenever the stored configuration changes (its `updated_at`).
#[derive(Debug)]
pub struct SsoRuntime {
    pub keyring: secrets::DataKeyring,
    trusted: Mutex<HashMap<String, (Millis, Arc<TrustedKeys>)>>,
}

/// A stored, enabled-or-not configuration with its version.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    pub config: SsoConfig,
    pub updated_at: Millis,
    pub created_at: Millis,
}

impl SsoRuntime {
    pub fn new(settings: &Settings) -> Result<Self, String> {
        let keyring = secrets::DataKeyring::from_settings(settings);
        keyring.check()?;
        Ok(Self {
            keyring,
            trusted: Mutex::new(HashMap::new()),
        })
    }

    /// The parsed signing keys of the org's SAML configuration, cached per version.
    pub fn trusted_keys(
        &self,
        org: &OrgId,
        loaded: &LoadedConfig,
    ) -> Result<Arc<TrustedKeys>, String> {
        if let Ok(cache) = self.trusted.lock() {
            if let Some((version, keys)) = cache.get(org.as_str()) {
                if *version == loaded.updated_at {
                    return Ok(keys.clone());
                }
            }
        }
        let ders = loaded
            .config
            .saml
            .as_ref()
            .map(|s| {
                s.idp_certificates
                    .iter()
                    .map(|p| certs::pem_to_der(p))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let keys = Arc::new(TrustedKeys::from_der_certs(&ders)?);
        if let Ok(mut cache) = self.trusted.lock() {
            cache.insert(org.as_str().to_owned(), (loaded.updated_at, keys.clone()));
        }
        Ok(keys)
    }
}

/// Reads and parses the org's configuration; a stored row that no longer parses is
/// reported as absent (and logged), never as a 500.
pub async fn load_config(store: &Store, org: &OrgId) -> StoreResult<Option<LoadedConfig>> {
    Ok(store
        .get_sso_config(org)
        .await?
        .and_then(|record| parse_record(org, record)))
}

/// The org's status and parsed configuration in one query; None when the org is unknown.
pub async fn load_org_config(
    store: &Store,
    org: &OrgId,
) -> StoreResult<Option<(String, Option<LoadedConfig>)>> {
    Ok(store
        .get_org_sso(org)
        .await?
        .map(|(status, record)| (status, record.and_then(|r| parse_record(org, r)))))
}

fn parse_record(org: &OrgId, record: crate::store::SsoConfigRecord) -> Option<LoadedConfig> {
    match serde_json::from_str::<serde_json::Value>(&record.config)
        .map_err(|e| e.to_string())
        .and_then(|v| SsoConfig::from_json(v).map_err(|e| e.message))
    {
        Ok(config) => Some(LoadedConfig {
            config,
            updated_at: record.updated_at,
            created_at: record.created_at,
        }),
        Err(e) => {
            tracing::error!(org = %org, error = %e, "stored SSO configuration does not parse");
            None
        }
    }
}

/// SP entity id and ACS URL of an organization (CONTRACT.md §7).
pub fn sp_urls(settings: &Settings, org: &OrgId) -> (String, String) {
    let base = format!("{}/auth/saml/{}", settings.public_url, org);
    (format!("{base}/metadata"), format!("{base}/callback"))
}
