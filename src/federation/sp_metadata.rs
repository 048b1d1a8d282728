//! An organization's SP metadata document as served and as the SSO API shows it: its URLs
//! and, when AuthnRequests are signed, its SP signing certificate.

use super::sp_key::sp_key;
use super::{load_config, sp_urls};
use crate::domain::OrgId;
use crate::http::error::{ApiError, ApiResult};
use crate::protocol::saml::sp_metadata::sp_metadata_xml;
use crate::state::AppState;

pub const CONTENT_TYPE: &str = "application/samlmetadata+xml";

/// This org's metadata, with its SP signing certificate when it signs AuthnRequests.
pub async fn sp_metadata_for(state: &AppState, org: &OrgId) -> ApiResult<String> {
    let (entity_id, acs_url) = sp_urls(&state.settings, org);
    let signs = load_config(&state.store, org)
        .await?
        .and_then(|l| l.config.saml)
        .is_some_and(|s| s.sign_authn_requests);
    let cert = if signs {
        let key = sp_key(state, org).await.map_err(|e| {
            tracing::error!(error = %e, "SP signing key unavailable");
            ApiError::internal()
        })?;
        Some(key.certificate_b64())
    } else {
        None
    };
    Ok(sp_metadata_xml(&entity_id, &acs_url, cert.as_deref()))
}
