//! Password login, logout, the current session and SSO availability (CONTRACT.md §4).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::{verify_password, OrgId, DUMMY_PASSWORD_HASH};
use crate::http::caller::SessionCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::http::rate_limit::{count_attempt, count_org_attempt};
use crate::http::request_meta::{check_same_origin, client_ip_text};
use crate::http::session_cookie::{cleared_session_cookie, session_cookie_values};
use crate::login::sessions::{issue_session, session_json, session_response, SessionPrincipal};
use crate::state::AppState;
use crate::store::NewAuditEvent;

pub const ORG_ADMIN: &str = "org_admin";

#[derive(Deserialize)]
pub struct LoginBody {
    org_id: String,
    password: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the organization or password is wrong",
    )
}

/// What the password check found; every branch has cost one Argon2 verification.
enum PasswordCheck {
    Accepted { suspended: bool },
    Refused { org_known: bool },
}

async fn check_org_password(
    state: &AppState,
    org: Option<&OrgId>,
    password: &str,
) -> ApiResult<PasswordCheck> {
    let stored = match org {
        Some(org) => state.store.org_credentials(org).await?,
        None => None,
    };
    let org_known = stored.is_some();
    let (status, hash) = stored.unwrap_or_default();
    let hash = hash.unwrap_or_else(|| DUMMY_PASSWORD_HASH.to_owned());
    let candidate = password.to_owned();
    // Argon2 takes tens of milliseconds: keep it off the async workers.
    let matches = web::block(move || verify_password(&candidate, &hash))
        .await
        .map_err(|_| ApiError::internal())?;
    Ok(if matches && org_known {
        PasswordCheck::Accepted {
            suspended: status != "active",
        }
    } else {
        PasswordCheck::Refused { org_known }
    })
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<LoginBody>,
) -> ApiResult<HttpResponse> {
    check_same_origin(&req, &state.settings)?;
    let ip = client_ip_text(&req, &state.settings);
    count_attempt(
        &state,
        "login",
        &ip,
        state.settings.login_rate_limit_per_minute,
    )
    .await?;
    let org = OrgId::parse(body.org_id.trim()).ok();
    if let Some(org) = &org {
        count_org_attempt(
            &state,
            "login",
            org,
            state.settings.login_rate_limit_per_org_per_minute,
        )
        .await?;
    }
    let check = check_org_password(&state, org.as_ref(), &body.password).await?;
    let (org, suspended) = match (org, check) {
        (Some(org), PasswordCheck::Accepted { suspended }) => (org, suspended),
        (Some(org), PasswordCheck::Refused { org_known: true }) => {
            // Recorded off the response path: unknown orgs have no audit row to write, and
            // the two answers must take the same time.
            let state = state.clone();
            tokio::spawn(async move {
                audit_login(&state, &org, "failure", Some("invalid_credentials"), &ip).await
            });
            return Err(invalid_credentials());
        }
        _ => return Err(invalid_credentials()),
    };
    if suspended {
        audit_login(&state, &org, "failure", Some("org_suspended"), &ip).await;
        return Err(ApiError::forbidden("the organization is suspended").with_code("org_suspended"));
    }
    if let Some(login_url) = enforced_sso_login_url(&state, &org).await? {
        audit_login(&state, &org, "failure", Some("sso_required"), &ip).await;
        return Err(sso_required(login_url));
    }
    let roles = vec!["admin".to_owned()];
    let who = SessionPrincipal {
        principal_type: ORG_ADMIN,
        principal_id: org.as_str(),
        email: None,
        name: None,
        roles: &roles,
        auth_method: "password",
        idp_groups: None,
    };
    let (cookie, record) = issue_session(&state, &org, &who).await?;
    audit_login(&state, &org, "success", None, &ip).await;
    Ok(session_response(&state, cookie, &record))
}

fn sso_required(login_url: String) -> ApiError {
    // The body carries `login_url` beside the usual two fields.
    let mut err = ApiError::forbidden("this organization signs in through its identity provider")
        .with_code("sso_required");
    err.extra = Some(json!({ "login_url": login_url }));
    err
}

async fn enforced_sso_login_url(state: &AppState, org: &OrgId) -> ApiResult<Option<String>> {
    let config = state.store.get_sso_config(org).await?;
    Ok(config
        .filter(|c| c.enabled && c.enforce_sso)
        .map(|c| sso_login_url(state, org, &c.protocol)))
}

pub fn sso_login_url(state: &AppState, org: &OrgId, protocol: &str) -> String {
    format!("{}/auth/{protocol}/{org}/login", state.settings.public_url)
}

async fn audit_login(state: &AppState, org: &OrgId, outcome: &str, reason: Option<&str>, ip: &str) {
    let event = NewAuditEvent {
        event: super::audit::PASSWORD_LOGIN,
        outcome,
        reason,
        principal: Some(ORG_ADMIN),
        ip: Some(ip),
        detail: None,
    };
    let failed = reason.map(|r| crate::store::NewEvent {
        kind: "login.failed",
        actor_type: ORG_ADMIN,
        actor_id: None,
        data: serde_json::json!({"auth_method": "password", "reason": r, "ip": ip}),
    });
    super::audit::record_with(state, org, &event, failed.as_ref()).await;
}

/// Ends the session server-side and clears the cookie; idempotent. With more than one
/// session cookie (which every other route refuses) it ends each of them, so signing out is
/// always the way out of an ambiguous state.
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let values = session_cookie_values(&req);
    if !values.is_empty() {
        check_same_origin(&req, &state.settings)?;
    }
    for value in values.iter().filter(|v| !v.is_empty()) {
        state
            .store
            .delete_session(&crate::domain::hash_secret(value))
            .await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(cleared_session_cookie(&state.settings))
        .finish())
}

pub async fn current_session(caller: SessionCaller) -> HttpResponse {
    HttpResponse::Ok().json(session_json(&caller.record))
}

#[derive(Deserialize)]
pub struct AvailabilityQuery {
    org_id: Option<String>,
}

/// The same shape whether or not the organization exists, so it cannot enumerate orgs
/// that have no SSO.
pub async fn sso_availability(
    state: web::Data<AppState>,
    query: web::Query<AvailabilityQuery>,
) -> ApiResult<HttpResponse> {
    let raw = query.org_id.clone().unwrap_or_default();
    let config = match OrgId::parse(raw.trim()) {
        Ok(org) => state
            .store
            .get_sso_config(&org)
            .await?
            .filter(|c| c.enabled)
            .map(|c| (org, c)),
        Err(_) => None,
    };
    let body = match config {
        Some((org, c)) => json!({
            "org_id": raw,
            "sso_enabled": true,
            "protocol": c.protocol,
            "login_url": sso_login_url(&state, &org, &c.protocol),
            "password_login_allowed": !c.enforce_sso,
        }),
        None => json!({
            "org_id": raw, "sso_enabled": false, "protocol": null, "login_url": null,
            "password_login_allowed": true,
        }),
    };
    Ok(HttpResponse::Ok().json(body))
}
