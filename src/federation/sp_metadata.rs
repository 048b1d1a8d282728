//! An organization's SP metadata document as served and as the SSO API shows it: its URLs
//! and the certificates of its SP key ring that the configuration calls for.

use super::sp_keys::published_certificates;
use super::{load_config, sp_urls};
use crate::domain::OrgId;
use crate::http::error::{ApiError, ApiResult};
use crate::protocol::saml::sp_metadata::sp_metadata_xml;
use crate::state::AppState;
use crate::store::KeyUse;

pub const CONTENT_TYPE: &str = "application/samlmetadata+xml";

/// This org's metadata: signing certificates when it signs AuthnRequests, encryption
/// certificates when it accepts encrypted assertions.
pub async fn sp_metadata_for(state: &AppState, org: &OrgId) -> ApiResult<String> {
    let (entity_id, acs_url) = sp_urls(&state.settings, org);
    let saml = load_config(&state.store, org)
        .await?
        .and_then(|l| l.config.saml)
        .unwrap_or_default();
    let certs = |wanted: bool, key_use: KeyUse| async move {
        if !wanted {
            return Ok(Vec::new());
        }
        published_certificates(state, org, key_use)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, key_use = key_use.as_str(), "SP key unavailable");
                ApiError::internal()
            })
    };
    let signing = certs(saml.sign_authn_requests, KeyUse::Signing).await?;
    let encryption = certs(saml.accept_encrypted_assertions, KeyUse::Encryption).await?;
    Ok(sp_metadata_xml(&entity_id, &acs_url, &signing, &encryption))
}
