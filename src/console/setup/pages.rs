//! The pages of a setup session: what the link allows, SCIM (the base URL and a token
//! shown once, made through `crate::credentials` like any other), and SSO (the wizard the
//! console's admin has, with draft, test and activate).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::session::SetupCaller;
use crate::console::caller::ConsoleRefusal;
use crate::console::form::form_field;
use crate::console::layout::{copy_row, public_page, when};
use crate::console::wizard::{act, view, Acted, Action, Shown, Wizard, WizardQuery};
use crate::credentials::{issue, ChangedBy, CredentialRequest, SCIM_TOKENS};
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

const SSO_BASE: &str = "/setup/sso";

pub async fn sso(
    state: web::Data<AppState>,
    caller: SetupCaller,
    query: web::Query<WizardQuery>,
) -> Page {
    caller.require("sso")?;
    let w = Wizard {
        base: SSO_BASE,
        org: &caller.org,
    };
    let shown = Shown {
        query: Some(&query),
        ..Shown::default()
    };
    let body = view(&state, &w, shown).await?;
    Ok(frame(&caller, "SSO setup", body))
}

/// A wizard post of a setup session: changes are the link's, in the link's organization.
async fn sso_post(
    req: HttpRequest,
    state: &AppState,
    caller: SetupCaller,
    action: Action,
    body: &str,
) -> Page {
    caller.require("sso")?;
    let (principal, ip) = (caller.principal(), client_ip_text(&req, &state.settings));
    let by = ChangedBy {
        actor_type: "setup_link",
        actor_id: &caller.link.id,
        principal: &principal,
        ip: &ip,
    };
    let w = Wizard {
        base: SSO_BASE,
        org: &caller.org,
    };
    match act(state, &w, &by, action, body).await? {
        Acted::Go(response) => Ok(response),
        Acted::Show(status, body) => {
            let mut page = frame(&caller, "SSO setup", body);
            *page.status_mut() = status;
            Ok(page)
        }
    }
}

pub async fn sso_save(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SetupCaller,
    body: String,
) -> Page {
    sso_post(req, &state, caller, Action::SaveDraft, &body).await
}

pub async fn sso_test(req: HttpRequest, state: web::Data<AppState>, caller: SetupCaller) -> Page {
    sso_post(req, &state, caller, Action::Test, "").await
}

pub async fn sso_activate(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SetupCaller,
) -> Page {
    sso_post(req, &state, caller, Action::Activate, "").await
}

pub async fn sso_discard(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SetupCaller,
) -> Page {
    sso_post(req, &state, caller, Action::Discard, "").await
}
