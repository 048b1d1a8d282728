//! Issuing portal sessions and rendering the session JSON of CONTRACT.md §4. SSO logins
//! (SAML, OIDC) issue their sessions here too.

use actix_web::HttpResponse;
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::domain::{generate_secret, hash_secret, OrgId, SecretKind};
use crate::http::error::{ApiError, ApiResult};
use crate::http::session_cookie::session_cookie;
use crate::state::AppState;
use crate::store::{NewEvent, NewSession, SessionRecord};

/// Who a new session is for.
#[derive(Debug)]
pub struct SessionPrincipal<'a> {
    pub principal_type: &'a str,
    pub principal_id: &'a str,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub roles: &'a [String],
    pub auth_method: &'a str,
    /// The groups an SSO sign-in asserted; kept so roles can be recomputed later.
    pub idp_groups: Option<&'a [String]>,
}

/// A session ready to be stored under a fresh random id (no fixation): the cookie value,
/// the record, and what the row and its `session.created` event are made of.
#[derive(Debug)]
pub struct PreparedSession {
    pub cookie_value: String,
    pub record: SessionRecord,
    id_hash: String,
    idp_groups_json: Option<String>,
}

impl PreparedSession {
    pub fn row(&self) -> NewSession<'_> {
        let r = &self.record;
        NewSession {
            id_hash: &self.id_hash,
            principal_type: &r.principal_type,
            principal_id: &r.principal_id,
            email: r.email.as_deref(),
            name: r.name.as_deref(),
            roles_json: &r.roles,
            auth_method: &r.auth_method,
            expires_at: r.expires_at,
            idp_groups_json: self.idp_groups_json.as_deref(),
            saml_name_id: None,
            saml_session_index: None,
        }
    }

    /// The outbox event written in the session's transaction (CONTRACT.md §15).
    pub fn created_event(&self) -> NewEvent<'_> {
        NewEvent {
            kind: "session.created",
            actor_type: &self.record.principal_type,
            actor_id: Some(&self.record.principal_id),
            data: session_json(&self.record),
        }
    }
}

pub fn prepare_session(
    state: &AppState,
    org: &OrgId,
    who: &SessionPrincipal<'_>,
) -> ApiResult<PreparedSession> {
    let cookie_value = generate_secret(SecretKind::Session);
    let now = state.clock.now_ms();
    let roles = serde_json::to_string(who.roles).map_err(|_| ApiError::internal())?;
    let idp_groups_json = who
        .idp_groups
        .map(serde_json::to_string)
        .transpose()
        .map_err(|_| ApiError::internal())?;
    let record = SessionRecord {
        org_id: org.to_string(),
        principal_type: who.principal_type.to_owned(),
        principal_id: who.principal_id.to_owned(),
        email: who.email.map(str::to_owned),
        name: who.name.map(str::to_owned),
        roles,
        auth_method: who.auth_method.to_owned(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + state.settings.session_absolute_timeout_secs * 1000,
    };
    Ok(PreparedSession {
        id_hash: hash_secret(&cookie_value),
        cookie_value,
        record,
        idp_groups_json,
    })
}

/// Stores a new session with its event and returns the cookie value and the record.
pub async fn issue_session(
    state: &AppState,
    org: &OrgId,
    who: &SessionPrincipal<'_>,
) -> ApiResult<(String, SessionRecord)> {
    let prepared = prepare_session(state, org, who)?;
    let now = prepared.record.created_at;
    state
        .store
        .insert_session_with(org, &prepared.row(), Some(&prepared.created_event()), now)
        .await?;
    Ok((prepared.cookie_value, prepared.record))
}

/// 200 with the session JSON and the cookie that carries it.
pub fn session_response(
    state: &AppState,
    cookie_value: String,
    record: &SessionRecord,
) -> HttpResponse {
    HttpResponse::Ok()
        .cookie(session_cookie(
            cookie_value,
            state.settings.session_absolute_timeout_secs,
            &state.settings,
        ))
        .json(session_json(record))
}

pub fn session_json(record: &SessionRecord) -> Value {
    let roles: Vec<String> = serde_json::from_str(&record.roles).unwrap_or_default();
    let mut principal = json!({"type": record.principal_type, "id": record.principal_id});
    if let Some(email) = &record.email {
        principal["email"] = json!(email);
    }
    if let Some(name) = &record.name {
        principal["name"] = json!(name);
    }
    json!({
        "org_id": record.org_id,
        "principal": principal,
        "roles": roles,
        "auth_method": record.auth_method,
        "created_at": rfc3339(record.created_at),
        "expires_at": rfc3339(record.expires_at),
    })
}

/// Ends every session the browser's cookies name (sign-out; idempotent).
pub async fn end_sessions(state: &AppState, cookie_values: &[String]) -> ApiResult<()> {
    for value in cookie_values.iter().filter(|v| !v.is_empty()) {
        state
            .store
            .delete_session(&crate::domain::hash_secret(value))
            .await?;
    }
    Ok(())
}

/// The principal an audit entry names for a session: `org_admin` for the break-glass
/// password session (its principal id is the organization's), else the user's id.
pub fn audit_principal(record: &SessionRecord) -> &str {
    if record.principal_type == crate::login::password::ORG_ADMIN {
        crate::login::password::ORG_ADMIN
    } else {
        &record.principal_id
    }
}
