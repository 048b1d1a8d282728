//! Pieces every browser SSO flow and the SSO configuration API share: the configuration
//! model and its loading, provider defaults, refusals and the failure page, the SP's
//! identity (URLs, signing key, metadata) and the OIDC provider checks.

pub mod browser;
pub mod cert_watch;
pub mod config;
pub mod failure;
pub mod jobs;
pub mod metadata_merge;
pub mod metadata_refresh;
pub mod oidc_checks;
pub mod providers;
pub mod sp_key_rotation;
pub mod sp_keys;
pub mod sp_metadata;

use crate::clock::Millis;
use crate::config::Settings;
use crate::domain::OrgId;
use crate::store::{Store, StoreResult};
use config::SsoConfig;

/// A stored, enabled-or-not configuration with its version.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    pub config: SsoConfig,
    pub updated_at: Millis,
    pub created_at: Millis,
}

impl LoadedConfig {
    /// The IdP signing certificates of its SAML part (none for OIDC).
    pub fn idp_certificates(&self) -> &[String] {
        self.config
            .saml
            .as_ref()
            .map(|s| s.idp_certificates.as_slice())
            .unwrap_or(&[])
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
