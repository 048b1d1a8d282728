//! Validating a SAMLResponse for an organization (CONTRACT.md §7), shared by the ACS and the
//! test sign-in of a draft (§16): the owned job run on the blocking pool, the HTTP answer of
//! each rejection, and the protocol-neutral identity read from the assertion.

use std::sync::Arc;

use actix_web::http::StatusCode;

use super::federated::FederatedIdentity;
use crate::federation::config::SsoConfig;
use crate::federation::failure::SsoFailure;
use crate::protocol::saml::response::{
    validate, AssertionIdentity, Rejection, TrustedKeys, ValidatedResponse, ValidationContext,
};
use crate::protocol::saml::xmlenc::DecryptionKeys;
use crate::state::AppState;

/// The status and reason an end user's browser gets for a rejection.
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

/// One response to validate, owned, so it can run on a blocking thread.
#[derive(Clone)]
pub struct Validation {
    /// Shared, so keeping a copy for a revalidation after a refetch costs no copy of it.
    pub encoded: Arc<str>,
    pub sp_entity_id: String,
    pub acs_url: String,
    pub idp_entity_id: String,
    pub keys: Arc<TrustedKeys>,
    pub decryption_keys: Option<Arc<DecryptionKeys>>,
    pub expected_request_id: Option<String>,
    pub allow_unsolicited: bool,
    pub clock_skew_ms: i64,
    pub now: i64,
}

/// Validation is CPU work (XML parsing, c14n, RSA): it runs on the blocking pool, at most
/// as many at once as the runtime's slots allow, so crafted large responses cannot starve
/// the async workers that answer every other request.
pub async fn validate_off_thread(
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

fn first_value(identity: &AssertionIdentity, name: &str) -> Option<String> {
    identity
        .values(name)
        .and_then(|v| v.first())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The protocol-neutral identity, by the configured (or provider default) attribute names.
pub fn federated_identity(config: &SsoConfig, identity: &AssertionIdentity) -> FederatedIdentity {
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
