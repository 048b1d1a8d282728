//! `GET /auth/saml/{tenantID}/metadata` and `/login` (CONTRACT.md §7): the SP metadata, and
//! the redirect to the IdP with a fresh AuthnRequest whose id is stored with the flow.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use actix_web::cookie::Cookie;

use crate::config::Settings;
use crate::domain::{hash_secret, OrgId};
use crate::federation::browser::{enabled_config, unavailable, within_flow_limit, Refusal};
use crate::federation::config::Protocol;
use crate::federation::failure::{render, FixSide, SsoFailure};
use crate::federation::sp_metadata::{sp_metadata_for, CONTENT_TYPE};
use crate::federation::{load_org_config, sp_urls, LoadedConfig};
use crate::login::federated::safe_return_to;
use crate::protocol::binding::{binding_cookie, new_binding, Return};
use crate::protocol::saml::authn_request as ar;
use crate::state::AppState;
use crate::store::NewSamlFlow;

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

pub fn not_configured() -> SsoFailure {
    SsoFailure::new(
        StatusCode::NOT_FOUND,
        "sso_not_configured",
        FixSide::ServiceConfiguration,
        "SAML single sign-on is not configured or not enabled for this organization",
    )
}

/// The active organization and its enabled SAML configuration.
pub async fn saml_org(state: &AppState, tenant: &str) -> Result<(OrgId, LoadedConfig), Refusal> {
    enabled_config(state, tenant, Protocol::Saml, not_configured).await
}

pub async fn metadata(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    // Served once the org has a SAML configuration (enabled or not: the IdP admin imports
    // it before SSO is switched on); an unknown org gets the same 404 as one without.
    let Ok(org) = OrgId::parse(&path) else {
        return render(&req, &not_configured());
    };
    match load_org_config(&state.store, &org).await {
        Ok(Some((_, Some(l)))) if l.config.protocol == Protocol::Saml => {}
        Ok(_) => return render(&req, &not_configured()),
        Err(e) => return render(&req, &unavailable(e)),
    }
    match sp_metadata_for(&state, &org).await {
        Ok(xml) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, CONTENT_TYPE))
            .body(xml),
        Err(_) => render(&req, &SsoFailure::service_unavailable()),
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
    /// From the OpenID provider's authorize (§13): `prompt=login` and `login_hint`.
    force_authn: Option<String>,
    login_hint: Option<String>,
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LoginQuery>,
) -> HttpResponse {
    if let Err(limited) = within_flow_limit(&req, &state) {
        return limited;
    }
    let (org, loaded) = match saml_org(&state, &path).await {
        Ok(found) => found,
        Err((_, failure)) => return render(&req, &failure),
    };
    let Some(saml) = loaded.config.saml.as_ref() else {
        return render(&req, &not_configured());
    };
    let Some(idp_sso_url) = saml.idp_sso_url.as_deref() else {
        return render(&req, &not_configured());
    };
    let (entity_id, acs_url) = sp_urls(&state.settings, &org);
    let now = state.clock.now_ms();
    let request_id = ar::new_request_id();
    let relay_state = ar::new_relay_state();
    let return_to = safe_return_to(query.return_to.as_deref());
    let binding = new_binding();
    let flow = NewSamlFlow {
        relay_state_hash: &ar::relay_state_hash(&relay_state),
        request_id: &request_id,
        return_to: &return_to,
        binding_hash: &hash_secret(&binding),
    };
    let expires_at = now + ar::FLOW_TTL_MS;
    if let Err(e) = state
        .store
        .insert_saml_flow(&org, &flow, now, expires_at)
        .await
    {
        return render(&req, &unavailable(e));
    }
    let xml = ar::with_hints(
        ar::authn_request_xml(&request_id, now, idp_sso_url, &acs_url, &entity_id),
        query.force_authn.as_deref() == Some("true"),
        query
            .login_hint
            .as_deref()
            .filter(|h| !h.is_empty() && h.len() <= 256),
    );
    let encoded = ar::deflate_base64(&xml);
    let query = if saml.sign_authn_requests {
        // SAML bindings §3.4.4.1: sign "SAMLRequest=..&RelayState=..&SigAlg=.." as sent.
        match crate::federation::sp_keys::signing_key(&state, &org).await {
            Ok(key) => {
                let signed = ar::redirect_query(
                    &encoded,
                    &relay_state,
                    Some(crate::federation::sp_keys::SIG_ALG),
                );
                let signature = key.sign(signed.as_bytes());
                ar::with_signature(signed, &signature)
            }
            Err(e) => return render(&req, &unavailable(e)),
        }
    } else {
        ar::redirect_query(&encoded, &relay_state, None)
    };
    HttpResponse::Found()
        .insert_header((header::LOCATION, ar::redirect_url(idp_sso_url, &query)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(flow_cookie(&org, binding, &state.settings))
        .finish()
}
