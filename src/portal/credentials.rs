//! Portal API keys and SCIM tokens (CONTRACT.md §9) as JSON: thin handlers over
//! `crate::credentials`, which the console shares.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::credentials::{
    credential_json, issue, revoke, ChangedBy, CredentialRequest, CredentialSurface, PORTAL_KEYS,
    SCIM_TOKENS,
};
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::http::request_meta::client_ip_text;
use crate::state::AppState;
use crate::store::CredentialKind;

use super::audit;

#[derive(Deserialize, ToSchema)]
// Named apart from the webhooks' `CreateBody`: the document keys schemas by name.
#[schema(as = CreateCredentialBody)]
pub struct CreateBody {
    /// 1 to 100 characters (trimmed).
    name: String,
    /// An API key's role (default `viewer`); SCIM tokens ignore it.
    #[schema(pattern = "^[a-z0-9_.:-]{1,64}$", example = "admin")]
    role: Option<String>,
    /// When the credential stops working; never when absent.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

pub async fn list_keys(
    caller: PortalCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    list(PORTAL_KEYS, caller, state).await
}
pub async fn create_key(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    body: JsonBody<CreateBody>,
) -> ApiResult<HttpResponse> {
    create(PORTAL_KEYS, &req, caller, state, body.0).await
}
pub async fn get_key(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let record = state
        .store
        .get_credential(&caller.org, CredentialKind::PortalKey, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("API key"))?;
    Ok(HttpResponse::Ok().json(credential_json(PORTAL_KEYS, &record)))
}
pub async fn delete_key(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    delete(PORTAL_KEYS, &req, caller, state, &id).await
}
pub async fn list_scim_tokens(
    caller: PortalCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    list(SCIM_TOKENS, caller, state).await
}
pub async fn create_scim_token(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    body: JsonBody<CreateBody>,
) -> ApiResult<HttpResponse> {
    create(SCIM_TOKENS, &req, caller, state, body.0).await
}
pub async fn delete_scim_token(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    delete(SCIM_TOKENS, &req, caller, state, &id).await
}

async fn list(
    surface: CredentialSurface,
    caller: PortalCaller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let records = state
        .store
        .list_credentials(&caller.org, surface.kind)
        .await?;
    let items: Vec<Value> = records
        .iter()
        .map(|r| credential_json(surface, r))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ surface.list_field: items })))
}

async fn create(
    surface: CredentialSurface,
    req: &HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    body: CreateBody,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (principal, ip) = (
        audit::principal_of(&caller),
        client_ip_text(req, &state.settings),
    );
    let (actor_type, actor_id) = caller.actor();
    let by = ChangedBy {
        actor_type,
        actor_id,
        principal: &principal,
        ip: &ip,
    };
    let request = CredentialRequest {
        name: &body.name,
        role: body.role.as_deref(),
        expires_at: body.expires_at.as_deref(),
    };
    let (record, secret) = issue(&state, &caller.org, surface, &by, &request).await?;
    let mut body = credential_json(surface, &record);
    body[surface.secret_field] = json!(secret);
    Ok(HttpResponse::Created().json(body))
}

async fn delete(
    surface: CredentialSurface,
    req: &HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: &str,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (principal, ip) = (
        audit::principal_of(&caller),
        client_ip_text(req, &state.settings),
    );
    let (actor_type, actor_id) = caller.actor();
    let by = ChangedBy {
        actor_type,
        actor_id,
        principal: &principal,
        ip: &ip,
    };
    revoke(&state, &caller.org, surface, &by, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
