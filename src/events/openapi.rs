//! The operations of the events feed and the webhooks API (`/api/v1/events`,
//! `/api/v1/webhooks...`, CONTRACT.md §15) in the OpenAPI document, and their routes: each
//! stub below carries one handler's `#[utoipa::path]`, and `api_routes` mounts the handler
//! at it.
// The stubs are never called: only the `__path_*` types their attribute generates are used.
#![allow(dead_code)]

mod schemas;

pub use schemas::*;

use super::{api, webhooks_api};
use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};

/// The feed takes any reader role; the webhooks API the `admin` role (403 `forbidden`).
pub fn api_routes(r: &mut ApiRoutes) {
    r.add(Auth::Portal, __path_list_events, api::list)
        .add(Auth::Portal, __path_list_webhooks, webhooks_api::list)
        .add(Auth::Portal, __path_create_webhook, webhooks_api::create)
        .add(Auth::Portal, __path_get_webhook, webhooks_api::get)
        .add(Auth::Portal, __path_update_webhook, webhooks_api::patch)
        .add(Auth::Portal, __path_delete_webhook, webhooks_api::delete)
        .add(Auth::Portal, __path_send_test_webhook, webhooks_api::test)
        .add(
            Auth::Portal,
            __path_rotate_webhook_secret,
            webhooks_api::rotate,
        )
        .add(
            Auth::Portal,
            __path_list_webhook_deliveries,
            webhooks_api::deliveries,
        );
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(
        ("after" = Option<String>, Query, description = "`next_cursor` of the previous page (a non-negative whole number); from the oldest kept event when absent."),
        ("types" = Option<Vec<EventType>>, Query, style = Form, explode = false, description = "Only these types, comma-separated."),
        ("limit" = Option<i64>, Query, description = "Page size, 1 to 500 (default 100); other values are clamped."),
    ),
    responses(
        (status = 200, description = "The organization's events after the cursor, oldest first, in commit order: following `next_cursor` sees each event once.", body = EventPage),
        (status = 400, description = "`invalid_cursor` or `invalid_types` (names the unknown type).", body = ErrorBody),
    ))]
fn list_events() {}

const WEBHOOK: &str = "/api/v1/webhooks/{id}";

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses(
        (status = 200, description = "The organization's webhook endpoints.", body = WebhookList),
    ))]
fn list_webhooks() {}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    request_body = webhooks_api::CreateBody,
    responses(
        (status = 201, description = "Created; `secret` is shown this once.", body = CreatedWebhook),
        (status = 422, description = "`invalid_url` (empty, too long, or refused by the SSRF guard: https and public addresses unless the operator allows otherwise) or `invalid_types`.", body = ErrorBody),
    ))]
fn create_webhook() {}

#[utoipa::path(get, path = WEBHOOK, tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint id (`wh_...`).")),
    responses(
        (status = 200, description = "The endpoint.", body = Webhook),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn get_webhook() {}

#[utoipa::path(patch, path = WEBHOOK, tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint id (`wh_...`).")),
    request_body = webhooks_api::PatchBody,
    responses(
        (status = 200, description = "The endpoint as changed.", body = Webhook),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_url` or `invalid_types`.", body = ErrorBody),
    ))]
fn update_webhook() {}

#[utoipa::path(delete, path = WEBHOOK, tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint id (`wh_...`).")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn delete_webhook() {}

#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint id (`wh_...`).")),
    responses(
        (status = 202, description = "A `webhook.test` delivery is queued, signed and retried like any other; its outcome shows in the deliveries.", body = QueuedTestDelivery),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn send_test_webhook() {}

#[utoipa::path(post, path = "/api/v1/webhooks/{id}/secret", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint id (`wh_...`).")),
    request_body(content = Option<webhooks_api::RotateBody>,
        description = "Optional; a body that is absent or not this object rotates with the default overlap."),
    responses(
        (status = 200, description = "Rotated; the new `secret` is shown this once, and the previous one keeps signing until `previous_secret_expires_at`.", body = RotatedWebhookSecret),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_ttl`: `previous_secret_ttl_secs` outside 0 to 604800.", body = ErrorBody),
    ))]
fn rotate_webhook_secret() {}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint id (`wh_...`).")),
    responses(
        (status = 200, description = "The endpoint's latest deliveries.", body = WebhookDeliveryList),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn list_webhook_deliveries() {}
