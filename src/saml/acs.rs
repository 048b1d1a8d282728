//! `POST /auth/saml/{tenantID}/callback`, the assertion consumer service (CONTRACT.md §7,
//! SAML profiles §4.1.4.3): read the form within limits, take the flow named by RelayState,
//! validate, refuse replays across replicas, then the shared after-login path.

use std::sync::Arc;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::json;

use super::login::{saml_org, FLOW_COOKIE};
use crate::domain::OrgId;
use crate::federation::browser::{refuse, within_flow_limit};
use crate::federation::config::Protocol;
use crate::federation::config::SsoConfig;
use crate::federation::failure::{record_outcome, render_referenced, SsoFailure};
use crate::federation::metadata_refresh::{refetch_for_unknown_certificate, refresh_url};
use crate::federation::sp_keys::decryption_keys;
use crate::federation::sp_urls;
use crate::http::request_meta::client_ip_text;
use crate::login::federated::{complete_login, safe_return_to, FederatedIdentity};
use crate::login::sign_in::SignInContext;
use crate::protocol::binding::binding_matches;
use crate::protocol::saml::authn_request::relay_state_hash;
use crate::protocol::saml::response::{
    validate, FixSide, Rejection, TrustedKeys, ValidatedResponse, ValidationContext,
};
use crate::protocol::saml::xmlenc::DecryptionKeys;
use crate::state::AppState;
use crate::store::{ReplayEntry, SamlFlow};

/// The form may carry a 256 KiB response as base64 plus URL encoding and RelayState.
const MAX_FORM_BYTES: usize = 1024 * 1024;

pub fn failure_of(r: Rejection) -> SsoFailure {
    let status = match r {
        Rejection::Oversized => StatusCode::PAYLOAD_TOO_LARGE,
        Rejection::MalformedEncoding
        | Rejection::MalformedXml
        | Rejection::DtdForbidden
        | Rejection::NotAResponse => StatusCode::BAD_REQUEST,
        _ => StatusCode::FORBIDDEN,
    };
    SsoFailure::new(status, r.code(), r.side(), r.message())
}

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

fn first_value(
    identity: &crate::protocol::saml::response::AssertionIdentity,
    name: &str,
) -> Option<String> {
    identity
        .values(name)
        .and_then(|v| v.first())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The protocol-neutral identity, by the configured (or provider default) attribute names.
pub fn federated_identity(
    config: &SsoConfig,
    identity: &crate::protocol::saml::response::AssertionIdentity,
) -> FederatedIdentity {
    let groups = identity
        .values(&config.saml_attribute(4))
        .map(|v| {
            v.iter()
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty())
                .collect()
        })
        .unwrap_or_default();
    FederatedIdentity {
        issuer: None,
        subject: identity.name_id.clone(),
        email: first_value(identity, &config.saml_attribute(0)),
        first_name: first_value(identity, &config.saml_attribute(1)),
        last_name: first_value(identity, &config.saml_attribute(2)),
        display_name: first_value(identity, &config.saml_attribute(3)),
        groups,
    }
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
    let (org, loaded) = match saml_org(&state, &path).await {
        Ok(found) => found,
        Err(refusal) => return refuse(&req, &state, refusal, Protocol::Saml, &ip).await,
    };
    let binding = req.cookie(FLOW_COOKIE).map(|c| c.value().to_owned());
    let sent = Sent {
        payload,
        binding: binding.as_deref(),
        ip: &ip,
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

/// One response to validate, owned, so it can run on a blocking thread.
#[derive(Clone)]
struct Validation {
    /// Shared, so keeping a copy for a revalidation after a refetch costs no copy of it.
    encoded: Arc<str>,
    sp_entity_id: String,
    acs_url: String,
    idp_entity_id: String,
    keys: Arc<TrustedKeys>,
    decryption_keys: Option<Arc<DecryptionKeys>>,
    expected_request_id: Option<String>,
    allow_unsolicited: bool,
    clock_skew_ms: i64,
    now: i64,
}

/// Validation is CPU work (XML parsing, c14n, RSA): it runs on the blocking pool, at most
/// as many at once as the runtime's slots allow, so crafted large responses cannot starve
/// the async workers that answer every other request.
async fn validate_off_thread(
    state: &AppState,
    job: Validation,
) -> Result<ValidatedResponse, Rejection> {
    let Ok(_slot) = state.sso.validation_slots.acquire().await else {
        return Err(Rejection::MalformedXml);
    };
    let run = move || {
        let ctx = ValidationContext {
            sp_entity_id: &job.sp_entity_id,
            acs_url: &job.acs_url,
            idp_entity_id: &job.idp_entity_id,
            keys: &job.keys,
            expected_request_id: job.expected_request_id.as_deref(),
            allow_unsolicited: job.allow_unsolicited,
            clock_skew_ms: job.clock_skew_ms,
            now: job.now,
            decryption_keys: job.decryption_keys.as_deref(),
        };
        // Defence in depth: a panic in a parser dependency becomes a 400, never a 500.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            validate(&job.encoded, &ctx)
        }))
        .unwrap_or(Err(Rejection::MalformedXml))
    };
    tokio::task::spawn_blocking(run)
        .await
        .unwrap_or(Err(Rejection::MalformedXml))
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
    let flow = match relay.as_deref().filter(|r| !r.is_empty() && r.len() <= 256) {
        Some(r) => state
            .store
            .take_saml_flow(org, &relay_state_hash(r))
            .await
            .map_err(|_| (SsoFailure::service_unavailable(), None))?
            .filter(|f| f.expires_at > now),
        None => None,
    };
    if let Some(f) = &flow {
        check_binding(f, sent.binding)?;
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
