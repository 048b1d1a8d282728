//! Portal API keys and SCIM tokens (CONTRACT.md §9): created by admins, shown once, stored
//! as SHA-256 hashes, revoked at once.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::clock::{parse_rfc3339, rfc3339, Millis};
use crate::domain::{generate_secret, hash_secret, Role, SecretKind};
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::http::request_meta::client_ip_text;
use crate::state::AppState;
use crate::store::{CredentialKind, CredentialRecord, NewAuditEvent, NewCredential, Outbox};

use super::audit;

/// Characters of the secret kept in clear to recognise it in lists (`axk_` + 8).
const SHOWN_PREFIX_CHARS: usize = 12;

#[derive(Deserialize)]
pub struct CreateBody {
    name: String,
    role: Option<String>,
    expires_at: Option<String>,
}

/// The parts of the two surfaces that differ.
#[derive(Clone, Copy)]
struct Surface {
    kind: CredentialKind,
    secret_kind: SecretKind,
    list_field: &'static str,
    secret_field: &'static str,
    noun: &'static str,
    created_event: &'static str,
    revoked_event: &'static str,
    /// The §15 event types of a creation and a revocation (SCIM tokens only).
    outbox_events: Option<(&'static str, &'static str)>,
}

const PORTAL_KEYS: Surface = Surface {
    kind: CredentialKind::PortalKey,
    secret_kind: SecretKind::PortalApiKey,
    list_field: "keys",
    secret_field: "key",
    noun: "API key",
    created_event: audit::API_KEY_CREATED,
    revoked_event: audit::API_KEY_REVOKED,
    outbox_events: None,
};

const SCIM_TOKENS: Surface = Surface {
    kind: CredentialKind::ScimToken,
    secret_kind: SecretKind::ScimToken,
    list_field: "tokens",
    secret_field: "token",
    noun: "SCIM token",
    created_event: audit::SCIM_TOKEN_CREATED,
    revoked_event: audit::SCIM_TOKEN_REVOKED,
    outbox_events: Some(("scim_token.created", "scim_token.revoked")),
};

pub async fn list_keys(
    caller: PortalCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    list(PORTAL_KEYS, caller, state).await
}
pub async fn create_key(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    body: JsonBody<CreateBody>,
) -> ApiResult<HttpResponse> {
    create(PORTAL_KEYS, &req, caller, state, body.0).await
}
pub async fn get_key(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let record = state
        .store
        .get_credential(&caller.org, CredentialKind::PortalKey, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("API key"))?;
    Ok(HttpResponse::Ok().json(credential_json(PORTAL_KEYS, &record)))
}
pub async fn delete_key(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    delete(PORTAL_KEYS, &req, caller, state, &id).await
}
pub async fn list_scim_tokens(
    caller: PortalCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    list(SCIM_TOKENS, caller, state).await
}
pub async fn create_scim_token(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    body: JsonBody<CreateBody>,
) -> ApiResult<HttpResponse> {
    create(SCIM_TOKENS, &req, caller, state, body.0).await
}
pub async fn delete_scim_token(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    delete(SCIM_TOKENS, &req, caller, state, &id).await
}

async fn list(
    surface: Surface,
    caller: PortalCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let records = state
        .store
        .list_credentials(&caller.org, surface.kind)
        .await?;
    let items: Vec<Value> = records
        .iter()
        .map(|r| credential_json(surface, r))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ surface.list_field: items })))
}

async fn create(
    surface: Surface,
    req: &HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    body: CreateBody,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request(
            "invalid_name",
            "name must be 1 to 100 characters",
        ));
    }
    let role = match surface.kind {
        CredentialKind::PortalKey => Some(parse_role(body.role.as_deref())?),
        CredentialKind::ScimToken => None,
    };
    let now = state.clock.now_ms();
    let expires_at = parse_expiry(body.expires_at.as_deref(), now)?;
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
    let (actor_type, actor_id) = caller.actor();
    let data = |r: &CredentialRecord| credential_json(surface, r);
    let outbox = surface.outbox_events.map(|(created, _)| Outbox {
        kind: created,
        actor_type,
        actor_id: Some(actor_id),
        data: &data,
    });
    let record = state
        .store
        .insert_credential(&caller.org, surface.kind, &new, outbox.as_ref(), now)
        .await?;
    audit_credential(&state, req, &caller, surface.created_event, &record).await;
    let mut body = credential_json(surface, &record);
    body[surface.secret_field] = json!(secret);
    Ok(HttpResponse::Created().json(body))
}

async fn delete(
    surface: Surface,
    req: &HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: &str,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (actor_type, actor_id) = caller.actor();
    let data = |r: &CredentialRecord| credential_json(surface, r);
    let outbox = surface.outbox_events.map(|(_, revoked)| Outbox {
        kind: revoked,
        actor_type,
        actor_id: Some(actor_id),
        data: &data,
    });
    let now = state.clock.now_ms();
    // The DELETE returns the row, so the events can name what was revoked.
    let record = state
        .store
        .delete_credential(&caller.org, surface.kind, id, outbox.as_ref(), now)
        .await?
        .ok_or_else(|| ApiError::not_found(surface.noun))?;
    audit_credential(&state, req, &caller, surface.revoked_event, &record).await;
    Ok(HttpResponse::NoContent().finish())
}

async fn audit_credential(
    state: &AppState,
    req: &HttpRequest,
    caller: &PortalCaller,
    event: &str,
    record: &CredentialRecord,
) {
    let principal = audit::principal_of(caller);
    let ip = client_ip_text(req, &state.settings);
    let event = NewAuditEvent {
        event,
        outcome: "success",
        reason: None,
        principal: Some(&principal),
        ip: Some(&ip),
        detail: Some(audit::credential_detail(record)),
    };
    audit::record(state, &caller.org, &event).await;
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

fn credential_json(surface: Surface, r: &CredentialRecord) -> Value {
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
