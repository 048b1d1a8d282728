//! `GET /api/v1/events` (CONTRACT.md §15): the organization's events after a cursor, oldest
//! first, in commit order. The cursor is a position in the commit-ordered numbering
//! (store/events.rs), so following `next_cursor` sees each event once, and an event of a
//! transaction that commits late appears after everything a reader already has.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::render::record_json;
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::webhooks::types;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;

#[derive(Deserialize)]
pub struct Params {
    after: Option<String>,
    types: Option<String>,
    limit: Option<i64>,
}

fn cursor(text: Option<&str>) -> ApiResult<i64> {
    match text {
        None | Some("") => Ok(0),
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| ApiError::bad_request("invalid_cursor", "the cursor is not valid")),
    }
}

pub async fn list(
    caller: PortalCaller,
    state: web::Data<AppState>,
    params: web::Query<Params>,
) -> ApiResult<HttpResponse> {
    caller.require_reader()?;
    let after = cursor(params.after.as_deref())?;
    let kinds = match params.types.as_deref() {
        Some(text) => {
            types::parse_list(text).map_err(|m| ApiError::bad_request("invalid_types", m))?
        }
        None => Vec::new(),
    };
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    // Events committed just now are numbered here rather than at the next tick, so a reader
    // sees its own writes.
    if state.store.has_unsequenced_events().await? {
        state.store.sequence_events(state.clock.now_ms()).await?;
    }
    // Read before the page: every number up to `known` was committed with the counter, so a
    // page shorter than `limit` has seen all of them and the cursor may move to `known`.
    let known = state.store.last_event_seq().await?;
    let rows = state
        .store
        .list_events(&caller.org, after, &kinds, limit)
        .await?;
    let last = rows.last().map_or(after, |r| r.seq);
    let next = if (rows.len() as i64) < limit {
        last.max(known).max(after)
    } else {
        last
    };
    Ok(HttpResponse::Ok().json(json!({
        "events": rows.iter().map(record_json).collect::<Vec<_>>(),
        "next_cursor": next.to_string(),
    })))
}
