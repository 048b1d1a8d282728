//! `/ui/webhooks` (admin): the organization's webhook endpoints with their state and their
//! latest deliveries, a create form whose signing secret is shown once, and delete buttons.
//! The work is `crate::webhooks`'s, shared with `/api/v1/webhooks` (same SSRF guard, type
//! check and sealed secret).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};

use super::caller::{ConsoleCaller, ConsoleRefusal};
use super::form::{comma_list, form_field};
use super::layout::{copy_row, field_error, respond_page, see_other, when};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::{DeliveryRecord, EndpointRecord};
use crate::webhooks::types::EVENT_TYPES;

const PATH: &str = "/ui/webhooks";
/// Latest deliveries shown per endpoint.
const DELIVERIES_SHOWN: i64 = 5;
type Page = Result<HttpResponse, ConsoleRefusal>;

fn endpoint(e: &EndpointRecord, deliveries: &[DeliveryRecord]) -> Markup {
    let types: Vec<String> = serde_json::from_str(&e.types).unwrap_or_default();
    html! {
        section.endpoint {
            h2.mono { (e.url) }
            p {
                @if e.enabled != 0 { "enabled" } @else { "disabled" @if let Some(r) = &e.disabled_reason { " (" (r) ")" } }
                " · events: " @if types.is_empty() { "all" } @else { (types.join(", ")) }
                " · created " (when(e.created_at))
            }
            @if deliveries.is_empty() { p.muted { "No deliveries yet." } } @else {
                table {
                    tr { th { "Event" } th { "Status" } th { "Attempts" } th { "Last answer" } th { "When" } }
                    @for d in deliveries {
                        tr {
                            td { (d.event_type) }
                            td { (d.status) }
                            td { (d.attempts) }
                            td { (d.last_status.map(|s| s.to_string()).unwrap_or_default()) " " (d.last_error.as_deref().unwrap_or("")) }
                            td { (when(d.updated_at)) }
                        }
                    }
                }
            }
            form method="post" action=(format!("{PATH}/{}/delete", e.id)) {
                button type="submit" aria-label=(format!("Delete {}", e.url)) { "Delete" }
            }
        }
    }
}

fn create_form(error: Option<&ApiError>) -> Markup {
    let beside = |field: &str, code: &str| {
        field_error(
            field,
            error.filter(|e| e.code == code).map(|e| e.message.as_str()),
        )
    };
    html! {
        h2 { "Add an endpoint" }
        form method="post" action=(PATH) {
            label for="url" { "URL (https)" }
            input #url name="url" type="url" required;
            (beside("url", "invalid_url"))
            label for="types" { "Event types (comma-separated; empty for all)" }
            input #types name="types" placeholder="user.created, user.deactivated";
            (beside("types", "invalid_types"))
            p.muted { "Types: " (EVENT_TYPES.join(", ")) }
            p { button type="submit" { "Add endpoint" } }
        }
    }
}

async fn render(
    state: &AppState,
    caller: &ConsoleCaller,
    status: StatusCode,
    top: Option<Markup>,
    error: Option<&ApiError>,
) -> Page {
    let endpoints = state.store.list_endpoints(&caller.org).await?;
    let mut sections = Vec::with_capacity(endpoints.len());
    for e in &endpoints {
        let deliveries = state
            .store
            .list_deliveries(&caller.org, &e.id, DELIVERIES_SHOWN)
            .await?;
        sections.push(endpoint(e, &deliveries));
    }
    let body = html! {
        h1 { "Webhooks" }
        @if let Some(t) = top { (t) }
        @if sections.is_empty() { p { "No endpoints yet." } }
        @for s in &sections { (s) }
        section { (create_form(error)) }
    };
    Ok(respond_page(
        status,
        "Webhooks",
        PATH,
        &caller.viewer(),
        body,
    ))
}

pub async fn show(state: web::Data<AppState>, caller: ConsoleCaller) -> Page {
    caller.require_admin()?;
    render(&state, &caller, StatusCode::OK, None, None).await
}

pub async fn create(state: web::Data<AppState>, caller: ConsoleCaller, body: String) -> Page {
    caller.require_admin()?;
    let types = comma_list(&body, "types");
    let url = form_field(&body, "url");
    match crate::webhooks::create(&state, &caller.org, &url, Some(&types)).await {
        Ok((_, secret)) => {
            let top = html! {
                section role="status" {
                    h2 { "Endpoint added" }
                    p { "Its signing secret (Standard Webhooks) is shown only now:" }
                    table { (copy_row("secret", "Signing secret", &secret)) }
                }
            };
            render(&state, &caller, StatusCode::CREATED, Some(top), None).await
        }
        Err(e) if e.status.is_client_error() => {
            render(&state, &caller, e.status, None, Some(&e)).await
        }
        Err(e) => Err(ConsoleRefusal::Page(e)),
    }
}

pub async fn delete(
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    id: web::Path<String>,
) -> Page {
    caller.require_admin()?;
    crate::webhooks::delete(&state, &caller.org, &id).await?;
    Ok(see_other(PATH))
}
