//! `/api/v1/sso/config` (CONTRACT.md §6): read, create, replace, merge-patch and delete the
//! organization's one SSO configuration. Admins write; admin, editor and viewer read.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::Value;

use super::metadata_api::with_refresh_state;
use crate::credentials::ChangedBy;
use crate::domain::OrgId;
use crate::federation::config::{merge_patch, SsoConfig};
use crate::federation::load_config;
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::sso_setup::prepare::prepare;
use crate::sso_setup::{config_json, save, ConfigWrite};
use crate::state::AppState;
use crate::store::NewAuditEvent;

fn already_configured() -> ApiError {
    ApiError::conflict(
        "already_configured",
        "this organization already has an SSO configuration; use PUT or PATCH",
    )
}

fn not_configured() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_configured",
        "this organization has no SSO configuration",
    )
}

/// Saves `change` for the caller (the SSO audit names it as before: no IP).
async fn save_as(
    state: &AppState,
    caller: &PortalCaller,
    change: ConfigWrite<'_>,
    action: &str,
) -> ApiResult<bool> {
    let principal = caller.audit_principal();
    let (actor_type, actor_id) = caller.actor();
    let by = ChangedBy {
        actor_type,
        actor_id,
        principal: &principal,
        ip: "",
    };
    save(state, &caller.org, &by, change, action).await
}

/// An admin's change to the SSO setup, in the SSO audit feed.
pub(super) async fn audit_admin_action(
    state: &AppState,
    caller: &PortalCaller,
    event: &'static str,
    detail: Value,
) {
    let principal = caller.audit_principal();
    let audit = NewAuditEvent {
        event,
        outcome: "success",
        reason: None,
        principal: Some(&principal),
        ip: None,
        detail: Some(detail.to_string()),
    };
    if let Err(e) = state
        .store
        .insert_audit_event(&caller.org, &audit, state.clock.now_ms())
        .await
    {
        tracing::warn!(error = %e, "audit event not recorded");
    }
}

async fn stored_json(state: &AppState, org: &OrgId) -> ApiResult<Value> {
    let loaded = load_config(&state.store, org)
        .await?
        .ok_or_else(ApiError::internal)?;
    let body = config_json(state, org, &loaded);
    with_refresh_state(state, org, &loaded.config, body).await
}

pub async fn get_config(
    state: web::Data<AppState>,
    caller: PortalCaller,
) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let loaded = load_config(&state.store, &caller.org)
        .await?
        .ok_or_else(not_configured)?;
    let body = config_json(&state, &caller.org, &loaded);
    let body = with_refresh_state(&state, &caller.org, &loaded.config, body).await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn create_config(
    state: web::Data<AppState>,
    caller: PortalCaller,
    body: JsonBody<Value>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    if state.store.get_sso_config(&caller.org).await?.is_some() {
        return Err(already_configured());
    }
    let cfg = prepare(&state, body.0, None).await?;
    if !save_as(&state, &caller, ConfigWrite::Create(&cfg), "created").await? {
        return Err(already_configured());
    }
    Ok(HttpResponse::Created().json(stored_json(&state, &caller.org).await?))
}

async fn save_replacement(
    state: &AppState,
    caller: &PortalCaller,
    input: Value,
    previous: &SsoConfig,
    action: &str,
) -> ApiResult<HttpResponse> {
    let cfg = prepare(state, input, Some(previous)).await?;
    if !save_as(state, caller, ConfigWrite::Replace(&cfg), action).await? {
        return Err(not_configured());
    }
    Ok(HttpResponse::Ok().json(stored_json(state, &caller.org).await?))
}

/// Full replace. A write-only secret left out keeps its stored value.
pub async fn replace_config(
    state: web::Data<AppState>,
    caller: PortalCaller,
    body: JsonBody<Value>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let previous = load_config(&state.store, &caller.org)
        .await?
        .ok_or_else(not_configured)?;
    save_replacement(&state, &caller, body.0, &previous.config, "replaced").await
}

/// RFC 7396 merge patch over the stored configuration.
pub async fn patch_config(
    state: web::Data<AppState>,
    caller: PortalCaller,
    body: JsonBody<Value>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let previous = load_config(&state.store, &caller.org)
        .await?
        .ok_or_else(not_configured)?;
    if !body.0.is_object() {
        return Err(ApiError::bad_request(
            "invalid_request",
            "a merge patch must be a JSON object",
        ));
    }
    let mut merged = serde_json::to_value(&previous.config).map_err(|_| ApiError::internal())?;
    merge_patch(&mut merged, &body.0);
    save_replacement(&state, &caller, merged, &previous.config, "patched").await
}

pub async fn delete_config(
    state: web::Data<AppState>,
    caller: PortalCaller,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    if !save_as(&state, &caller, ConfigWrite::Delete, "deleted").await? {
        return Err(not_configured());
    }
    Ok(HttpResponse::NoContent().finish())
}
