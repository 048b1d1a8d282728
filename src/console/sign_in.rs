//! Sign-in and sign-out pages: the organization's password (the shared password sign-in of
//! `login::password`, so limits, audit and refusals are the API's), or its SSO through the
//! availability check. Every refusal is shown beside the field it is about, in the API's
//! words.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::form::form_field;
use super::layout::{error_page, public_page};
use crate::http::error::ApiError;
use crate::http::request_meta::{check_same_origin, client_ip_text};
use crate::http::session_cookie::{cleared_session_cookie, session_cookie, session_cookie_values};
use crate::login::password::{enabled_sso, password_sign_in, sso_login_url};
use crate::login::sessions::end_sessions;
use crate::state::AppState;

/// Where a refusal is shown.
#[derive(Default)]
struct FormErrors {
    org_id: Option<String>,
    password: Option<String>,
    form: Option<Markup>,
}

fn sign_in_page(status: StatusCode, org_id: &str, errors: &FormErrors) -> HttpResponse {
    let body = html! {
        section.narrow {
            h1 { "Sign in to axid" }
            @if let Some(e) = &errors.form { div.form-error role="alert" { (e) } }
            form method="post" action="/ui/sign-in" {
                label for="org_id" { "Organization ID" }
                input id="org_id" name="org_id" value=(org_id) autocomplete="organization" required;
                @if let Some(e) = &errors.org_id { p.field-error id="org_id-error" { (e) } }
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                @if let Some(e) = &errors.password { p.field-error id="password-error" { (e) } }
                p { button type="submit" { "Sign in" } }
            }
            h2 { "Single sign-on" }
            form method="get" action="/ui/sign-in/sso" {
                label for="sso_org_id" { "Organization ID" }
                input id="sso_org_id" name="org_id" value=(org_id) required;
                p { button type="submit" { "Continue with SSO" } }
            }
        }
    };
    public_page(status, "Sign in", body)
}

pub async fn form() -> HttpResponse {
    sign_in_page(StatusCode::OK, "", &FormErrors::default())
}

fn errors_for(e: &ApiError) -> FormErrors {
    let mut errors = FormErrors::default();
    match e.code {
        "invalid_credentials" => errors.password = Some(e.message.clone()),
        "sso_required" => {
            let url = e
                .extra
                .as_ref()
                .and_then(|x| x["login_url"].as_str())
                .unwrap_or("/ui/sign-in")
                .to_owned();
            errors.form = Some(html! {
                (e.message) ". " a href=(format!("{url}?return_to=/ui/")) { "Sign in with SSO" }
            });
        }
        _ => errors.form = Some(html! { (e.message) }),
    }
    errors
}

pub async fn submit(req: HttpRequest, state: web::Data<AppState>, body: String) -> HttpResponse {
    if let Err(e) = check_same_origin(&req, &state.settings) {
        return error_page(e.status, e.code, &e.message);
    }
    let org_id = form_field(&body, "org_id");
    let password = form_field(&body, "password");
    if org_id.trim().is_empty() {
        let errors = FormErrors {
            org_id: Some("enter your organization ID".into()),
            ..FormErrors::default()
        };
        return sign_in_page(StatusCode::UNPROCESSABLE_ENTITY, &org_id, &errors);
    }
    let ip = client_ip_text(&req, &state.settings);
    match password_sign_in(&state, &org_id, &password, &ip).await {
        Ok((cookie, _)) => HttpResponse::SeeOther()
            .cookie(session_cookie(
                cookie,
                state.settings.session_absolute_timeout_secs,
                &state.settings,
            ))
            .insert_header((header::LOCATION, "/ui/"))
            .finish(),
        Err(e) => sign_in_page(e.status, &org_id, &errors_for(&e)),
    }
}

#[derive(Deserialize)]
pub struct SsoQuery {
    org_id: Option<String>,
}

/// The availability check: an organization with SSO on goes to its IdP (back to the
/// console after), any other gets the same answer, so organizations cannot be enumerated.
pub async fn sso(state: web::Data<AppState>, query: web::Query<SsoQuery>) -> HttpResponse {
    let raw = query.org_id.clone().unwrap_or_default();
    match enabled_sso(&state, &raw).await {
        Err(e) => {
            let e = ApiError::from(e);
            error_page(e.status, e.code, &e.message)
        }
        Ok(Some((org, config))) => HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!(
                    "{}?return_to=/ui/",
                    sso_login_url(&state, &org, &config.protocol)
                ),
            ))
            .finish(),
        Ok(None) => {
            let errors = FormErrors {
                form: Some(
                    html! { "This organization does not sign in with SSO; use its password." },
                ),
                ..FormErrors::default()
            };
            sign_in_page(StatusCode::OK, &raw, &errors)
        }
    }
}

/// Ends the session (every session cookie the browser sent) and returns to sign-in.
pub async fn sign_out(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Err(e) = check_same_origin(&req, &state.settings) {
        return error_page(e.status, e.code, &e.message);
    }
    if let Err(e) = end_sessions(&state, &session_cookie_values(&req)).await {
        return error_page(e.status, e.code, &e.message);
    }
    HttpResponse::SeeOther()
        .cookie(cleared_session_cookie(&state.settings))
        .insert_header((header::LOCATION, "/ui/sign-in"))
        .finish()
}
