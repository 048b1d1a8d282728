//! The async part of saving a configuration: IdP metadata (inline or fetched under the
//! SSRF guard) fills the SAML fields, the OIDC hook runs, secrets are encrypted.

use serde_json::Value;

use crate::federation::config::{
    invalid, validate_common, validate_saml, ConfigError, OidcConfig, SsoConfig,
};
use crate::net::document::fetch_text;
use crate::protocol::saml::idp_metadata::parse_idp_metadata;
use crate::state::AppState;

impl From<ConfigError> for crate::http::error::ApiError {
    /// A refused configuration is a 422 naming the field's problem.
    fn from(e: ConfigError) -> Self {
        crate::http::error::ApiError::unprocessable(e.code, e.message)
    }
}

/// The read-only keys configuration reads add to `saml` (the metadata refresh state,
/// CONTRACT.md §17); a PUT that sends them back is not refused.
pub const READ_ONLY_SAML_KEYS: [&str; 3] = ["last_fetched_at", "last_error", "next_fetch_at"];

/// From the request JSON (already merged for PATCH) to a configuration ready to store.
/// `previous` supplies the encrypted client secret when the request leaves it out.
pub async fn prepare(
    state: &AppState,
    mut input: Value,
    previous: Option<&SsoConfig>,
) -> Result<SsoConfig, ConfigError> {
    // The encrypted form is ours alone: a client may not set it.
    if let Some(oidc) = input.get_mut("oidc").and_then(Value::as_object_mut) {
        oidc.remove("client_secret_enc");
        oidc.remove("client_secret_set");
    }
    // What reads add to `saml` may come back in a PUT of a read body: not configuration.
    if let Some(saml) = input.get_mut("saml").and_then(Value::as_object_mut) {
        for key in READ_ONLY_SAML_KEYS {
            saml.remove(key);
        }
    }
    let mut cfg = SsoConfig::from_json(input)?;
    validate_common(&mut cfg)?;
    let now = state.clock.now_ms();
    if let Some(saml) = cfg.saml.as_mut() {
        let metadata_xml = match (&saml.metadata_xml, &saml.metadata_url) {
            (Some(xml), _) if !xml.trim().is_empty() => Some(xml.clone()),
            (_, Some(url)) if !url.trim().is_empty() => Some(
                fetch_text(url, state.settings.sso_fetch_allow_private)
                    .await
                    .map_err(|e| {
                        invalid(
                            "metadata_fetch_failed",
                            format!("fetching metadata_url failed: {e}"),
                        )
                    })?,
            ),
            _ => None,
        };
        if let Some(xml) = metadata_xml {
            let md = parse_idp_metadata(&xml).map_err(|e| invalid("invalid_metadata", e))?;
            saml.idp_entity_id = Some(md.entity_id);
            saml.idp_sso_url = Some(md.sso_url);
            saml.idp_certificates = md.certificates;
        }
        if cfg.protocol == crate::federation::config::Protocol::Saml
            || !saml.idp_certificates.is_empty()
        {
            validate_saml(saml, now)?;
        }
    }
    if let Some(oidc) = cfg.oidc.as_mut() {
        let previous_secret = previous
            .and_then(|p| p.oidc.as_ref())
            .and_then(|o| o.client_secret_enc.clone());
        let active = cfg.protocol == crate::federation::config::Protocol::Oidc;
        prepare_oidc(state, oidc, &cfg.provider, active).await?;
        oidc.client_secret_enc = match oidc.client_secret.take() {
            Some(secret) if !secret.is_empty() => Some(
                state
                    .sso
                    .keyring
                    .encrypt(secret.as_bytes())
                    .map_err(|e| invalid("encryption_unavailable", e))?,
            ),
            _ => previous_secret,
        };
        if active && oidc.client_secret_enc.is_none() {
            return Err(invalid(
                "missing_client_secret",
                "oidc.client_secret is required (axid authenticates to the token endpoint with client_secret_basic)",
            ));
        }
    }
    Ok(cfg)
}

/// OIDC hook: shape checks, then (for the active protocol) discovery at save time
/// (`crate::federation::oidc_checks`); a failure is a 422 naming what failed.
pub async fn prepare_oidc(
    state: &AppState,
    oidc: &mut OidcConfig,
    provider: &str,
    active: bool,
) -> Result<(), ConfigError> {
    if !active {
        return Ok(());
    }
    crate::federation::oidc_checks::check_shape(oidc, provider, &state.oidc.http.policy)?;
    crate::federation::oidc_checks::discover(&state.oidc, &oidc.issuer, state.clock.now_ms()).await
}
