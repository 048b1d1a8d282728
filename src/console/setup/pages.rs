//! The pages of a setup session: what the link allows, SCIM (the base URL and a token
//! shown once, made through `crate::credentials` like any other), and SSO (the values to
//! copy into the IdP and what is configured now).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::session::SetupCaller;
use crate::console::caller::ConsoleRefusal;
use crate::console::form::form_field;
use crate::console::layout::{public_page, when};
use crate::credentials::{issue, ChangedBy, CredentialRequest, SCIM_TOKENS};
use crate::federation::{load_config, sp_urls};
use crate::http::request_meta::client_ip_text;
use crate::state::AppState;

type Page = Result<HttpResponse, ConsoleRefusal>;

fn frame(caller: &SetupCaller, title: &str, body: Markup) -> HttpResponse {
    let page = html! {
        p.muted { "Setup for " code { (caller.org.as_str()) } " · link valid until " (when(caller.link.expires_at)) }
        nav aria-label="Setup" {
            a href="/setup/" { "Start" } " "
            @for intent in &caller.intents {
                a href=(format!("/setup/{intent}")) { (intent.to_uppercase()) } " "
            }
        }
        (body)
    };
    public_page(StatusCode::OK, title, page)
}

fn copy_row(id: &str, label: &str, value: &str) -> Markup {
    html! {
        tr { th { (label) } td { code id=(id) { (value) } } td { button type="button" data-copy=(format!("#{id}")) { "Copy" } } }
    }
}

pub async fn start(caller: SetupCaller) -> Page {
    let body = html! {
        h1 { "Set up single sign-on and provisioning" }
        p { "This link lets you configure, for this organization only:" }
        ul {
            @for intent in &caller.intents {
                li { a href=(format!("/setup/{intent}")) {
                    @if intent == "sso" { "Single sign-on (SAML or OIDC)" } @else { "User provisioning (SCIM 2.0)" }
                } }
            }
        }
    };
    Ok(frame(&caller, "Setup", body))
}

pub async fn scim(state: web::Data<AppState>, caller: SetupCaller) -> Page {
    caller.require("scim")?;
    Ok(scim_page(&state, &caller, None, None))
}

fn scim_page(
    state: &AppState,
    caller: &SetupCaller,
    secret: Option<&str>,
    error: Option<&str>,
) -> HttpResponse {
    let base = format!("{}/scim/v2", state.settings.public_url);
    let body = html! {
        h1 { "User provisioning (SCIM 2.0)" }
        section {
            p { "In your identity provider's SCIM (provisioning) settings, enter:" }
            table { (copy_row("scim-url", "SCIM base URL", &base)) tr { th { "Authentication" } td { "HTTP header, Bearer token" } td {} } }
        }
        @if let Some(s) = secret {
            section role="status" {
                h2 { "Your SCIM token" }
                p { "This is the only time it is shown. Paste it into your identity provider now." }
                p { code id="secret" { (s) } " " button type="button" data-copy="#secret" { "Copy" } }
            }
        }
        section {
            h2 { "Create a SCIM token" }
            form method="post" action="/setup/scim" {
                label for="name" { "Name" }
                input id="name" name="name" maxlength="100" value="SCIM provisioning" required;
                @if let Some(m) = error { p.field-error id="name-error" { (m) } }
                p { button type="submit" { "Create token" } }
            }
        }
    };
    frame(caller, "SCIM setup", body)
}

pub async fn create_scim_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SetupCaller,
    body: String,
) -> Page {
    caller.require("scim")?;
    let (principal, ip) = (caller.principal(), client_ip_text(&req, &state.settings));
    let by = ChangedBy {
        actor_type: "setup_link",
        actor_id: &caller.link.id,
        principal: &principal,
        ip: &ip,
    };
    let name = form_field(&body, "name");
    let request = CredentialRequest {
        name: &name,
        role: None,
        expires_at: None,
    };
    match issue(&state, &caller.org, SCIM_TOKENS, &by, &request).await {
        Ok((_, secret)) => {
            let mut page = scim_page(&state, &caller, Some(&secret), None);
            *page.status_mut() = StatusCode::CREATED;
            Ok(page)
        }
        Err(e) if e.status.is_client_error() => {
            let mut page = scim_page(&state, &caller, None, Some(&e.message));
            *page.status_mut() = e.status;
            Ok(page)
        }
        Err(e) => Err(ConsoleRefusal::Page(e)),
    }
}

pub async fn sso(state: web::Data<AppState>, caller: SetupCaller) -> Page {
    caller.require("sso")?;
    let (entity_id, acs_url) = sp_urls(&state.settings, &caller.org);
    let config = load_config(&state.store, &caller.org).await?;
    let body = html! {
        h1 { "Single sign-on" }
        section {
            h2 { "Values for your identity provider (SAML)" }
            table {
                (copy_row("sp-entity", "Audience / SP entity ID", &entity_id))
                (copy_row("sp-acs", "ACS (single sign-on) URL", &acs_url))
                (copy_row("sp-metadata", "SP metadata URL", &entity_id))
            }
            p.muted { "Send the user's email as the NameID, and groups in an attribute named groups, so roles can follow them." }
        }
        section {
            h2 { "Configured now" }
            @match &config {
                None => p { "Nothing yet." }
                Some(c) => p { (c.config.protocol.as_str()) " · " (c.config.provider) " · "
                    @if c.config.enabled { "enabled" } @else { "disabled" } " · changed " (when(c.updated_at)) }
            }
        }
    };
    Ok(frame(&caller, "SSO setup", body))
}
