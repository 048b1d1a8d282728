//! The page frame every console page shares (title, navigation, sign-out), the HTML
//! response with its headers, and the error pages. maud escapes every `(value)`, so text
//! that came from an IdP or a SCIM client is shown as text.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use maud::{html, Markup, DOCTYPE};

use crate::clock::{rfc3339, Millis};

/// The pages of the navigation bar, by path and label.
const NAV: &[(&str, &str)] = &[
    ("/ui/", "Overview"),
    ("/ui/sso", "SSO"),
    ("/ui/directory", "Directory"),
    ("/ui/scim-tokens", "SCIM tokens"),
    ("/ui/api-keys", "API keys"),
    ("/ui/clients", "Clients"),
    ("/ui/webhooks", "Webhooks"),
    ("/ui/scim-log", "SCIM log"),
    ("/ui/audit", "SSO audit"),
];

/// Who the page is for: shown in the header, with the sign-out button.
pub struct Viewer<'a> {
    pub org: &'a str,
    pub principal: &'a str,
}

fn frame(title: &str, current: &str, viewer: Option<&Viewer<'_>>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · axid" }
                link rel="stylesheet" href="/ui/assets/console.css";
                script src="/ui/assets/console.js" defer {}
            }
            body {
                header {
                    span.brand { "axid" }
                    @if let Some(v) = viewer {
                        nav aria-label="Console" {
                            @for (path, label) in NAV {
                                @if *path == current {
                                    a href=(path) aria-current="page" { (label) }
                                } @else {
                                    a href=(path) { (label) }
                                }
                            }
                        }
                        span.muted { (v.principal) " · " code { (v.org) } }
                        form method="post" action="/ui/sign-out" {
                            button.link type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page of the signed-in console.
pub fn page(title: &str, current: &str, viewer: &Viewer<'_>, body: Markup) -> HttpResponse {
    respond_page(StatusCode::OK, title, current, viewer, body)
}

/// A page of the signed-in console with another status (a refused form shown again).
pub fn respond_page(
    status: StatusCode,
    title: &str,
    current: &str,
    viewer: &Viewer<'_>,
    body: Markup,
) -> HttpResponse {
    respond(status, frame(title, current, Some(viewer), body))
}

/// A page before sign-in.
pub fn public_page(status: StatusCode, title: &str, body: Markup) -> HttpResponse {
    respond(status, frame(title, "", None, body))
}

pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string())
}

/// An error as a page: what happened, in the API's words, and the code.
pub fn error_page(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    let body = html! {
        section.narrow {
            h1 { "Something went wrong" }
            p { (message) }
            p.muted { "Error code: " code { (code) } }
            p { a href="/ui/" { "Back to the console" } }
        }
    };
    public_page(status, "Error", body)
}

pub async fn not_found() -> HttpResponse {
    error_page(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no console page here.",
    )
}

/// A time as the API shows it, for a `<time>` element.
pub fn when(at: Millis) -> String {
    rfc3339(at)
}

/// A value to copy into another system, with its copy button (`assets/console.js`).
pub fn copy_row(id: &str, label: &str, value: &str) -> Markup {
    html! {
        tr { th { (label) } td { code id=(id) { (value) } } td { button type="button" data-copy=(format!("#{id}")) { "Copy" } } }
    }
}

/// A refusal shown beside its field (`id="{field}-error"`), when it belongs there.
pub fn field_error(field: &str, message: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = message { p.field-error id=(format!("{field}-error")) { (m) } }
    }
}

/// Post/redirect/get: after a form's change the browser loads `to`, so a reload does not
/// post again.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
