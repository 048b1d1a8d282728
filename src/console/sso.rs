//! `/ui/sso`: the SSO wizard for the organization's admin (the shared wizard of
//! `super::wizard`, in the console's frame).

use actix_web::{web, HttpRequest, HttpResponse};

use super::caller::{ConsoleCaller, ConsoleRefusal};
use super::layout::{page, respond_page};
use super::wizard::{act, view, Acted, Action, Shown, Wizard, WizardQuery};
use crate::http::request_meta::client_ip_text;
use crate::state::AppState;

const BASE: &str = "/ui/sso";
type Page = Result<HttpResponse, ConsoleRefusal>;

pub async fn show(
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    query: web::Query<WizardQuery>,
) -> Page {
    caller.require_admin()?;
    let w = Wizard {
        base: BASE,
        org: &caller.org,
    };
    let shown = Shown {
        query: Some(&query),
        ..Shown::default()
    };
    let body = view(&state, &w, shown).await?;
    Ok(page("SSO setup", BASE, &caller.viewer(), body))
}

async fn post(
    req: HttpRequest,
    state: &AppState,
    caller: ConsoleCaller,
    action: Action,
    body: &str,
) -> Page {
    caller.require_admin()?;
    let ip = client_ip_text(&req, &state.settings);
    let w = Wizard {
        base: BASE,
        org: &caller.org,
    };
    match act(state, &w, &caller.changed_by(&ip), action, body).await? {
        Acted::Go(response) => Ok(response),
        Acted::Show(status, body) => Ok(respond_page(
            status,
            "SSO setup",
            BASE,
            &caller.viewer(),
            body,
        )),
    }
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    body: String,
) -> Page {
    post(req, &state, caller, Action::SaveDraft, &body).await
}

pub async fn test(req: HttpRequest, state: web::Data<AppState>, caller: ConsoleCaller) -> Page {
    post(req, &state, caller, Action::Test, "").await
}

pub async fn activate(req: HttpRequest, state: web::Data<AppState>, caller: ConsoleCaller) -> Page {
    post(req, &state, caller, Action::Activate, "").await
}

pub async fn discard(req: HttpRequest, state: web::Data<AppState>, caller: ConsoleCaller) -> Page {
    post(req, &state, caller, Action::Discard, "").await
}
