//! Password login, logout, the current session and SSO availability (CONTRACT.md §4).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::http::caller::SessionCaller;
use crate::http::error::ApiResult;
use crate::http::json_body::JsonBody;
use crate::http::request_meta::{check_same_origin, client_ip_text};
use crate::http::session_cookie::{cleared_session_cookie, session_cookie_values};
use crate::login::password::{enabled_sso, password_sign_in, sso_login_url};
use crate::login::sessions::{end_sessions, session_json, session_response};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    org_id: String,
    password: String,
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<LoginBody>,
) -> ApiResult<HttpResponse> {
    check_same_origin(&req, &state.settings)?;
    let ip = client_ip_text(&req, &state.settings);
    let (cookie, record) = password_sign_in(&state, &body.org_id, &body.password, &ip).await?;
    Ok(session_response(&state, cookie, &record))
}

/// Ends the session server-side and clears the cookie; idempotent. With more than one
/// session cookie (which every other route refuses) it ends each of them, so signing out is
/// always the way out of an ambiguous state.
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let values = session_cookie_values(&req);
    if !values.is_empty() {
        check_same_origin(&req, &state.settings)?;
    }
    end_sessions(&state, &values).await?;
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
    let body = match enabled_sso(&state, &raw).await? {
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
