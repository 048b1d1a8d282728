//! `/api/v1/setup-links` (admin of the organization) and
//! `/api/v1/admin/organizations/{org_id}/setup-links` (the operator's admin API): create,
//! list, delete. Deleting a link ends its setup sessions at once.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::links::{audit, create_link, link_json};
use crate::domain::OrgId;
use crate::http::admin_auth::AdminCaller;
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::state::AppState;

fn creator(caller: &PortalCaller) -> String {
    let (kind, id) = caller.actor();
    format!("{kind}:{id}")
}

pub async fn create(
    state: web::Data<AppState>,
    caller: PortalCaller,
    body: JsonBody<Value>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let created = create_link(&state, &caller.org, &body.0, &creator(&caller)).await?;
    Ok(HttpResponse::Created().json(created))
}

pub async fn list(state: web::Data<AppState>, caller: PortalCaller) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let now = state.clock.now_ms();
    let links = state.store.list_setup_links(&caller.org, now).await?;
    let links: Vec<Value> = links.iter().map(link_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "links": links })))
}

pub async fn delete(
    state: web::Data<AppState>,
    caller: PortalCaller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    if !state.store.delete_setup_link(&caller.org, &id).await? {
        return Err(ApiError::not_found("setup link"));
    }
    audit(
        &state,
        &caller.org,
        "setup_link.deleted",
        &creator(&caller),
        json!({"id": *id}),
    )
    .await;
    state
        .metrics
        .setup_links
        .with_label_values(&["deleted"])
        .inc();
    Ok(HttpResponse::NoContent().finish())
}

/// The operator's way: a link for any organization, with the admin API key.
pub async fn create_for_org(
    state: web::Data<AppState>,
    _: AdminCaller,
    org_id: web::Path<String>,
    body: JsonBody<Value>,
) -> ApiResult<HttpResponse> {
    let org = OrgId::parse(&org_id).map_err(|_| ApiError::not_found("organization"))?;
    if state.store.get_org(&org).await?.is_none() {
        return Err(ApiError::not_found("organization"));
    }
    let created = create_link(&state, &org, &body.0, "admin_api").await?;
    Ok(HttpResponse::Created().json(created))
}
