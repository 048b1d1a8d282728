//! API keys and SCIM tokens pages (admin): the list, a create form whose secret is shown
//! once on the answer page, and revoke buttons. The work is `crate::credentials`'s, shared
//! with the portal API, so limits, audit and events are the same. The CSRF rule runs in
//! the session extractor (`ConsoleCaller`) before any of these handlers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::caller::{ConsoleCaller, ConsoleRefusal};
use super::form::form_field;
use super::layout::{page, see_other, when};
use crate::credentials::{
    issue, revoke, CredentialRequest, CredentialSurface, PORTAL_KEYS, SCIM_TOKENS,
};
use crate::domain::BUILTIN_ROLES;
use crate::http::error::ApiError;
use crate::http::request_meta::client_ip_text;
use crate::state::AppState;
use crate::store::{CredentialKind, CredentialRecord};

/// One of the two pages.
#[derive(Clone, Copy)]
pub struct CredentialPage {
    surface: CredentialSurface,
    path: &'static str,
    title: &'static str,
}

pub const API_KEYS: CredentialPage = CredentialPage {
    surface: PORTAL_KEYS,
    path: "/ui/api-keys",
    title: "API keys",
};

pub const SCIM_TOKEN_PAGE: CredentialPage = CredentialPage {
    surface: SCIM_TOKENS,
    path: "/ui/scim-tokens",
    title: "SCIM tokens",
};

fn is_key(p: CredentialPage) -> bool {
    p.surface.kind == CredentialKind::PortalKey
}

fn list_table(p: CredentialPage, records: &[CredentialRecord]) -> Markup {
    html! {
        @if records.is_empty() { p { "None yet." } } @else {
            table {
                tr {
                    th { "Name" } th { "Prefix" }
                    @if is_key(p) { th { "Role" } }
                    th { "Created" } th { "Last used" } th { "Expires" } th { }
                }
                @for r in records {
                    tr {
                        td { (r.name) }
                        td.mono { (r.prefix) "…" }
                        @if is_key(p) { td { (r.role.as_deref().unwrap_or("")) } }
                        td { (when(r.created_at)) }
                        td { (r.last_used_at.map(when).unwrap_or_else(|| "never".into())) }
                        td { (r.expires_at.map(when).unwrap_or_else(|| "never".into())) }
                        td {
                            form method="post" action=(format!("{}/{}/revoke", p.path, r.id)) {
                                button type="submit" aria-label=(format!("Revoke {}", r.name)) { "Revoke" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn create_form(p: CredentialPage, error: Option<(&str, &str)>) -> Markup {
    let field_error = |field: &str| {
        error
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.to_owned())
    };
    html! {
        h2 { "Create" }
        form method="post" action=(p.path) {
            label for="name" { "Name" }
            input id="name" name="name" maxlength="100" required;
            @if let Some(m) = field_error("name") { p.field-error id="name-error" { (m) } }
            @if is_key(p) {
                label for="role" { "Role" }
                select id="role" name="role" {
                    @for role in BUILTIN_ROLES.iter().rev() { option value=(role) { (role) } }
                }
                @if let Some(m) = field_error("role") { p.field-error id="role-error" { (m) } }
            }
            label for="expires_at" { "Expires (RFC 3339, optional)" }
            input id="expires_at" name="expires_at" placeholder="2027-12-31T00:00:00Z";
            @if let Some(m) = field_error("expires_at") { p.field-error id="expires_at-error" { (m) } }
            p { button type="submit" { "Create" } }
        }
    }
}

async fn render(
    state: &AppState,
    caller: &ConsoleCaller,
    p: CredentialPage,
    status: StatusCode,
    top: Option<Markup>,
    error: Option<(&str, &str)>,
) -> Result<HttpResponse, ConsoleRefusal> {
    let records = state
        .store
        .list_credentials(&caller.org, p.surface.kind)
        .await?;
    let scim_url = format!("{}/scim/v2", state.settings.public_url);
    let body = html! {
        h1 { (p.title) }
        @if let Some(t) = top { (t) }
        @if !is_key(p) {
            section {
                p { "SCIM base URL for the identity provider: " code id="scim-url" { (scim_url) } " "
                    button type="button" data-copy="#scim-url" { "Copy" } }
            }
        }
        section { (list_table(p, &records)) }
        section { (create_form(p, error)) }
    };
    let mut response = page(p.title, p.path, &caller.viewer(), body);
    *response.status_mut() = status;
    Ok(response)
}

async fn show(
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    p: CredentialPage,
) -> Result<HttpResponse, ConsoleRefusal> {
    caller.require_admin()?;
    render(&state, &caller, p, StatusCode::OK, None, None).await
}

/// Which field an error of `crate::credentials` is about.
fn field_of(e: &ApiError) -> &'static str {
    match e.code {
        "invalid_role" => "role",
        "invalid_expires_at" => "expires_at",
        _ => "name",
    }
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    body: String,
    p: CredentialPage,
) -> Result<HttpResponse, ConsoleRefusal> {
    caller.require_admin()?;
    let ip = client_ip_text(&req, &state.settings);
    let (name, role, expires) = (
        form_field(&body, "name"),
        form_field(&body, "role"),
        form_field(&body, "expires_at"),
    );
    let request = CredentialRequest {
        name: &name,
        role: (is_key(p) && !role.is_empty()).then_some(role.as_str()),
        expires_at: Some(expires.trim()).filter(|e| !e.is_empty()),
    };
    match issue(
        &state,
        &caller.org,
        p.surface,
        &caller.changed_by(&ip),
        &request,
    )
    .await
    {
        Ok((record, secret)) => {
            let shown = html! {
                section role="status" {
                    h2 { "Created " (record.name) }
                    p { "This is the only time the secret is shown. Store it now." }
                    p { code id="secret" { (secret) } " " button type="button" data-copy="#secret" { "Copy" } }
                }
            };
            render(&state, &caller, p, StatusCode::CREATED, Some(shown), None).await
        }
        Err(e) if e.status.is_client_error() => {
            let error = Some((field_of(&e), e.message.as_str()));
            render(&state, &caller, p, e.status, None, error).await
        }
        Err(e) => Err(ConsoleRefusal::Page(e)),
    }
}

async fn revoke_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    id: String,
    p: CredentialPage,
) -> Result<HttpResponse, ConsoleRefusal> {
    caller.require_admin()?;
    let ip = client_ip_text(&req, &state.settings);
    revoke(&state, &caller.org, p.surface, &caller.changed_by(&ip), &id).await?;
    Ok(see_other(p.path))
}

type Page = Result<HttpResponse, ConsoleRefusal>;

/// The three handlers of one page (list, create, revoke), bound to its `CredentialPage`.
macro_rules! page_handlers {
    ($page:expr, $list:ident, $create:ident, $revoke:ident) => {
        pub async fn $list(state: web::Data<AppState>, caller: ConsoleCaller) -> Page {
            show(state, caller, $page).await
        }
        pub async fn $create(
            req: HttpRequest,
            state: web::Data<AppState>,
            caller: ConsoleCaller,
            body: String,
        ) -> Page {
            create(req, state, caller, body, $page).await
        }
        pub async fn $revoke(
            req: HttpRequest,
            state: web::Data<AppState>,
            caller: ConsoleCaller,
            id: web::Path<String>,
        ) -> Page {
            revoke_one(req, state, caller, id.into_inner(), $page).await
        }
    };
}

page_handlers!(API_KEYS, keys, create_key, revoke_key);
page_handlers!(SCIM_TOKEN_PAGE, tokens, create_token, revoke_token);
