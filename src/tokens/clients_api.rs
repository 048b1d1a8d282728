//! The clients API (CONTRACT.md §12): `admin` writes; `admin`, `editor` and `viewer` list
//! and read. Secrets are shown once, at creation or rotation; every change is audited.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::client_input::{
    self as input, client_json, secret_json, CreateBody, PatchBody, RotateBody,
};
use crate::domain::{hash_secret, OrgId};
use crate::http::caller::{CallerVia, PortalCaller};
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::http::request_meta::client_ip_text;
use crate::issuer::client_auth::{CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX};
use crate::state::AppState;
use crate::store::{
    ClientPatch, ClientRecord, ClientView, NewAuditEvent, NewClient, NewClientSecret, Outbox,
};

/// Characters of a secret kept in clear to recognise it in lists (`axcs_` + 8).
const SHOWN_PREFIX_CHARS: usize = 13;

pub async fn list(caller: PortalCaller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let now = state.clock.now_ms();
    let clients = state.store.list_clients(&caller.org).await?;
    let secrets = state
        .store
        .list_client_secrets(&caller.org, None, now)
        .await?;
    let items: Vec<_> = clients.iter().map(|c| client_json(c, &secrets)).collect();
    Ok(HttpResponse::Ok().json(json!({ "clients": items })))
}

pub async fn get(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let client = find(&state, &caller.org, &id).await?;
    Ok(HttpResponse::Ok().json(read_json(&state, &caller.org, &client).await?))
}

pub async fn create(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<CreateBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let name = input::name(&body.name)?;
    let client_type = input::client_type(&body.client_type)?;
    let roles = input::roles(body.roles.as_deref().unwrap_or_default())?;
    let audiences = input::audiences(body.audiences.as_deref().unwrap_or_default())?;
    let redirect_uris = input::redirect_uris(body.redirect_uris.as_deref().unwrap_or_default())?;
    let ttl = input::token_ttl(body.token_ttl_secs.unwrap_or(input::DEFAULT_TOKEN_TTL_SECS))?;
    let alg = input::signing_alg(body.signing_alg.as_deref().unwrap_or("RS256"))?;
    let id = uuid::Uuid::new_v4().to_string();
    let client_id = format!("{CLIENT_ID_PREFIX}{}", random_part(16));
    let fresh = FreshSecret::new();
    let new = NewClient {
        id: &id,
        client_id: &client_id,
        name: &name,
        client_type,
        roles_json: &roles,
        audiences_json: &audiences,
        redirect_uris_json: &redirect_uris,
        token_ttl_secs: ttl,
        signing_alg: alg.as_str(),
    };
    let now = state.clock.now_ms();
    let (actor_type, actor_id) = caller.actor();
    let event = outbox("client.created", actor_type, actor_id);
    state
        .store
        .insert_client(&caller.org, &new, &fresh.record(), Some(&event), now)
        .await?;
    audit(&state, &req, &caller, "client_created", &client_id).await;
    let client = find(&state, &caller.org, &id).await?;
    let mut body = read_json(&state, &caller.org, &client).await?;
    body["client_secret"] = json!(fresh.secret);
    Ok(HttpResponse::Created().json(body))
}

pub async fn patch(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    JsonBody(body): JsonBody<PatchBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let client = find(&state, &caller.org, &id).await?;
    let patch = ClientPatch {
        name: body.name.as_deref().map(input::name).transpose()?,
        roles_json: body.roles.as_deref().map(input::roles).transpose()?,
        audiences_json: body
            .audiences
            .as_deref()
            .map(input::audiences)
            .transpose()?,
        redirect_uris_json: body
            .redirect_uris
            .as_deref()
            .map(input::redirect_uris)
            .transpose()?,
        token_ttl_secs: body.token_ttl_secs.map(input::token_ttl).transpose()?,
        signing_alg: body
            .signing_alg
            .as_deref()
            .map(|a| input::signing_alg(a).map(|a| a.as_str().to_owned()))
            .transpose()?,
        disabled: body.disabled,
    };
    let now = state.clock.now_ms();
    if !state
        .store
        .patch_client(&caller.org, &client.id, &patch, now)
        .await?
    {
        return Err(ApiError::not_found("client"));
    }
    audit(&state, &req, &caller, "client_updated", &client.client_id).await;
    let client = find(&state, &caller.org, &client.id).await?;
    Ok(HttpResponse::Ok().json(read_json(&state, &caller.org, &client).await?))
}

pub async fn delete(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let client = find(&state, &caller.org, &id).await?;
    let (actor_type, actor_id) = caller.actor();
    let event = outbox("client.deleted", actor_type, actor_id);
    let now = state.clock.now_ms();
    if !state
        .store
        .delete_client(&caller.org, &client.id, Some(&event), now)
        .await?
    {
        return Err(ApiError::not_found("client"));
    }
    audit(&state, &req, &caller, "client_deleted", &client.client_id).await;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /clients/{id}/secrets`: a new secret; the newest earlier one keeps working for
/// `previous_secret_ttl_secs` (default a day), any older one stops now.
pub async fn rotate_secret(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Option<JsonBody<RotateBody>>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.map(|b| b.0).unwrap_or_default();
    let ttl = input::previous_secret_ttl(body.previous_secret_ttl_secs)?;
    let client = find(&state, &caller.org, &id).await?;
    let fresh = FreshSecret::new();
    let now = state.clock.now_ms();
    let (actor_type, actor_id) = caller.actor();
    let event = outbox("client.secret_rotated", actor_type, actor_id);
    let done = state
        .store
        .rotate_client_secret(
            &caller.org,
            &client.id,
            &fresh.record(),
            now + ttl * 1000,
            Some(&event),
            now,
        )
        .await?;
    if !done {
        return Err(ApiError::not_found("client"));
    }
    audit(
        &state,
        &req,
        &caller,
        "client_secret_rotated",
        &client.client_id,
    )
    .await;
    let secrets = state
        .store
        .list_client_secrets(&caller.org, Some(&client.id), now)
        .await?;
    let created = secrets
        .iter()
        .find(|s| s.id == fresh.id)
        .ok_or_else(ApiError::internal)?;
    let mut body = secret_json(created);
    body["client_secret"] = json!(fresh.secret);
    Ok(HttpResponse::Created().json(body))
}

pub async fn revoke_secret(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (id, secret_id) = path.into_inner();
    let client = find(&state, &caller.org, &id).await?;
    if !state
        .store
        .delete_client_secret(&caller.org, &client.id, &secret_id)
        .await?
    {
        return Err(ApiError::not_found("client secret"));
    }
    audit(
        &state,
        &req,
        &caller,
        "client_secret_revoked",
        &client.client_id,
    )
    .await;
    Ok(HttpResponse::NoContent().finish())
}

/// A `client.*` event (CONTRACT.md §15) showing the client as GET does: secrets by prefix only.
fn outbox<'a>(kind: &'a str, actor_type: &'a str, actor_id: &'a str) -> Outbox<'a, ClientView> {
    Outbox {
        kind,
        actor_type,
        actor_id: Some(actor_id),
        data: &|v: &ClientView| client_json(&v.client, &v.secrets),
    }
}

async fn find(state: &AppState, org: &OrgId, id: &str) -> ApiResult<ClientRecord> {
    state
        .store
        .get_client(org, id)
        .await?
        .ok_or_else(|| ApiError::not_found("client"))
}

async fn read_json(
    state: &AppState,
    org: &OrgId,
    client: &ClientRecord,
) -> ApiResult<serde_json::Value> {
    let now = state.clock.now_ms();
    let secrets = state
        .store
        .list_client_secrets(org, Some(&client.id), now)
        .await?;
    Ok(client_json(client, &secrets))
}

/// A new `axcs_` secret (256 random bits, base64url), its row id and its SHA-256.
struct FreshSecret {
    secret: String,
    id: String,
    hash: String,
}

impl FreshSecret {
    fn new() -> Self {
        let secret = format!("{CLIENT_SECRET_PREFIX}{}", random_part(32));
        Self {
            hash: hash_secret(&secret),
            id: uuid::Uuid::new_v4().to_string(),
            secret,
        }
    }

    fn record(&self) -> NewClientSecret<'_> {
        NewClientSecret {
            id: &self.id,
            secret_hash: &self.hash,
            prefix: &self.secret[..SHOWN_PREFIX_CHARS],
        }
    }
}

fn random_part(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut buf);
    crate::jose::b64(&buf)
}

async fn audit(
    state: &AppState,
    req: &HttpRequest,
    caller: &PortalCaller,
    event: &str,
    client_id: &str,
) {
    let principal = match &caller.via {
        CallerVia::Session { record, .. } => record.principal_id.clone(),
        CallerVia::ApiKey { key_id } => format!("api_key:{key_id}"),
    };
    let ip = client_ip_text(req, &state.settings);
    let e = NewAuditEvent {
        event,
        outcome: "success",
        reason: None,
        principal: Some(&principal),
        ip: Some(&ip),
        detail: Some(json!({ "client_id": client_id }).to_string()),
    };
    if let Err(err) = state
        .store
        .insert_audit_event(&caller.org, &e, state.clock.now_ms())
        .await
    {
        tracing::warn!(error = %err, "audit event not recorded");
    }
}
