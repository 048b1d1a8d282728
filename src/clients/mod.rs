//! An organization's OAuth clients (CONTRACT.md §12), for every surface that manages them
//! (the clients API and the console): creating one with its first secret (shown once by
//! the caller, stored as SHA-256), deleting one, the JSON of a client with its secrets by
//! prefix only, the `client.*` events and the audit entries.

pub mod input;

use serde_json::{json, Value};

use self::input::{client_json, CreateBody};
use crate::credentials::ChangedBy;
use crate::domain::{hash_secret, OrgId};
use crate::http::error::{ApiError, ApiResult};
use crate::issuer::client_auth::{CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX};
use crate::state::AppState;
use crate::store::{ClientRecord, ClientView, NewAuditEvent, NewClient, NewClientSecret, Outbox};

/// Characters of a secret kept in clear to recognise it in lists (`axcs_` + 8).
const SHOWN_PREFIX_CHARS: usize = 13;

/// Every client of the organization with its live secrets (by prefix).
pub async fn list_json(state: &AppState, org: &OrgId) -> ApiResult<Vec<Value>> {
    let now = state.clock.now_ms();
    let clients = state.store.list_clients(org).await?;
    let secrets = state.store.list_client_secrets(org, None, now).await?;
    Ok(clients.iter().map(|c| client_json(c, &secrets)).collect())
}

/// Validates `body`, creates the client with its first secret and its `client.created`
/// event; answers the client as GET shows it and the secret, to be shown once.
pub async fn create(
    state: &AppState,
    org: &OrgId,
    by: &ChangedBy<'_>,
    body: &CreateBody,
) -> ApiResult<(Value, String)> {
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
    let event = outbox("client.created", by);
    state
        .store
        .insert_client(org, &new, &fresh.record(), Some(&event), now)
        .await?;
    audit(state, org, by, "client_created", &client_id).await;
    let client = find(state, org, &id).await?;
    Ok((read_json(state, org, &client).await?, fresh.secret))
}

/// Deletes the client and its secrets: tokens it holds stop at once (§12).
pub async fn delete(state: &AppState, org: &OrgId, by: &ChangedBy<'_>, id: &str) -> ApiResult<()> {
    let client = find(state, org, id).await?;
    let event = outbox("client.deleted", by);
    let now = state.clock.now_ms();
    if !state
        .store
        .delete_client(org, &client.id, Some(&event), now)
        .await?
    {
        return Err(ApiError::not_found("client"));
    }
    audit(state, org, by, "client_deleted", &client.client_id).await;
    Ok(())
}

/// A `client.*` event (CONTRACT.md §15) showing the client as GET does: secrets by prefix only.
pub fn outbox<'a>(kind: &'a str, by: &ChangedBy<'a>) -> Outbox<'a, ClientView> {
    Outbox {
        kind,
        actor_type: by.actor_type,
        actor_id: Some(by.actor_id),
        data: &|v: &ClientView| client_json(&v.client, &v.secrets),
    }
}

pub async fn find(state: &AppState, org: &OrgId, id: &str) -> ApiResult<ClientRecord> {
    state
        .store
        .get_client(org, id)
        .await?
        .ok_or_else(|| ApiError::not_found("client"))
}

pub async fn read_json(state: &AppState, org: &OrgId, client: &ClientRecord) -> ApiResult<Value> {
    let now = state.clock.now_ms();
    let secrets = state
        .store
        .list_client_secrets(org, Some(&client.id), now)
        .await?;
    Ok(client_json(client, &secrets))
}

/// A new `axcs_` secret (256 random bits, base64url), its row id and its SHA-256.
pub struct FreshSecret {
    pub secret: String,
    pub id: String,
    hash: String,
}

impl FreshSecret {
    pub fn new() -> Self {
        let secret = format!("{CLIENT_SECRET_PREFIX}{}", random_part(32));
        Self {
            hash: hash_secret(&secret),
            id: uuid::Uuid::new_v4().to_string(),
            secret,
        }
    }

    pub fn record(&self) -> NewClientSecret<'_> {
        NewClientSecret {
            id: &self.id,
            secret_hash: &self.hash,
            prefix: &self.secret[..SHOWN_PREFIX_CHARS],
        }
    }
}

impl Default for FreshSecret {
    fn default() -> Self {
        Self::new()
    }
}

fn random_part(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut buf);
    crate::jose::b64(&buf)
}

/// The audit entry of a change to a client (its public id, never a secret).
pub async fn audit(
    state: &AppState,
    org: &OrgId,
    by: &ChangedBy<'_>,
    event: &'static str,
    client_id: &str,
) {
    let entry = NewAuditEvent {
        event,
        outcome: "success",
        reason: None,
        principal: Some(by.principal),
        ip: Some(by.ip),
        detail: Some(json!({ "client_id": client_id }).to_string()),
    };
    state.record_audit(org, &entry, None).await;
}
