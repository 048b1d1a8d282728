//! The webhook endpoints API (CONTRACT.md §15, role `admin`): endpoints with type filters
//! and URLs through the SSRF guard, secrets shown once (at creation and rotation), a test
//! delivery, and the deliveries log.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::render::{event_json, EventView};
use crate::clock::rfc3339;
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::{JsonBody, OptionalJsonBody};
use crate::state::AppState;
use crate::store::EndpointPatch;
use crate::webhooks::signing::new_secret;
use crate::webhooks::types::WEBHOOK_TEST;
use crate::webhooks::{check_url, delivery_json, endpoint_json, find, seal, types_json};

/// Rotation keeps the previous secret signing for a day unless told otherwise (at most a week).
const DEFAULT_OVERLAP_SECS: i64 = 86_400;
const MAX_OVERLAP_SECS: i64 = 7 * 86_400;
const DELIVERIES_SHOWN: i64 = 100;

#[derive(Deserialize, ToSchema)]
#[schema(as = CreateWebhookBody)]
pub struct CreateBody {
    /// Where deliveries go: https and a public address unless the operator allows otherwise.
    url: String,
    /// The event types to deliver; absent or empty for every type.
    #[schema(value_type = Option<Vec<super::openapi::EventType>>)]
    types: Option<Vec<String>>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = PatchWebhookBody)]
pub struct PatchBody {
    url: Option<String>,
    /// Replaces the type filter; empty for every type.
    #[schema(value_type = Option<Vec<super::openapi::EventType>>)]
    types: Option<Vec<String>>,
    /// False disables the endpoint (`disabled_reason` says by an admin); true enables it.
    enabled: Option<bool>,
}

#[derive(Deserialize, Default, ToSchema)]
#[schema(as = RotateWebhookSecretBody)]
pub struct RotateBody {
    /// How long the previous secret keeps signing, in seconds (default 86400, a day).
    #[schema(minimum = 0, maximum = 604800)]
    previous_secret_ttl_secs: Option<i64>,
}

pub async fn list(caller: PortalCaller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let rows = state.store.list_endpoints(&caller.org).await?;
    let items: Vec<Value> = rows.iter().map(endpoint_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "webhooks": items })))
}

pub async fn get(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let endpoint = find(&state, &caller.org, &id).await?;
    Ok(HttpResponse::Ok().json(endpoint_json(&endpoint)))
}

pub async fn create(
    caller: PortalCaller,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<CreateBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (mut out, secret) =
        crate::webhooks::create(&state, &caller.org, &body.url, body.types.as_deref()).await?;
    out["secret"] = json!(secret);
    Ok(HttpResponse::Created().json(out))
}

pub async fn patch(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    JsonBody(body): JsonBody<PatchBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    find(&state, &caller.org, &id).await?;
    let url = match body.url.as_deref() {
        Some(u) => Some(check_url(&state, u).await?),
        None => None,
    };
    let types_json = match body.types.as_deref() {
        Some(t) => Some(types_json(Some(t))?),
        None => None,
    };
    let p = EndpointPatch {
        url,
        types_json,
        enabled: body.enabled,
    };
    let now = state.clock.now_ms();
    if !state
        .store
        .patch_endpoint(&caller.org, &id, &p, now)
        .await?
    {
        return Err(ApiError::not_found("webhook"));
    }
    Ok(HttpResponse::Ok().json(endpoint_json(&find(&state, &caller.org, &id).await?)))
}

pub async fn delete(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    crate::webhooks::delete(&state, &caller.org, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new secret signs from now on; the previous ones keep signing for the overlap, so a
/// receiver can switch at its own pace (every delivery carries both signatures meanwhile).
pub async fn rotate(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    OptionalJsonBody(body): OptionalJsonBody<RotateBody>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let endpoint = find(&state, &caller.org, &id).await?;
    let overlap = body
        .and_then(|b| b.previous_secret_ttl_secs)
        .unwrap_or(DEFAULT_OVERLAP_SECS);
    if !(0..=MAX_OVERLAP_SECS).contains(&overlap) {
        return Err(ApiError::unprocessable(
            "invalid_ttl",
            format!("previous_secret_ttl_secs must be between 0 and {MAX_OVERLAP_SECS}"),
        ));
    }
    let secret = new_secret();
    let now = state.clock.now_ms();
    state
        .store
        .rotate_endpoint_secret(
            &endpoint.id,
            &seal(&state, &secret)?,
            now + overlap * 1000,
            now,
        )
        .await?;
    let mut out = endpoint_json(&endpoint);
    out["secret"] = json!(secret);
    out["previous_secret_expires_at"] = json!(rfc3339(now + overlap * 1000));
    Ok(HttpResponse::Ok().json(out))
}

/// Queues a `webhook.test` delivery, signed and retried like any other; its outcome shows
/// in the deliveries log.
pub async fn test(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let endpoint = find(&state, &caller.org, &id).await?;
    let event_id = format!("evt_{}", uuid::Uuid::now_v7().simple());
    let now = state.clock.now_ms();
    let data = json!({"webhook_id": endpoint.id}).to_string();
    let body = event_json(&EventView {
        id: &event_id,
        kind: WEBHOOK_TEST,
        org_id: caller.org.as_str(),
        occurred_at: now,
        actor_type: "system",
        actor_id: None,
        data: &data,
    });
    let delivery = state
        .store
        .queue_test_delivery(&caller.org, &endpoint.id, &event_id, &body.to_string(), now)
        .await?;
    super::delivery::wake(&state);
    Ok(HttpResponse::Accepted().json(json!({"delivery_id": delivery, "event_id": event_id})))
}

pub async fn deliveries(
    caller: PortalCaller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let endpoint = find(&state, &caller.org, &id).await?;
    let rows = state
        .store
        .list_deliveries(&caller.org, &endpoint.id, DELIVERIES_SHOWN)
        .await?;
    let items: Vec<Value> = rows.iter().map(delivery_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "deliveries": items })))
}
