//! `POST /auth/saml/{tenantID}/callback`, the assertion consumer service (CONTRACT.md §7,
//! SAML profiles §4.1.4.3): read the form within limits, take the flow named by RelayState,
//! validate, refuse replays across replicas, then the shared after-login path.

use std::sync::Arc;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::json;

use super::login::saml_org;
use crate::domain::OrgId;
use crate::federation::browser::{refuse, within_flow_limit};
use crate::federation::config::Protocol;
use crate::federation::config::SsoConfig;
use crate::federation::failure::{record_outcome, render_referenced, SsoFailure};
use crate::federation::metadata_refresh::{refetch_for_unknown_certificate, refresh_url};
use crate::federation::sp_keys::decryption_keys;
use crate::federation::sp_urls;
use crate::http::request_meta::client_ip_text;
use crate::login::federated::{complete_login, safe_return_to};
use crate::login::saml_start::FLOW_COOKIE;
use crate::login::saml_validate::{
    failure_of, federated_identity, validate_off_thread, Validation,
};
use crate::login::sign_in::SignInContext;
use crate::protocol::binding::binding_matches;
use crate::protocol::saml::authn_request::relay_state_hash;
use crate::protocol::saml::response::{FixSide, Rejection, ValidatedResponse};
use crate::sso_setup::test_sign_in;
use crate::state::AppState;
use crate::store::{ReplayEntry, SamlFlow};

/// The form may carry a 256 KiB response as base64 plus URL encoding and RelayState.
const MAX_FORM_BYTES: usize = 1024 * 1024;

async fn read_form(
    mut payload: web::Payload,
) -> Result<(Option<String>, Option<String>), SsoFailure> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            let slow = crate::http::request_guard::is_body_timeout(&e);
            SsoFailure::new(
                // REQUEST_BODY_TIMEOUT_SECS ended the body: 408, as on every route.
                if slow {
                    StatusCode::REQUEST_TIMEOUT
                } else {
                    StatusCode::BAD_REQUEST
                },
                if slow { "body_timeout" } else { "invalid_body" },
                FixSide::IdentityProvider,
                "the request body could not be read",
            )
        })?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(failure_of(Rejection::Oversized));
        }
        body.extend_from_slice(&chunk);
    }
    let mut response = None;
    let mut relay = None;
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "SAMLResponse" if response.is_none() => response = Some(value.into_owned()),
            "RelayState" if relay.is_none() => relay = Some(value.into_owned()),
            _ => {}
        }
    }
    Ok((response, relay))
}

pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    if let Err(limited) = within_flow_limit(&req, &state) {
        return limited;
    }
    let ip = client_ip_text(&req, &state.settings);
    let binding = req.cookie(FLOW_COOKIE).map(|c| c.value().to_owned());
    let sent = Sent {
        payload,
        binding: binding.as_deref(),
        ip: &ip,
    };
    let (org, loaded) = match saml_org(&state, &path).await {
        Ok(found) => found,
        // Not live: the response may still answer a draft's test sign-in (§16).
        Err(refusal) => return draft_test(&req, &state, refusal, sent).await,
    };
    match consume(&state, &org, &loaded, sent).await {
        Ok(response) => response,
        Err((failure, principal)) => {
            let reference = record_outcome(
                &state,
                &org,
                "saml",
                Some(failure.code),
                principal.as_deref(),
                &ip,
                None,
            )
            .await;
            render_referenced(&req, &failure, reference.as_deref())
        }
    }
}

type Failed = (SsoFailure, Option<String>);

/// An organization without a live SAML configuration answers only test flows of its draft;
/// anything else gets the refusal it would have got.
async fn draft_test(
    req: &HttpRequest,
    state: &AppState,
    refusal: crate::federation::browser::Refusal,
    sent: Sent<'_>,
) -> HttpResponse {
    let org = match &refusal.0 {
        Some(org) if matches!(state.store.get_sso_draft(org).await, Ok(Some(_))) => org.clone(),
        _ => return refuse(req, state, refusal, Protocol::Saml, sent.ip).await,
    };
    let Ok((Some(encoded), relay)) = read_form(sent.payload).await else {
        return refuse(req, state, refusal, Protocol::Saml, sent.ip).await;
    };
    let flow = match take_flow(state, &org, relay.as_deref()).await {
        Ok(Some(flow)) if flow.is_test() => flow,
        _ => return refuse(req, state, refusal, Protocol::Saml, sent.ip).await,
    };
    if let Err((failure, _)) = check_binding(&flow, sent.binding) {
        return render_referenced(req, &failure, None);
    }
    test_sign_in::finish(state, &org, &flow, encoded, sent.ip).await
}

/// The outstanding flow the RelayState names, taken (a RelayState answers one response).
async fn take_flow(
    state: &AppState,
    org: &OrgId,
    relay: Option<&str>,
) -> Result<Option<SamlFlow>, Failed> {
    let Some(r) = relay.filter(|r| !r.is_empty() && r.len() <= 256) else {
        return Ok(None);
    };
    let now = state.clock.now_ms();
    Ok(state
        .store
        .take_saml_flow(org, &relay_state_hash(r))
        .await
        .map_err(|_| (SsoFailure::service_unavailable(), None))?
        .filter(|f| f.expires_at > now))
}

/// A response signed by a certificate the configuration lacks may be the IdP's rollover:
/// with a metadata URL, the metadata is refetched (at most every 5 minutes per org, §17)
/// and, when that added a certificate, the response is validated once more with the new set.
async fn validate_with_refetch(
    state: &AppState,
    org: &OrgId,
    config: &SsoConfig,
    job: Validation,
) -> Result<ValidatedResponse, Rejection> {
    let retry = refresh_url(config).is_some().then(|| job.clone());
    let first = validate_off_thread(state, job).await;
    let (Err(Rejection::UntrustedSignature), Some(mut job)) = (&first, retry) else {
        return first;
    };
    if !refetch_for_unknown_certificate(state, org).await {
        return first;
    }
    let Ok(Some(reloaded)) = crate::federation::load_config(&state.store, org).await else {
        return first;
    };
    match state.sso.trusted_keys(
        org.as_str(),
        reloaded.updated_at,
        reloaded.idp_certificates(),
    ) {
        Ok(keys) => job.keys = keys,
        Err(_) => return first,
    }
    validate_off_thread(state, job).await
}

/// What the browser sent: the form, its flow binding cookie, and where it came from.
struct Sent<'a> {
    payload: web::Payload,
    binding: Option<&'a str>,
    ip: &'a str,
}

/// A flow completes only in the browser that started it (login CSRF): the IdP's POST must
/// carry the binding cookie /login set.
fn check_binding(flow: &SamlFlow, binding: Option<&str>) -> Result<(), Failed> {
    let bound = flow
        .binding_hash
        .as_deref()
        .is_some_and(|h| binding_matches(binding, h));
    if bound {
        return Ok(());
    }
    Err((
        SsoFailure::new(
            StatusCode::BAD_REQUEST,
            "browser_mismatch",
            FixSide::User,
            "this sign-in was started in another browser (or its cookie was lost); start again",
        ),
        None,
    ))
}

async fn consume(
    state: &AppState,
    org: &OrgId,
    loaded: &crate::federation::LoadedConfig,
    sent: Sent<'_>,
) -> Result<HttpResponse, Failed> {
    let config = &loaded.config;
    let ip = sent.ip;
    let (response, relay) = read_form(sent.payload).await.map_err(|f| (f, None))?;
    let Some(encoded) = response else {
        return Err((
            SsoFailure::new(
                StatusCode::BAD_REQUEST,
                "missing_saml_response",
                FixSide::IdentityProvider,
                "the form has no SAMLResponse",
            ),
            None,
        ));
    };
    let now = state.clock.now_ms();
    let flow = take_flow(state, org, relay.as_deref()).await?;
    if let Some(f) = &flow {
        check_binding(f, sent.binding)?;
        if f.is_test() {
            return Ok(test_sign_in::finish(state, org, f, encoded, ip).await);
        }
    }
    // Unsolicited: a RelayState that is no flow of ours may be the IdP's deep link.
    let return_to = match &flow {
        Some(f) => f.return_to.clone(),
        None => safe_return_to(relay.as_deref()),
    };
    let keys = state
        .sso
        .trusted_keys(org.as_str(), loaded.updated_at, loaded.idp_certificates())
        .map_err(|e| {
            tracing::error!(error = %e, "configured IdP certificates do not load");
            (failure_of(Rejection::UntrustedSignature), None)
        })?;
    let decryption_keys = match config.saml.as_ref().map(|s| s.accept_encrypted_assertions) {
        Some(true) => Some(decryption_keys(state, org).await.map_err(|e| {
            tracing::error!(error = %e, "SP decryption keys unavailable");
            (SsoFailure::service_unavailable(), None)
        })?),
        _ => None,
    };
    let (sp_entity_id, acs_url) = sp_urls(&state.settings, org);
    let job = Validation {
        encoded: Arc::from(encoded),
        sp_entity_id,
        acs_url,
        idp_entity_id: config
            .saml
            .as_ref()
            .and_then(|s| s.idp_entity_id.clone())
            .unwrap_or_default(),
        keys,
        decryption_keys,
        expected_request_id: flow.as_ref().map(|f| f.request_id.clone()),
        allow_unsolicited: config.allow_idp_initiated,
        clock_skew_ms: config.clock_skew_seconds * 1000,
        now,
    };
    let validated = validate_with_refetch(state, org, config, job)
        .await
        .map_err(|r| (failure_of(r), None))?;
    let name_id = Some(validated.identity.name_id.clone());
    let identity = federated_identity(config, &validated.identity);
    // The replay entry is written with the session, in one transaction: a replayed
    // assertion is refused there and leaves nothing behind.
    let ctx = SignInContext {
        ip,
        detail: json!({
            "assertion_id": validated.identity.assertion_id,
            "idp_initiated": flow.is_none(),
            "encrypted": validated.decrypted_with.is_some(),
            "decryption_key": validated.decrypted_with,
        }),
        replay: Some((
            ReplayEntry {
                assertion_id: &validated.identity.assertion_id,
                until: validated.replay_until,
            },
            failure_of(Rejection::Replay),
        )),
        saml_name_id: Some(&validated.identity.name_id),
        saml_session_index: validated.identity.session_index.as_deref(),
    };
    let success = complete_login(state, org, config, &identity, "saml", &return_to, ctx)
        .await
        .map_err(|f| (f, name_id.clone()))?;
    let mut response = success.response;
    // The flow is over: its binding cookie goes (a failure leaves it, setting no cookie).
    let spent = Cookie::build(FLOW_COOKIE, "")
        .path(format!("/auth/saml/{org}/"))
        .finish();
    let _ = response.add_removal_cookie(&spent);
    Ok(response)
}
