//! `/ui/clients` (admin): the organization's OAuth clients with their secrets by prefix, a
//! create form whose client secret is shown once on the answer page, and delete buttons.
//! The work is `crate::clients`'s, shared with `/api/v1/clients` (same checks, events and
//! audit).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde_json::Value;

use super::caller::{ConsoleCaller, ConsoleRefusal};
use super::form::{comma_list, form_field};
use super::layout::{copy_row, field_error, respond_page, see_other};
use crate::clients::input::CreateBody;
use crate::http::error::ApiError;
use crate::http::request_meta::client_ip_text;
use crate::state::AppState;

const PATH: &str = "/ui/clients";
type Page = Result<HttpResponse, ConsoleRefusal>;

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list(clients: &[Value]) -> Markup {
    html! {
        @if clients.is_empty() { p { "No clients yet." } } @else {
            table #clients {
                tr { th { "Name" } th { "Client ID" } th { "Type" } th { "Roles" } th { "Audiences" } th { "Secrets" } th { "Status" } th {} }
                @for c in clients {
                    tr {
                        td { (text(&c["name"])) }
                        td.mono { (text(&c["client_id"])) }
                        td { (text(&c["type"])) }
                        td { (text(&c["roles"])) }
                        td { (text(&c["audiences"])) }
                        td.mono {
                            @for s in c["secrets"].as_array().into_iter().flatten() {
                                (text(&s["prefix"])) "… "
                                @if let Some(e) = s["expires_at"].as_str() { "(until " (e) ") " }
                            }
                        }
                        td { @if c["disabled"] == true { "disabled" } @else { "active" } }
                        td {
                            form method="post" action=(format!("{PATH}/{}/delete", text(&c["id"]))) {
                                button type="submit" aria-label=(format!("Delete {}", text(&c["name"]))) { "Delete" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn create_form(error: Option<&ApiError>) -> Markup {
    let beside = match error.map(|e| e.code) {
        Some("invalid_name") => "name",
        Some("invalid_type") => "type",
        Some("invalid_role") => "roles",
        _ => "audiences",
    };
    let field = |name: &str| {
        field_error(
            name,
            error.filter(|_| beside == name).map(|e| e.message.as_str()),
        )
    };
    html! {
        h2 { "Create a client" }
        form method="post" action=(PATH) {
            label for="name" { "Name" }
            input #name name="name" maxlength="100" required;
            (field("name"))
            label for="type" { "Type" }
            select #type name="type" {
                option value="service" { "service (client credentials, machines)" }
                option value="web" { "web (OpenID Connect sign-in for a web app)" }
            }
            (field("type"))
            label for="roles" { "Roles the client's tokens carry (comma-separated)" }
            input #roles name="roles";
            (field("roles"))
            label for="audiences" { "Audiences it may ask for (comma-separated)" }
            input #audiences name="audiences";
            (field("audiences"))
            p { button type="submit" { "Create client" } }
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
    let clients = crate::clients::list_json(state, &caller.org).await?;
    let token_url = format!("{}/oauth2/token", state.settings.public_url);
    let body = html! {
        h1 { "Clients" }
        @if let Some(t) = top { (t) }
        section { table { (copy_row("token-url", "Token endpoint", &token_url)) } }
        section { (list(&clients)) }
        section { (create_form(error)) }
    };
    Ok(respond_page(
        status,
        "Clients",
        PATH,
        &caller.viewer(),
        body,
    ))
}

pub async fn show(state: web::Data<AppState>, caller: ConsoleCaller) -> Page {
    caller.require_admin()?;
    render(&state, &caller, StatusCode::OK, None, None).await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    body: String,
) -> Page {
    caller.require_admin()?;
    let ip = client_ip_text(&req, &state.settings);
    let input = CreateBody {
        name: form_field(&body, "name"),
        client_type: form_field(&body, "type"),
        roles: Some(comma_list(&body, "roles")).filter(|l| !l.is_empty()),
        audiences: Some(comma_list(&body, "audiences")).filter(|l| !l.is_empty()),
        redirect_uris: None,
        token_ttl_secs: None,
        signing_alg: None,
    };
    match crate::clients::create(&state, &caller.org, &caller.changed_by(&ip), &input).await {
        Ok((client, secret)) => {
            let top = html! {
                section role="status" {
                    h2 { "Client created" }
                    p { "The secret is shown only now. Store it in the service that will use it." }
                    table {
                        (copy_row("client-id", "Client ID", &text(&client["client_id"])))
                        (copy_row("secret", "Client secret", &secret))
                    }
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
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    id: web::Path<String>,
) -> Page {
    caller.require_admin()?;
    let ip = client_ip_text(&req, &state.settings);
    crate::clients::delete(&state, &caller.org, &caller.changed_by(&ip), &id).await?;
    Ok(see_other(PATH))
}
