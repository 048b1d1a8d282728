//! What the SAML and OIDC browser routes share before any protocol work: finding the active
//! organization with an enabled configuration of one protocol, and refusing otherwise.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::config::Protocol;
use super::failure::{record_outcome, render, render_referenced, FixSide, SsoFailure};
use super::{load_org_config, LoadedConfig};
use crate::domain::OrgId;
use crate::http::rate_limit::client_key;
use crate::http::request_meta::client_ip_text;
use crate::state::AppState;

/// A refusal, with the organization when it is known (so an audit event can be written).
pub type Refusal = (Option<OrgId>, SsoFailure);

pub fn unavailable(e: impl std::fmt::Display) -> SsoFailure {
    tracing::warn!(error = %e, "SSO flow: dependency unavailable");
    SsoFailure::service_unavailable()
}

fn suspended() -> SsoFailure {
    SsoFailure::new(
        StatusCode::FORBIDDEN,
        "org_suspended",
        FixSide::ServiceConfiguration,
        "the organization is suspended",
    )
}

/// The active organization `tenant` and its enabled configuration for `protocol` (one
/// query); `not_configured` is the protocol's own refusal when there is none. An unknown
/// organization gets that same refusal, so these public routes do not tell which
/// organizations exist (as `GET /api/v1/auth/sso/availability` does not).
pub async fn enabled_config(
    state: &AppState,
    tenant: &str,
    protocol: Protocol,
    not_configured: fn() -> SsoFailure,
) -> Result<(OrgId, LoadedConfig), Refusal> {
    let org = OrgId::parse(tenant).map_err(|_| (None, not_configured()))?;
    let found = load_org_config(&state.store, &org)
        .await
        .map_err(|e| (None, unavailable(e)))?;
    let Some((status, loaded)) = found else {
        return Err((None, not_configured()));
    };
    if status != "active" {
        return Err((Some(org), suspended()));
    }
    let usable = |l: &LoadedConfig| {
        let c = &l.config;
        c.enabled
            && c.protocol == protocol
            && match protocol {
                Protocol::Saml => c.saml.is_some(),
                Protocol::Oidc => c.oidc.is_some(),
            }
    };
    match loaded {
        Some(l) if usable(&l) => Ok((org, l)),
        _ => Err((Some(org), not_configured())),
    }
}

/// The per-client limit of the unauthenticated SSO routes, checked before any work: past it,
/// 429 `rate_limited` with `Retry-After`, and nothing is written (no flow, no audit row).
pub fn within_flow_limit(req: &HttpRequest, state: &AppState) -> Result<(), HttpResponse> {
    let ip = client_ip_text(req, &state.settings);
    let retry_after = match state
        .sso_flows
        .allow(&client_key(&ip), state.clock.now_ms())
    {
        Ok(()) => return Ok(()),
        Err(secs) => secs,
    };
    let failure = SsoFailure::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        FixSide::User,
        "too many sign-in requests from this address; wait a minute and try again",
    );
    let mut response = render(req, &failure);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&retry_after.to_string()) {
        response
            .headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, value);
    }
    Err(response)
}

/// Records the refusal in the org's audit feed (when the org is known) and renders the
/// error page of CONTRACT.md §2.
pub async fn refuse(
    req: &HttpRequest,
    state: &AppState,
    (org, failure): Refusal,
    protocol: Protocol,
    ip: &str,
) -> HttpResponse {
    let reference = match org {
        Some(org) => {
            let protocol = protocol.as_str();
            record_outcome(state, &org, protocol, Some(failure.code), None, ip, None).await
        }
        None => None,
    };
    render_referenced(req, &failure, reference.as_deref())
}
