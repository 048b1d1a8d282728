//! The SCIM request log page (admin): what the IdP sent and what axid answered, newest
//! first, 50 a page (keyset on time and id, as `GET /api/v1/scim/requests` pages).

use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::caller::{ConsoleCaller, ConsoleRefusal};
use super::layout::{page, when};
use crate::http::error::ApiError;
use crate::http::keyset::parse_dotted_cursor;
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize)]
pub struct LogQuery {
    /// `<at ms>.<id>` of the last entry of the previous page.
    cursor: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, ConsoleRefusal> {
    caller.require_admin()?;
    let before = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(parse_dotted_cursor(c).ok_or_else(|| {
            ConsoleRefusal::Page(ApiError::bad_request(
                "invalid_cursor",
                "the cursor is not valid",
            ))
        })?),
        None => None,
    };
    let rows = state
        .store
        .list_scim_requests(&caller.org, before, PAGE_SIZE)
        .await?;
    let next = rows
        .last()
        .filter(|_| rows.len() as i64 == PAGE_SIZE)
        .map(|last| format!("/ui/scim-log?cursor={}.{}", last.at, last.id));
    let body = html! {
        h1 { "SCIM request log" }
        section {
            @if rows.is_empty() { p { "No SCIM requests yet." } } @else {
                table {
                    tr { th { "When" } th { "Request" } th { "Status" } th { "SCIM type" } th { "Detail" } th { "ms" } }
                    @for r in &rows {
                        tr {
                            td { (when(r.at)) }
                            td.mono { (r.method) " " (r.path) }
                            td { @if r.status >= 400 { span.bad { (r.status) } } @else { (r.status) } }
                            td { (r.scim_type.as_deref().unwrap_or("")) }
                            td { (r.detail.as_deref().unwrap_or("")) }
                            td { (r.duration_ms) }
                        }
                    }
                }
            }
            @if let Some(href) = &next { p { a rel="next" href=(href) { "Older requests" } } }
        }
    };
    Ok(page(
        "SCIM request log",
        "/ui/scim-log",
        &caller.viewer(),
        body,
    ))
}
