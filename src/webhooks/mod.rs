//! An organization's webhook endpoints (CONTRACT.md §15), for every surface that manages
//! them (the webhooks API and the console): URLs through the SSRF guard, event type
//! filters, secrets made here (Standard Webhooks `whsec_`), sealed with the data key and
//! shown once by the caller, and the JSON of an endpoint and of a delivery.

pub mod signing;
pub mod types;

use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::domain::OrgId;
use crate::http::error::{ApiError, ApiResult};
use crate::net::http::{HttpError, OutboundHttp, OutboundPolicy};
use crate::state::AppState;
use crate::store::{DeliveryRecord, EndpointRecord};

const MAX_URL_CHARS: usize = 2048;

/// The outbound policy of webhook URLs (net/http.rs SSRF guard).
pub fn outbound(state: &AppState) -> OutboundHttp {
    OutboundHttp::new(OutboundPolicy {
        allow_http: state.settings.webhook_allow_private,
        allow_private: state.settings.webhook_allow_private,
    })
}

pub fn endpoint_json(e: &EndpointRecord) -> Value {
    let types: Value = serde_json::from_str(&e.types).unwrap_or_else(|_| json!([]));
    json!({
        "id": e.id, "url": e.url, "types": types, "enabled": e.enabled != 0,
        "created_at": rfc3339(e.created_at), "disabled_reason": e.disabled_reason,
    })
}

pub fn delivery_json(d: &DeliveryRecord) -> Value {
    json!({
        "id": d.id, "event_id": d.event_id, "type": d.event_type, "status": d.status,
        "attempts": d.attempts, "last_status": d.last_status, "last_error": d.last_error,
        "next_attempt_at": (d.status == "pending").then(|| rfc3339(d.next_attempt_at)),
        "created_at": rfc3339(d.created_at), "updated_at": rfc3339(d.updated_at),
    })
}

/// The SSRF guard of the SSO fetcher: https and public addresses unless the operator
/// allows otherwise (WEBHOOK_ALLOW_PRIVATE). A host that does not resolve yet is accepted:
/// deliveries resolve and check it again every time.
pub async fn check_url(state: &AppState, url: &str) -> ApiResult<String> {
    let url = url.trim();
    if url.is_empty() || url.chars().count() > MAX_URL_CHARS {
        return Err(ApiError::unprocessable(
            "invalid_url",
            "the url is empty or too long",
        ));
    }
    match outbound(state).check_reachable(url).await {
        Ok(()) | Err(HttpError::Failed(_)) => Ok(url.to_owned()),
        Err(HttpError::BadUrl(m) | HttpError::Forbidden(m)) => {
            Err(ApiError::unprocessable("invalid_url", m))
        }
    }
}

pub fn types_json(list: Option<&[String]>) -> ApiResult<String> {
    let list = list.unwrap_or_default();
    types::check(list).map_err(|m| ApiError::unprocessable("invalid_types", m))?;
    serde_json::to_string(list).map_err(|_| ApiError::internal())
}

/// A webhook secret at rest: sealed with the data key.
pub fn seal(state: &AppState, secret: &str) -> ApiResult<String> {
    state.sso.keyring.encrypt(secret.as_bytes()).map_err(|e| {
        tracing::error!(error = %e, "webhook secret not sealed");
        ApiError::internal()
    })
}

pub async fn find(state: &AppState, org: &OrgId, id: &str) -> ApiResult<EndpointRecord> {
    state
        .store
        .get_endpoint(org, id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))
}

/// Checks and stores a new endpoint; answers it as GET shows it and its secret, to be
/// shown once.
pub async fn create(
    state: &AppState,
    org: &OrgId,
    url: &str,
    types: Option<&[String]>,
) -> ApiResult<(Value, String)> {
    let url = check_url(state, url).await?;
    let types = types_json(types)?;
    let secret = signing::new_secret();
    let id = format!("wh_{}", uuid::Uuid::new_v4().simple());
    let now = state.clock.now_ms();
    state
        .store
        .insert_endpoint(org, &id, &url, &types, &seal(state, &secret)?, now)
        .await?;
    Ok((endpoint_json(&find(state, org, &id).await?), secret))
}

pub async fn delete(state: &AppState, org: &OrgId, id: &str) -> ApiResult<()> {
    if !state.store.delete_endpoint(org, id).await? {
        return Err(ApiError::not_found("webhook"));
    }
    Ok(())
}
