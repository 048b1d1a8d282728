//! The test sign-in of a draft (CONTRACT.md §16): an SP-initiated SAML flow marked `test`,
//! sent to the draft's IdP; its response is validated by every check of §7 against the
//! draft (its certificates, the flow's request id, the replay store read but not written),
//! and only the result is kept with the draft. No user, session, replay entry, role change
//! or event is written; the live configuration is not read.

use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use serde_json::json;

use super::draft::{load, no_draft, Draft};
use super::test_result::{failed, passed};
use crate::domain::OrgId;
use crate::federation::config::Protocol;
use crate::federation::failure::{html_escape, FixSide, SsoFailure};
use crate::federation::sp_keys::decryption_keys;
use crate::federation::sp_urls;
use crate::http::error::{ApiError, ApiResult};
use crate::login::saml_start::{begin, SamlStart, StartError};
use crate::login::saml_validate::{failure_of, validate_off_thread, Validation};
use crate::protocol::saml::response::Rejection;
use crate::state::AppState;
use crate::store::{FlowPurpose, NewAuditEvent, SamlFlow};

/// Where the browser goes now: the IdP, with an AuthnRequest for the draft. `return_page` is
/// the console page that shows the result (a fixed path of ours). The answer is a page of
/// ours that moves on to the IdP, not a redirect: the console's `form-action 'self'` (CSP)
/// also governs where a form post is redirected, so a 302 to the IdP would be blocked.
pub async fn start(state: &AppState, org: &OrgId, return_page: &str) -> ApiResult<HttpResponse> {
    let draft = load(state, org).await?.ok_or_else(no_draft)?;
    let saml = match (&draft.config.protocol, &draft.config.saml) {
        (Protocol::Saml, Some(saml)) => saml,
        _ => {
            return Err(ApiError::unprocessable(
                "test_needs_saml",
                "the test sign-in runs for a SAML draft; OIDC drafts are checked by discovery when saved",
            ))
        }
    };
    let start = SamlStart {
        return_to: return_page,
        force_authn: false,
        login_hint: None,
        purpose: FlowPurpose::Test,
    };
    match begin(state, org, saml, start).await {
        Ok(redirect) => Ok(moved_on(redirect)),
        Err(StartError::NoSsoUrl) => Err(ApiError::unprocessable(
            "missing_idp_sso_url",
            "the draft has no IdP SSO URL to send the test sign-in to",
        )),
        Err(StartError::Unavailable(e)) => {
            tracing::warn!(error = %e, "test sign-in could not start");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "the test sign-in could not start; try again shortly",
            ))
        }
    }
}

/// The ACS's answer to a test flow's response: the result is kept with the draft, and the
/// browser goes back to the page that started the test.
pub async fn finish(
    state: &AppState,
    org: &OrgId,
    flow: &SamlFlow,
    encoded: String,
    ip: &str,
) -> HttpResponse {
    let now = state.clock.now_ms();
    let (version, result) = match load(state, org).await {
        Ok(Some(draft)) => {
            let result = match check(state, org, &draft, flow, encoded).await {
                Ok(validated) => passed(&draft.config, &validated, now),
                Err(failure) => failed(&failure, now),
            };
            (Some(draft.updated_at), result)
        }
        Ok(None) => (None, failed(&no_draft_failure(), now)),
        Err(_) => (None, failed(&SsoFailure::service_unavailable(), now)),
    };
    if let Some(version) = version {
        let text = result.to_string();
        if let Err(e) = state.store.record_sso_draft_test(org, version, &text).await {
            tracing::warn!(error = %e, "test sign-in result not kept");
        }
    }
    record(state, org, &result, ip).await;
    continue_to(&flow.return_to)
}

fn no_draft_failure() -> SsoFailure {
    SsoFailure::new(
        StatusCode::NOT_FOUND,
        "no_draft",
        FixSide::ServiceConfiguration,
        "the draft was activated or discarded before the IdP answered",
    )
}

/// Checks 1–18 of §7 against the draft, then the replay store (read only).
async fn check(
    state: &AppState,
    org: &OrgId,
    draft: &Draft,
    flow: &SamlFlow,
    encoded: String,
) -> Result<crate::protocol::saml::response::ValidatedResponse, SsoFailure> {
    let config = &draft.config;
    let saml = config.saml.as_ref().ok_or_else(no_draft_failure)?;
    // The key cache is per configuration version; the draft has its own entry.
    let keys = state
        .sso
        .trusted_keys(
            &format!("draft:{org}"),
            draft.updated_at,
            &saml.idp_certificates,
        )
        .map_err(|_| failure_of(Rejection::UntrustedSignature))?;
    let decryption = match saml.accept_encrypted_assertions {
        true => Some(
            decryption_keys(state, org)
                .await
                .map_err(|_| SsoFailure::service_unavailable())?,
        ),
        false => None,
    };
    let (sp_entity_id, acs_url) = sp_urls(&state.settings, org);
    let job = Validation {
        encoded: Arc::from(encoded),
        sp_entity_id,
        acs_url,
        idp_entity_id: saml.idp_entity_id.clone().unwrap_or_default(),
        keys,
        decryption_keys: decryption,
        expected_request_id: Some(flow.request_id.clone()),
        allow_unsolicited: false,
        clock_skew_ms: config.clock_skew_seconds * 1000,
        now: state.clock.now_ms(),
    };
    let validated = validate_off_thread(state, job).await.map_err(failure_of)?;
    let seen = state
        .store
        .replay_seen(org, &validated.identity.assertion_id, state.clock.now_ms())
        .await
        .map_err(|_| SsoFailure::service_unavailable())?;
    if seen {
        return Err(failure_of(Rejection::Replay));
    }
    Ok(validated)
}

/// The SSO audit entry and the metric of one test (no NameID: the result page has it).
async fn record(state: &AppState, org: &OrgId, result: &serde_json::Value, ip: &str) {
    let outcome = if result["outcome"] == "passed" {
        "success"
    } else {
        "failure"
    };
    let reason = result["reason"].as_str();
    state
        .metrics
        .sso_drafts
        .with_label_values(&["tested", reason.unwrap_or(outcome)])
        .inc();
    let detail = json!({
        "would_sign_in": result["would_sign_in"],
        "warnings": result["warnings"].as_array().map(|w| w.iter().map(|x| x["code"].clone()).collect::<Vec<_>>()),
    });
    let entry = NewAuditEvent {
        event: "sso_test",
        outcome,
        reason,
        principal: None,
        ip: Some(ip),
        detail: Some(detail.to_string()),
    };
    state.record_audit(org, &entry, None).await;
}

/// The redirect as a continue page, with its cookies (the flow's browser binding).
fn moved_on(redirect: HttpResponse) -> HttpResponse {
    let to = redirect
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/")
        .to_owned();
    let mut page = continue_to(&to);
    for cookie in redirect.cookies() {
        let _ = page.add_cookie(&cookie);
    }
    page
}

/// A page of ours that moves the browser on: the IdP's cross-site POST carries no
/// SameSite=Strict cookie, but a navigation this same-origin page starts does.
fn continue_to(path: &str) -> HttpResponse {
    let path = html_escape(path);
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0; url={path}\"><title>Test sign-in</title></head>\
         <body><p><a href=\"{path}\">Continue</a></p></body></html>"
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(body)
}
