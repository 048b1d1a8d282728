//! The clients API (CONTRACT.md §12): `admin` writes; `admin`, `editor` and `viewer` list
//! and read. Secrets are shown once, at creation or rotation; every change is audited. The
//! work shared with the console is `crate::clients`'s.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::clients::input::{self as input, secret_json, CreateBody, PatchBody, RotateBody};
use crate::clients::{audit, find, outbox, read_json, FreshSecret};
use crate::credentials::ChangedBy;
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::{JsonBody, OptionalJsonBody};
use crate::http::request_meta::client_ip_text;
use crate::state::AppState;
use crate::store::ClientPatch;

/// Who the caller is for events and audit: the session's principal or the API key's id.
struct Who {
    principal: String,
    ip: String,
}

impl Who {
    fn of(req: &HttpRequest, state: &AppState, caller: &PortalCaller) -> Self {
        Self {
            principal: caller.audit_principal(),
            ip: client_ip_text(req, &state.settings),
        }
    }

    fn by<'a>(&'a self, caller: &'a PortalCaller) -> ChangedBy<'a> {
        let (actor_type, actor_id) = caller.actor();
        ChangedBy {
            actor_type,
            actor_id,
            principal: &self.principal,
            ip: &self.ip,
        }
    }
}

pub async fn list(caller: PortalCaller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let items = crate::clients::list_json(&state, &caller.org).await?;
    Ok(HttpResponse::Ok().json(json!({ "clients": items })))
}

pub async fn get(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let client = find(&state, &caller.org, &id).await?;
    Ok(HttpResponse::Ok().json(read_json(&state, &caller.org, &client).await?))
}

pub async fn create(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<CreateBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let who = Who::of(&req, &state, &caller);
    let (mut body, secret) =
        crate::clients::create(&state, &caller.org, &who.by(&caller), &body).await?;
    body["client_secret"] = json!(secret);
    Ok(HttpResponse::Created().json(body))
}

pub async fn patch(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    JsonBody(body): JsonBody<PatchBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let client = find(&state, &caller.org, &id).await?;
    let patch = ClientPatch {
        name: body.name.as_deref().map(input::name).transpose()?,
        roles_json: body.roles.as_deref().map(input::roles).transpose()?,
        audiences_json: body
            .audiences
            .as_deref()
            .map(input::audiences)
            .transpose()?,
        redirect_uris_json: body
            .redirect_uris
            .as_deref()
            .map(input::redirect_uris)
            .transpose()?,
        token_ttl_secs: body.token_ttl_secs.map(input::token_ttl).transpose()?,
        signing_alg: body
            .signing_alg
            .as_deref()
            .map(|a| input::signing_alg(a).map(|a| a.as_str().to_owned()))
            .transpose()?,
        disabled: body.disabled,
    };
    let now = state.clock.now_ms();
    if !state
        .store
        .patch_client(&caller.org, &client.id, &patch, now)
        .await?
    {
        return Err(ApiError::not_found("client"));
    }
    let who = Who::of(&req, &state, &caller);
    audit(
        &state,
        &caller.org,
        &who.by(&caller),
        "client_updated",
        &client.client_id,
    )
    .await;
    let client = find(&state, &caller.org, &client.id).await?;
    Ok(HttpResponse::Ok().json(read_json(&state, &caller.org, &client).await?))
}

pub async fn delete(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let who = Who::of(&req, &state, &caller);
    crate::clients::delete(&state, &caller.org, &who.by(&caller), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /clients/{id}/secrets`: a new secret; the newest earlier one keeps working for
/// `previous_secret_ttl_secs` (default a day), any older one stops now.
pub async fn rotate_secret(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    OptionalJsonBody(body): OptionalJsonBody<RotateBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.unwrap_or_default();
    let ttl = input::previous_secret_ttl(body.previous_secret_ttl_secs)?;
    let client = find(&state, &caller.org, &id).await?;
    let fresh = FreshSecret::new();
    let now = state.clock.now_ms();
    let who = Who::of(&req, &state, &caller);
    let by = who.by(&caller);
    let event = outbox("client.secret_rotated", &by);
    let done = state
        .store
        .rotate_client_secret(
            &caller.org,
            &client.id,
            &fresh.record(),
            now + ttl * 1000,
            Some(&event),
            now,
        )
        .await?;
    if !done {
        return Err(ApiError::not_found("client"));
    }
    audit(
        &state,
        &caller.org,
        &by,
        "client_secret_rotated",
        &client.client_id,
    )
    .await;
    let secrets = state
        .store
        .list_client_secrets(&caller.org, Some(&client.id), now)
        .await?;
    let created = secrets
        .iter()
        .find(|s| s.id == fresh.id)
        .ok_or_else(ApiError::internal)?;
    let mut body = secret_json(created);
    body["client_secret"] = json!(fresh.secret);
    Ok(HttpResponse::Created().json(body))
}

pub async fn revoke_secret(
    req: HttpRequest,
    caller: PortalCaller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (id, secret_id) = path.into_inner();
    let client = find(&state, &caller.org, &id).await?;
    if !state
        .store
        .delete_client_secret(&caller.org, &client.id, &secret_id)
        .await?
    {
        return Err(ApiError::not_found("client secret"));
    }
    let who = Who::of(&req, &state, &caller);
    audit(
        &state,
        &caller.org,
        &who.by(&caller),
        "client_secret_revoked",
        &client.client_id,
    )
    .await;
    Ok(HttpResponse::NoContent().finish())
}
