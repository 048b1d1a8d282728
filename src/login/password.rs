//! Password sign-in of an organization's admin (CONTRACT.md §4), shared by the portal's
//! JSON login and the console's form: the per-IP and per-org limits, one Argon2
//! verification on every path (so an unknown org answers in the same time), the suspended
//! and enforced-SSO refusals, the audit row with its `login.failed` event, the session.

use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::json;

use crate::domain::{verify_password, OrgId, DUMMY_PASSWORD_HASH};
use crate::http::error::{ApiError, ApiResult};
use crate::http::rate_limit::{count_attempt, count_org_attempt};
use crate::login::sessions::{issue_session, SessionPrincipal};
use crate::state::AppState;
use crate::store::{NewAuditEvent, SessionRecord};

/// The principal of a password session: the organization's admin.
pub const ORG_ADMIN: &str = "org_admin";
/// The audit event of a password sign-in.
pub const PASSWORD_LOGIN: &str = "password.login";

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

/// Checks the organization's password and issues its admin session (the cookie value and
/// the record). Refusals are the
/// API's errors: `rate_limited`, `invalid_credentials`, `org_suspended`, `sso_required`
/// (with `login_url`).
pub async fn password_sign_in(
    state: &web::Data<AppState>,
    org_text: &str,
    password: &str,
    ip: &str,
) -> ApiResult<(String, SessionRecord)> {
    count_attempt(
        state,
        "login",
        ip,
        state.settings.login_rate_limit_per_minute,
    )
    .await?;
    let org = OrgId::parse(org_text.trim()).ok();
    if let Some(org) = &org {
        let limit = state.settings.login_rate_limit_per_org_per_minute;
        count_org_attempt(state, "login", org, limit).await?;
    }
    let check = check_org_password(state, org.as_ref(), password).await?;
    let (org, suspended) = match (org, check) {
        (Some(org), PasswordCheck::Accepted { suspended }) => (org, suspended),
        (Some(org), PasswordCheck::Refused { org_known: true }) => {
            // Recorded off the response path: unknown orgs have no audit row to write, and
            // the two answers must take the same time.
            let (state, ip) = (state.clone(), ip.to_owned());
            tokio::spawn(async move {
                audit_login(&state, &org, "failure", Some("invalid_credentials"), &ip).await
            });
            return Err(invalid_credentials());
        }
        _ => return Err(invalid_credentials()),
    };
    if suspended {
        audit_login(state, &org, "failure", Some("org_suspended"), ip).await;
        return Err(ApiError::forbidden("the organization is suspended").with_code("org_suspended"));
    }
    if let Some(login_url) = enforced_sso_login_url(state, &org).await? {
        audit_login(state, &org, "failure", Some("sso_required"), ip).await;
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
    let issued = issue_session(state, &org, &who).await?;
    audit_login(state, &org, "success", None, ip).await;
    Ok(issued)
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

/// The availability check: the organization the text names and its SSO configuration,
/// when one is enabled (unknown organizations and those without SSO look the same).
pub async fn enabled_sso(
    state: &AppState,
    org_text: &str,
) -> crate::store::StoreResult<Option<(OrgId, crate::store::SsoConfigRecord)>> {
    let Ok(org) = OrgId::parse(org_text.trim()) else {
        return Ok(None);
    };
    let config = state.store.get_sso_config(&org).await?;
    Ok(config.filter(|c| c.enabled).map(|c| (org, c)))
}

/// Where a browser starts the organization's SSO sign-in.
pub fn sso_login_url(state: &AppState, org: &OrgId, protocol: &str) -> String {
    format!("{}/auth/{protocol}/{org}/login", state.settings.public_url)
}

async fn audit_login(state: &AppState, org: &OrgId, outcome: &str, reason: Option<&str>, ip: &str) {
    let event = NewAuditEvent {
        event: PASSWORD_LOGIN,
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
        data: json!({"auth_method": "password", "reason": r, "ip": ip}),
    });
    state.record_audit(org, &event, failed.as_ref()).await;
}
