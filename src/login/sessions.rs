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

/// Stores a session under a fresh random id (no fixation) and returns the cookie value and
/// the stored record.
pub async fn issue_session(
    state: &AppState,
    org: &OrgId,
    who: &SessionPrincipal<'_>,
) -> ApiResult<(String, SessionRecord)> {
    let cookie_value = generate_secret(SecretKind::Session);
    let id_hash = hash_secret(&cookie_value);
    let now = state.clock.now_ms();
    let expires_at = now + state.settings.session_absolute_timeout_secs * 1000;
    let roles_json = serde_json::to_string(who.roles).map_err(|_| ApiError::internal())?;
    let idp_groups_json = who
        .idp_groups
        .map(serde_json::to_string)
        .transpose()
        .map_err(|_| ApiError::internal())?;
    let new = NewSession {
        id_hash: &id_hash,
        principal_type: who.principal_type,
        principal_id: who.principal_id,
        email: who.email,
        name: who.name,
        roles_json: &roles_json,
        auth_method: who.auth_method,
        expires_at,
        idp_groups_json: idp_groups_json.as_deref(),
    };
    let record = SessionRecord {
        org_id: org.to_string(),
        principal_type: who.principal_type.to_owned(),
        principal_id: who.principal_id.to_owned(),
        email: who.email.map(str::to_owned),
        name: who.name.map(str::to_owned),
        roles: roles_json.clone(),
        auth_method: who.auth_method.to_owned(),
        created_at: now,
        last_seen_at: now,
        expires_at,
    };
    let created = NewEvent {
        kind: "session.created",
        actor_type: who.principal_type,
        actor_id: Some(who.principal_id),
        data: session_json(&record),
    };
    state
        .store
        .insert_session_with(org, &new, Some(&created), now)
        .await?;
    Ok((cookie_value, record))
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
