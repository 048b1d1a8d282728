//! Starting an SP-initiated SAML sign-in (CONTRACT.md §7, SAML bindings §3.4): a fresh
//! AuthnRequest whose id is stored with the flow, the browser binding cookie, and the
//! redirect to the IdP. Shared by `/auth/saml/{org}/login` and the test sign-in of a
//! draft configuration (§16), whose flow is marked so the ACS changes nothing.

use actix_web::cookie::Cookie;
use actix_web::http::header;
use actix_web::HttpResponse;

use crate::config::Settings;
use crate::domain::{hash_secret, OrgId};
use crate::federation::config::SamlConfig;
use crate::federation::sp_keys::{signing_key, SIG_ALG};
use crate::federation::sp_urls;
use crate::protocol::binding::{binding_cookie, new_binding, Return};
use crate::protocol::saml::authn_request as ar;
use crate::state::AppState;
use crate::store::{FlowPurpose, NewSamlFlow};

/// The cookie that binds a SAML flow to the browser that started it (login CSRF).
pub const FLOW_COOKIE: &str = "axid_saml_flow";

/// The binding cookie, sent back with the IdP's cross-site POST to this org's ACS.
fn flow_cookie(org: &OrgId, value: String, settings: &Settings) -> Cookie<'static> {
    binding_cookie(
        FLOW_COOKIE,
        format!("/auth/saml/{org}/"),
        value,
        ar::FLOW_TTL_MS / 1000,
        Return::CrossSitePost,
        settings,
    )
}

/// What the sign-in is for and what the IdP is asked.
pub struct SamlStart<'a> {
    /// Where the browser goes once the flow completes (a safe relative path).
    pub return_to: &'a str,
    pub force_authn: bool,
    pub login_hint: Option<&'a str>,
    pub purpose: FlowPurpose,
}

/// Why a sign-in could not start.
pub enum StartError {
    /// The configuration has no IdP SSO URL to send the request to.
    NoSsoUrl,
    Unavailable(String),
}

/// The redirect to the IdP with the AuthnRequest, signed when the configuration asks for it.
pub async fn begin(
    state: &AppState,
    org: &OrgId,
    saml: &SamlConfig,
    start: SamlStart<'_>,
) -> Result<HttpResponse, StartError> {
    let Some(idp_sso_url) = saml.idp_sso_url.as_deref() else {
        return Err(StartError::NoSsoUrl);
    };
    let (entity_id, acs_url) = sp_urls(&state.settings, org);
    let now = state.clock.now_ms();
    let request_id = ar::new_request_id();
    let relay_state = ar::new_relay_state();
    let binding = new_binding();
    let flow = NewSamlFlow {
        relay_state_hash: &ar::relay_state_hash(&relay_state),
        request_id: &request_id,
        return_to: start.return_to,
        binding_hash: &hash_secret(&binding),
        purpose: start.purpose,
    };
    state
        .store
        .insert_saml_flow(org, &flow, now, now + ar::FLOW_TTL_MS)
        .await
        .map_err(|e| StartError::Unavailable(e.to_string()))?;
    let xml = ar::with_hints(
        ar::authn_request_xml(&request_id, now, idp_sso_url, &acs_url, &entity_id),
        start.force_authn,
        start.login_hint.filter(|h| !h.is_empty() && h.len() <= 256),
    );
    let encoded = ar::deflate_base64(&xml);
    let query = if saml.sign_authn_requests {
        // SAML bindings §3.4.4.1: sign "SAMLRequest=..&RelayState=..&SigAlg=.." as sent.
        let key = signing_key(state, org)
            .await
            .map_err(|e| StartError::Unavailable(e.to_string()))?;
        let signed = ar::redirect_query(&encoded, &relay_state, Some(SIG_ALG));
        let signature = key.sign(signed.as_bytes());
        ar::with_signature(signed, &signature)
    } else {
        ar::redirect_query(&encoded, &relay_state, None)
    };
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, ar::redirect_url(idp_sso_url, &query)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(flow_cookie(org, binding, &state.settings))
        .finish())
}
