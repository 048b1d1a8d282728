//! Setup links as data (CONTRACT.md §16): making one (the `axl_` token shown once, kept as
//! its hash), the JSON every read shows, and the audit entries of their life.

use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::domain::{generate_secret, hash_secret, OrgId, SecretKind};
use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{NewAuditEvent, NewSetupLink, SetupLinkRecord};

pub const INTENTS: [&str; 2] = ["sso", "scim"];
const DEFAULT_DAYS: i64 = 7;
const MAX_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

/// The intents asked for: known, without repeats, at least one.
pub fn parse_intents(value: Option<&Value>) -> ApiResult<Vec<String>> {
    let invalid = || {
        ApiError::bad_request(
            "invalid_intents",
            "intents must be a non-empty list of \"sso\" and \"scim\"",
        )
    };
    let list = value.and_then(Value::as_array).ok_or_else(invalid)?;
    let mut intents: Vec<String> = Vec::new();
    for item in list {
        let text = item
            .as_str()
            .filter(|t| INTENTS.contains(t))
            .ok_or_else(invalid)?;
        if !intents.iter().any(|i| i == text) {
            intents.push(text.to_owned());
        }
    }
    if intents.is_empty() {
        return Err(invalid());
    }
    Ok(intents)
}

pub fn parse_days(value: Option<&Value>) -> ApiResult<i64> {
    match value {
        None | Some(Value::Null) => Ok(DEFAULT_DAYS),
        Some(v) => v
            .as_i64()
            .filter(|d| (1..=MAX_DAYS).contains(d))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_expires_in_days",
                    format!("expires_in_days must be a whole number from 1 to {MAX_DAYS}"),
                )
            }),
    }
}

/// Intents as stored (a JSON array); a row that does not parse has none.
pub fn intents_of(record: &SetupLinkRecord) -> Vec<String> {
    serde_json::from_str(&record.intents).unwrap_or_default()
}

pub fn link_json(record: &SetupLinkRecord) -> Value {
    json!({
        "id": record.id,
        "intents": intents_of(record),
        "created_by": record.created_by,
        "created_at": rfc3339(record.created_at),
        "expires_at": rfc3339(record.expires_at),
    })
}

/// Creates a link; the 201 body with `url`, the only place the token ever appears.
pub async fn create_link(
    state: &AppState,
    org: &OrgId,
    body: &Value,
    created_by: &str,
) -> ApiResult<Value> {
    let intents = parse_intents(body.get("intents"))?;
    let days = parse_days(body.get("expires_in_days"))?;
    let now = state.clock.now_ms();
    let token = generate_secret(SecretKind::SetupLink);
    let id = format!("stl_{}", uuid::Uuid::new_v4().simple());
    let intents_text = serde_json::to_string(&intents).map_err(|_| ApiError::internal())?;
    let link = NewSetupLink {
        id: &id,
        token_hash: &hash_secret(&token),
        intents: &intents_text,
        created_by,
        expires_at: now + days * DAY_MS,
    };
    state.store.insert_setup_link(org, &link, now).await?;
    let detail = json!({"id": id, "intents": intents, "expires_at": rfc3339(link.expires_at)});
    audit(state, org, "setup_link.created", created_by, detail).await;
    state
        .metrics
        .setup_links
        .with_label_values(&["created"])
        .inc();
    Ok(json!({
        "id": id,
        "url": format!("{}/setup/{token}", state.settings.public_url),
        "intents": intents,
        "expires_at": rfc3339(link.expires_at),
    }))
}

/// A setup link's event in the organization's audit feed (`GET /api/v1/sso/audit`).
pub async fn audit(state: &AppState, org: &OrgId, event: &str, principal: &str, detail: Value) {
    let entry = NewAuditEvent {
        event,
        outcome: "success",
        reason: None,
        principal: Some(principal),
        ip: None,
        detail: Some(detail.to_string()),
    };
    state.record_audit(org, &entry, None).await;
}
