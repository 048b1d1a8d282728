//! Issuing and revoking an organization's portal API keys and SCIM tokens (CONTRACT.md §9),
//! for every surface that offers it (the portal API and the console): the secret is made
//! here, shown once by the caller, stored as its SHA-256 only; the audit entry and, for
//! SCIM tokens, the §15 event are written with the change. Details name the credential
//! (id, name, role), never its secret or prefix.

use serde_json::{json, Value};

use crate::clock::{parse_rfc3339, rfc3339, Millis};
use crate::domain::{generate_secret, hash_secret, OrgId, Role, SecretKind};
use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{CredentialKind, CredentialRecord, NewAuditEvent, NewCredential, Outbox};

/// Characters of the secret kept in clear to recognise it in lists (`axk_` + 8).
const SHOWN_PREFIX_CHARS: usize = 12;

pub const API_KEY_CREATED: &str = "api_key.created";
pub const API_KEY_REVOKED: &str = "api_key.revoked";
pub const SCIM_TOKEN_CREATED: &str = "scim_token.created";
pub const SCIM_TOKEN_REVOKED: &str = "scim_token.revoked";

/// What differs between the two kinds.
#[derive(Clone, Copy)]
pub struct CredentialSurface {
    pub kind: CredentialKind,
    secret_kind: SecretKind,
    /// The field of a listing and of the one-time secret in the API's JSON.
    pub list_field: &'static str,
    pub secret_field: &'static str,
    pub noun: &'static str,
    created_event: &'static str,
    revoked_event: &'static str,
    /// The §15 event types of a creation and a revocation (SCIM tokens only).
    outbox_events: Option<(&'static str, &'static str)>,
}

pub const PORTAL_KEYS: CredentialSurface = CredentialSurface {
    kind: CredentialKind::PortalKey,
    secret_kind: SecretKind::PortalApiKey,
    list_field: "keys",
    secret_field: "key",
    noun: "API key",
    created_event: API_KEY_CREATED,
    revoked_event: API_KEY_REVOKED,
    outbox_events: None,
};

pub const SCIM_TOKENS: CredentialSurface = CredentialSurface {
    kind: CredentialKind::ScimToken,
    secret_kind: SecretKind::ScimToken,
    list_field: "tokens",
    secret_field: "token",
    noun: "SCIM token",
    created_event: SCIM_TOKEN_CREATED,
    revoked_event: SCIM_TOKEN_REVOKED,
    outbox_events: Some(("scim_token.created", "scim_token.revoked")),
};

/// Who makes the change: the event's actor and the audit entry's principal and address.
pub struct ChangedBy<'a> {
    pub actor_type: &'a str,
    pub actor_id: &'a str,
    pub principal: &'a str,
    pub ip: &'a str,
}

/// What the admin asked for.
pub struct CredentialRequest<'a> {
    pub name: &'a str,
    pub role: Option<&'a str>,
    pub expires_at: Option<&'a str>,
}

/// Creates the credential; the record and the secret, which only this answer shows.
pub async fn issue(
    state: &AppState,
    org: &OrgId,
    surface: CredentialSurface,
    by: &ChangedBy<'_>,
    request: &CredentialRequest<'_>,
) -> ApiResult<(CredentialRecord, String)> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request(
            "invalid_name",
            "name must be 1 to 100 characters",
        ));
    }
    let role = match surface.kind {
        CredentialKind::PortalKey => Some(parse_role(request.role)?),
        CredentialKind::ScimToken => None,
    };
    let now = state.clock.now_ms();
    let expires_at = parse_expiry(request.expires_at, now)?;
    let secret = generate_secret(surface.secret_kind);
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewCredential {
        id: &id,
        name,
        prefix: &secret[..SHOWN_PREFIX_CHARS],
        secret_hash: &hash_secret(&secret),
        role: role.as_ref().map(Role::as_str),
        expires_at,
    };
    let data = |r: &CredentialRecord| credential_json(surface, r);
    let outbox = surface.outbox_events.map(|(created, _)| Outbox {
        kind: created,
        actor_type: by.actor_type,
        actor_id: Some(by.actor_id),
        data: &data,
    });
    let record = state
        .store
        .insert_credential(org, surface.kind, &new, outbox.as_ref(), now)
        .await?;
    audit(state, org, by, surface.created_event, &record).await;
    Ok((record, secret))
}

/// Revokes the credential at once; 404 in the API's words when there is none.
pub async fn revoke(
    state: &AppState,
    org: &OrgId,
    surface: CredentialSurface,
    by: &ChangedBy<'_>,
    id: &str,
) -> ApiResult<CredentialRecord> {
    let data = |r: &CredentialRecord| credential_json(surface, r);
    let outbox = surface.outbox_events.map(|(_, revoked)| Outbox {
        kind: revoked,
        actor_type: by.actor_type,
        actor_id: Some(by.actor_id),
        data: &data,
    });
    let now = state.clock.now_ms();
    // The DELETE returns the row, so the events can name what was revoked.
    let record = state
        .store
        .delete_credential(org, surface.kind, id, outbox.as_ref(), now)
        .await?
        .ok_or_else(|| ApiError::not_found(surface.noun))?;
    audit(state, org, by, surface.revoked_event, &record).await;
    Ok(record)
}

async fn audit(
    state: &AppState,
    org: &OrgId,
    by: &ChangedBy<'_>,
    event: &str,
    record: &CredentialRecord,
) {
    let event = NewAuditEvent {
        event,
        outcome: "success",
        reason: None,
        principal: Some(by.principal),
        ip: Some(by.ip),
        detail: Some(credential_detail(record)),
    };
    state.record_audit(org, &event, None).await;
}

/// What a credential event says about the credential.
pub fn credential_detail(record: &CredentialRecord) -> String {
    let mut detail = json!({"id": record.id, "name": record.name});
    if let Some(role) = &record.role {
        detail["role"] = json!(role);
    }
    detail.to_string()
}

/// Keys get the least privilege unless the admin asks for more.
fn parse_role(text: Option<&str>) -> ApiResult<Role> {
    match text {
        None => Ok(Role::viewer()),
        Some(t) => Role::parse(t).map_err(|m| ApiError::bad_request("invalid_role", m)),
    }
}

fn parse_expiry(text: Option<&str>, now: Millis) -> ApiResult<Option<Millis>> {
    let Some(text) = text else { return Ok(None) };
    let at = parse_rfc3339(text).ok_or_else(|| {
        ApiError::bad_request("invalid_expires_at", "expires_at must be an RFC 3339 time")
    })?;
    if at <= now {
        return Err(ApiError::unprocessable(
            "invalid_expires_at",
            "expires_at must be in the future",
        ));
    }
    Ok(Some(at))
}

/// The credential as every read shows it (never the secret).
pub fn credential_json(surface: CredentialSurface, r: &CredentialRecord) -> Value {
    let mut body = json!({
        "id": r.id,
        "name": r.name,
        "prefix": r.prefix,
        "created_at": rfc3339(r.created_at),
        "last_used_at": r.last_used_at.map(rfc3339),
        "expires_at": r.expires_at.map(rfc3339),
    });
    if surface.kind == CredentialKind::PortalKey {
        body["role"] = json!(r.role);
    }
    body
}
