//! `GET /auth/saml/{tenantID}/metadata` and `/login` (CONTRACT.md §7): the SP metadata, and
//! the redirect to the IdP with a fresh AuthnRequest whose id is stored with the flow.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::OrgId;
use crate::federation::browser::{enabled_config, unavailable, within_flow_limit, Refusal};
use crate::federation::config::Protocol;
use crate::federation::failure::{render, FixSide, SsoFailure};
use crate::federation::sp_metadata::{sp_metadata_for, CONTENT_TYPE};
use crate::federation::{load_org_config, LoadedConfig};
use crate::login::federated::safe_return_to;
use crate::login::saml_start::{begin, SamlStart, StartError};
use crate::state::AppState;
use crate::store::FlowPurpose;

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
    let return_to = safe_return_to(query.return_to.as_deref());
    let start = SamlStart {
        return_to: &return_to,
        force_authn: query.force_authn.as_deref() == Some("true"),
        login_hint: query.login_hint.as_deref(),
        purpose: FlowPurpose::Login,
    };
    match begin(&state, &org, saml, start).await {
        Ok(redirect) => redirect,
        Err(StartError::NoSsoUrl) => render(&req, &not_configured()),
        Err(StartError::Unavailable(e)) => render(&req, &unavailable(e)),
    }
}
