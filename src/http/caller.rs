//! Who is calling a portal API: a session (cookie) or a portal API key (Bearer or X-API-Key),
//! and what its roles let it do (CONTRACT.md §1, §5).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::error::{ApiError, ApiResult};
use super::request_meta::check_same_origin;
use super::session_cookie::session_cookie_value;
use crate::domain::{hash_secret, OrgId};
use crate::state::AppState;
use crate::store::{CredentialKind, SessionRecord};

/// Marks older than this are refreshed on use; a busy session or key then writes at most
/// once a minute instead of on every request.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

#[derive(Debug, Clone)]
pub enum CallerVia {
    Session {
        id_hash: String,
        record: SessionRecord,
    },
    ApiKey {
        key_id: String,
    },
}

#[derive(Debug, Clone)]
pub struct PortalCaller {
    pub org: OrgId,
    pub roles: Vec<String>,
    pub via: CallerVia,
}

impl PortalCaller {
    /// Who an event of this caller's change names (CONTRACT.md §15 `actor`): the session's
    /// principal, or the API key by its id (never its secret).
    pub fn actor(&self) -> (&str, &str) {
        match &self.via {
            CallerVia::Session { record, .. } => (&record.principal_type, &record.principal_id),
            CallerVia::ApiKey { key_id } => ("api_key", key_id),
        }
    }

    /// How the SSO and clients audit name the caller: the session's principal, or the API
    /// key as `api_key:<id>`.
    pub fn audit_principal(&self) -> String {
        match &self.via {
            CallerVia::Session { record, .. } => record.principal_id.clone(),
            CallerVia::ApiKey { key_id } => format!("api_key:{key_id}"),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }

    /// `admin` may do everything (CONTRACT.md §5).
    pub fn require_admin(&self) -> ApiResult<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("this action needs the admin role"))
        }
    }

    /// `admin`, `editor` and `viewer` may read the SSO configuration and audit.
    pub fn require_reader(&self) -> ApiResult<()> {
        if self
            .roles
            .iter()
            .any(|r| matches!(r.as_str(), "admin" | "editor" | "viewer"))
        {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "this action needs the admin, editor or viewer role",
            ))
        }
    }
}

/// A caller authenticated by the session cookie only (`/api/v1/auth/session`, logout,
/// change-password): API keys are not sessions.
#[derive(Debug, Clone)]
pub struct SessionCaller {
    pub org: OrgId,
    pub id_hash: String,
    pub record: SessionRecord,
}

fn presented_api_key(req: &HttpRequest) -> Option<String> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|v| v.trim().to_owned());
    bearer.or_else(|| {
        req.headers()
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
    })
}

fn state_of(req: &HttpRequest) -> ApiResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(ApiError::internal)
}

/// Looks up the live session named by the cookie, refreshing its idle mark when stale.
pub async fn live_session(
    state: &AppState,
    cookie_value: &str,
) -> ApiResult<Option<(String, SessionRecord)>> {
    let id_hash = hash_secret(cookie_value);
    let now = state.clock.now_ms();
    let idle_cutoff = now - state.settings.session_idle_timeout_secs * 1000;
    let Some(record) = state
        .store
        .find_live_session(&id_hash, now, idle_cutoff)
        .await?
    else {
        return Ok(None);
    };
    if now - record.last_seen_at
        > LAST_USED_GRANULARITY_MS.min(state.settings.session_idle_timeout_secs * 250)
    {
        state.store.touch_session(&id_hash, now).await?;
    }
    Ok(Some((id_hash, record)))
}

async fn authenticate_session(req: &HttpRequest, state: &AppState) -> ApiResult<SessionCaller> {
    let cookie = session_cookie_value(req)?.ok_or_else(ApiError::unauthenticated)?;
    let (id_hash, record) = live_session(state, &cookie)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    check_same_origin(req, &state.settings)?;
    let org = OrgId::parse(&record.org_id).map_err(|_| ApiError::internal())?;
    Ok(SessionCaller {
        org,
        id_hash,
        record,
    })
}

async fn authenticate_api_key(state: &AppState, key: &str) -> ApiResult<PortalCaller> {
    let now = state.clock.now_ms();
    let found = state
        .store
        .find_credential_by_hash(CredentialKind::PortalKey, &hash_secret(key), now)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if found.org_status != "active" {
        return Err(ApiError::forbidden("the organization is suspended").with_code("org_suspended"));
    }
    let key = found.credential;
    if key
        .last_used_at
        .is_none_or(|t| now - t > LAST_USED_GRANULARITY_MS)
    {
        state.store.mark_credential_used(&key.id, now).await?;
    }
    let org = OrgId::parse(&key.org_id).map_err(|_| ApiError::internal())?;
    Ok(PortalCaller {
        org,
        roles: key.role.into_iter().collect(),
        via: CallerVia::ApiKey { key_id: key.id },
    })
}

impl FromRequest for PortalCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Self>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            if let Some(key) = presented_api_key(&req) {
                return authenticate_api_key(&state, &key).await;
            }
            let session = authenticate_session(&req, &state).await?;
            let roles = serde_json::from_str(&session.record.roles).unwrap_or_default();
            Ok(PortalCaller {
                org: session.org,
                roles,
                via: CallerVia::Session {
                    id_hash: session.id_hash,
                    record: session.record,
                },
            })
        })
    }
}

impl FromRequest for SessionCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Self>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            authenticate_session(&req, &state).await
        })
    }
}
