//! Forgot, reset and change the organization's break-glass password (CONTRACT.md §4).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::{
    generate_secret, hash_password, hash_secret, verify_password, NewPassword, OrgId, SecretKind,
};
use crate::http::caller::SessionCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::http::rate_limit::{count_attempt, count_org_attempt};
use crate::http::request_meta::client_ip_text;
use crate::login::password::ORG_ADMIN;
use crate::state::AppState;
use crate::store::NewAuditEvent;

/// A reset link is valid for 30 minutes and only once.
const RESET_TOKEN_TTL_MS: i64 = 30 * 60 * 1000;

#[derive(Deserialize, ToSchema)]
pub struct ForgotBody {
    org_id: String,
}

/// 202 whatever happens, so the answer says nothing about which organizations exist; the
/// mail goes out in the background so timing does not either.
pub async fn forgot_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<ForgotBody>,
) -> ApiResult<HttpResponse> {
    let ip = client_ip_text(&req, &state.settings);
    count_attempt(
        &state,
        "forgot",
        &ip,
        state.settings.login_rate_limit_per_minute,
    )
    .await?;
    if let Ok(org) = OrgId::parse(body.org_id.trim()) {
        count_org_attempt(
            &state,
            "forgot",
            &org,
            state.settings.login_rate_limit_per_org_per_minute,
        )
        .await?;
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = send_reset_link(&state, &org).await {
                tracing::warn!(error = %e, %org, "password reset mail not sent");
            }
        });
    }
    Ok(HttpResponse::Accepted().finish())
}

async fn send_reset_link(state: &AppState, org: &OrgId) -> Result<(), String> {
    let Some(record) = state.store.get_org(org).await.map_err(|e| e.to_string())? else {
        return Ok(());
    };
    let Some(to) = record.contact_email.filter(|_| record.status == "active") else {
        return Ok(());
    };
    let token = generate_secret(SecretKind::PasswordReset);
    let now = state.clock.now_ms();
    state
        .store
        .insert_reset_token(org, &hash_secret(&token), now, now + RESET_TOKEN_TTL_MS)
        .await
        .map_err(|e| e.to_string())?;
    let link = format!("{}/reset-password?token={token}", state.settings.public_url);
    state.mailer.send_reset_link(&to, org, &link).await
}

#[derive(Deserialize, ToSchema)]
pub struct ResetBody {
    /// The `token` of the mailed reset link.
    token: String,
    /// At least 12 characters.
    new_password: String,
}

pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<ResetBody>,
) -> ApiResult<HttpResponse> {
    // The policy is checked before the token is spent, so a weak choice can be corrected.
    let password = parse_new_password(&body.new_password)?;
    let now = state.clock.now_ms();
    let org = state
        .store
        .consume_reset_token(&hash_secret(body.token.trim()), now)
        .await?
        .and_then(|org| OrgId::parse(&org).ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_token",
                "the reset link is invalid, used or expired",
            )
        })?;
    store_password(&state, &org, &password).await?;
    state
        .store
        .delete_org_sessions_by_method(&org, "password")
        .await?;
    audit_password(&state, &req, &org, super::audit::PASSWORD_RESET, ORG_ADMIN).await;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct ChangeBody {
    current_password: String,
    /// At least 12 characters.
    new_password: String,
}

pub async fn change_password(
    req: HttpRequest,
    caller: SessionCaller,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<ChangeBody>,
) -> ApiResult<HttpResponse> {
    if caller.record.principal_type != ORG_ADMIN {
        return Err(ApiError::forbidden(
            "only the organization's password principal has a password",
        ));
    }
    let password = parse_new_password(&body.new_password)?;
    let stored = state
        .store
        .org_credentials(&caller.org)
        .await?
        .and_then(|(_, hash)| hash);
    let hash = stored.unwrap_or_default();
    let candidate = body.current_password.clone();
    let matches = web::block(move || verify_password(&candidate, &hash))
        .await
        .map_err(|_| ApiError::internal())?;
    if !matches {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_credentials",
            "the current password is wrong",
        ));
    }
    store_password(&state, &caller.org, &password).await?;
    state
        .store
        .delete_principal_sessions(
            &caller.org,
            ORG_ADMIN,
            caller.org.as_str(),
            Some(&caller.id_hash),
        )
        .await?;
    let event = super::audit::PASSWORD_CHANGED;
    audit_password(&state, &req, &caller.org, event, ORG_ADMIN).await;
    Ok(HttpResponse::NoContent().finish())
}

pub fn parse_new_password(text: &str) -> ApiResult<NewPassword> {
    NewPassword::parse(text).map_err(|e| ApiError::unprocessable("weak_password", e.message()))
}

/// Hashes off the async workers, stores the new hash and ends every outstanding reset link
/// of the organization: every way of setting the password comes through here.
pub async fn store_password(
    state: &AppState,
    org: &OrgId,
    password: &NewPassword,
) -> ApiResult<()> {
    let hash = hash_in_background(password).await?;
    let now = state.clock.now_ms();
    if !state.store.set_org_password(org, &hash, now).await? {
        return Err(ApiError::not_found("organization"));
    }
    state.store.end_reset_tokens_of_org(org, now).await?;
    Ok(())
}

pub async fn hash_in_background(password: &NewPassword) -> ApiResult<String> {
    let text = password.as_str().to_owned();
    web::block(move || {
        NewPassword::parse(&text)
            .map_err(|e| e.message())
            .and_then(|p| hash_password(&p))
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        ApiError::internal()
    })
}

/// A successful password event of `principal` from `req`'s client.
pub async fn audit_password(
    state: &AppState,
    req: &HttpRequest,
    org: &OrgId,
    event: &str,
    principal: &str,
) {
    let ip = client_ip_text(req, &state.settings);
    let e = NewAuditEvent {
        event,
        outcome: "success",
        principal: Some(principal),
        ip: Some(&ip),
        ..Default::default()
    };
    super::audit::record(state, org, &e).await;
}
