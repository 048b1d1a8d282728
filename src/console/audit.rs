//! The SSO audit page: sign-in outcomes and setup changes, newest first, filtered by
//! outcome and reason, one page at a time (keyset on time and id, as the API pages).

use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::caller::{ConsoleCaller, ConsoleRefusal};
use super::layout::{page, when};
use super::overview::{fix_side, reference_of};
use crate::http::error::ApiError;
use crate::http::keyset::{decode_cursor, encode_cursor};
use crate::state::AppState;
use crate::store::AuditFilter;

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize)]
pub struct AuditQuery {
    outcome: Option<String>,
    reason: Option<String>,
    reference: Option<String>,
    cursor: Option<String>,
}

fn next_link(outcome: &str, reason: &str, reference: &str, cursor: &str) -> String {
    url::form_urlencoded::Serializer::new(String::from("/ui/audit?"))
        .append_pair("outcome", outcome)
        .append_pair("reason", reason)
        .append_pair("reference", reference)
        .append_pair("cursor", cursor)
        .finish()
}

pub async fn show(
    state: web::Data<AppState>,
    caller: ConsoleCaller,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ConsoleRefusal> {
    let outcome = query.outcome.as_deref().unwrap_or_default();
    if !matches!(outcome, "" | "success" | "failure") {
        return Err(ConsoleRefusal::Page(ApiError::bad_request(
            "invalid_outcome",
            "outcome is success or failure",
        )));
    }
    let reason = query.reason.as_deref().unwrap_or_default().trim();
    // Users read references aloud or retype them: case and dashes do not matter.
    let reference = query
        .reference
        .as_deref()
        .unwrap_or_default()
        .trim()
        .replace('-', "")
        .to_ascii_uppercase();
    let before = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| {
            ConsoleRefusal::Page(ApiError::bad_request(
                "invalid_cursor",
                "the cursor is not valid",
            ))
        })?),
        None => None,
    };
    let filter = AuditFilter {
        outcome,
        reason,
        reference: &reference,
    };
    let mut events = state
        .store
        .list_sso_audit_events(
            &caller.org,
            filter,
            before.as_ref().map(|(at, id)| (*at, id.as_str())),
            PAGE_SIZE + 1,
        )
        .await?;
    let more = events.len() as i64 > PAGE_SIZE;
    events.truncate(PAGE_SIZE as usize);
    let next = more
        .then(|| events.last().map(|e| encode_cursor(e.at, &e.id)))
        .flatten();
    let body = html! {
        h1 { "SSO audit" }
        section {
            form.filters method="get" action="/ui/audit" {
                div {
                    label for="outcome" { "Outcome" }
                    select id="outcome" name="outcome" {
                        @for (value, label) in [("", "any"), ("success", "success"), ("failure", "failure")] {
                            option value=(value) selected[outcome == value] { (label) }
                        }
                    }
                }
                div {
                    label for="reason" { "Reason" }
                    input id="reason" name="reason" value=(reason) placeholder="signature_invalid";
                }
                div {
                    label for="reference" { "Reference" }
                    input id="reference" name="reference" value=(reference) placeholder="from the user's error page";
                }
                div { button type="submit" { "Filter" } }
            }
        }
        section {
            @if events.is_empty() { p { "No events." } } @else {
                table {
                    tr { th { "When" } th { "Event" } th { "Outcome" } th { "Reason" } th { "Who must fix it" } th { "Principal" } th { "IP" } th { "Reference" } }
                    @for e in &events {
                        @let r = e.reason.as_deref().unwrap_or("");
                        tr {
                            td { (when(e.at)) }
                            td { (e.event) }
                            td { @if e.outcome == "failure" { span.bad { (e.outcome) } } @else { (e.outcome) } }
                            td { code { (r) } }
                            td { (fix_side(r)) }
                            td { (e.principal.as_deref().unwrap_or("")) }
                            td.mono { (e.ip.as_deref().unwrap_or("")) }
                            td.mono { (reference_of(e)) }
                        }
                    }
                }
            }
            @if let Some(cursor) = &next {
                p { a rel="next" href=(next_link(outcome, reason, &reference, cursor)) { "Older events" } }
            }
        }
    };
    Ok(page("SSO audit", "/ui/audit", &caller.viewer(), body))
}
