//! An organization's live sessions, for its admins: `GET /api/v1/sessions` lists them
//! (newest first, at most 200) and `DELETE /api/v1/sessions/{id}` ends one at once. The id
//! is a prefix of the stored hash of the cookie, never the cookie itself.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::audit;
use crate::clock::rfc3339;
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{NewAuditEvent, SessionListing};

const PAGE: i64 = 200;

fn listing_json(s: &SessionListing) -> Value {
    let roles: Vec<String> = serde_json::from_str(&s.roles).unwrap_or_default();
    json!({
        "id": s.id,
        "principal": {"type": s.principal_type, "id": s.principal_id, "email": s.email},
        "roles": roles,
        "auth_method": s.auth_method,
        "created_at": rfc3339(s.created_at),
        "last_seen_at": rfc3339(s.last_seen_at),
        "expires_at": rfc3339(s.expires_at),
    })
}

pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: PortalCaller,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let now = state.clock.now_ms();
    let idle_cutoff = now - state.settings.session_idle_timeout_secs * 1000;
    let sessions = state
        .store
        .list_org_sessions(&caller.org, now, idle_cutoff, PAGE)
        .await?;
    let items: Vec<Value> = sessions.iter().map(listing_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "sessions": items })))
}

pub async fn revoke_session(
    state: web::Data<AppState>,
    caller: PortalCaller,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    if !state.store.delete_org_session(&caller.org, &path).await? {
        return Err(ApiError::not_found("session"));
    }
    let principal = audit::principal_of(&caller);
    let detail = json!({ "id": path.as_str() }).to_string();
    let event = NewAuditEvent {
        event: audit::SESSION_REVOKED,
        outcome: "success",
        reason: None,
        principal: Some(&principal),
        ip: None,
        detail: Some(detail),
    };
    audit::record(&state, &caller.org, &event).await;
    Ok(HttpResponse::NoContent().finish())
}
