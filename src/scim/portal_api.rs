//! Portal read APIs over the directory for org admins (CONTRACT.md §5, §9 conventions):
//! `GET /api/v1/users`, `/api/v1/users/{id}` (groups, effective roles, source),
//! `/api/v1/groups`, and the SCIM request log `GET /api/v1/scim/requests`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;

use crate::clock::rfc3339;
use crate::http::caller::PortalCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::keyset::parse_dotted_cursor;
use crate::state::AppState;
use crate::store::ListQuery;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;
/// The largest offset a cursor may carry: far past any directory, and far enough below
/// `i64::MAX` that offset + limit (+1 for the look-ahead row) cannot overflow.
const MAX_OFFSET: i64 = 1 << 40;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// Page size: 50 by default, clamped to 1..500.
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl Page {
    /// (offset, limit): the cursor is the offset of the next page.
    fn bounds(&self) -> ApiResult<(i64, i64)> {
        let offset = match &self.cursor {
            None => 0,
            Some(c) => c
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=MAX_OFFSET).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request("invalid_cursor", "the cursor is not valid")
                })?,
        };
        Ok((
            offset,
            self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
        ))
    }
}

fn next_cursor(offset: i64, limit: i64, total: i64) -> Value {
    if offset.saturating_add(limit) < total {
        Value::String((offset + limit).to_string())
    } else {
        Value::Null
    }
}

pub(super) use crate::login::role_changes::user_json;

pub(super) async fn list_users(
    caller: PortalCaller,
    state: web::Data<AppState>,
    page: web::Query<Page>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (offset, limit) = page.bounds()?;
    let q = ListQuery {
        cond: None,
        sort: None,
        offset,
        limit,
    };
    let (total, rows) = state.store.list_users(&caller.org, &q).await?;
    Ok(HttpResponse::Ok().json(json!({
        "users": rows.iter().map(user_json).collect::<Vec<_>>(),
        "total": total,
        "next_cursor": next_cursor(offset, limit, total),
    })))
}

pub(super) async fn get_user(
    caller: PortalCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let id = path.into_inner();
    let user = state
        .store
        .get_user(&caller.org, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let groups = state
        .store
        .groups_of_users(&caller.org, &[id.as_str()])
        .await?;
    let roles = super::roles::effective_roles(&state, &caller.org, &user, &groups).await?;
    let mut body = user_json(&user);
    body["groups"] = groups
        .iter()
        .map(|g| json!({"id": g.group_id, "display_name": g.display_name, "external_id": g.external_id}))
        .collect();
    body["roles"] = json!(roles);
    Ok(HttpResponse::Ok().json(body))
}

pub(super) async fn list_groups(
    caller: PortalCaller,
    state: web::Data<AppState>,
    page: web::Query<Page>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (offset, limit) = page.bounds()?;
    let q = ListQuery {
        cond: None,
        sort: None,
        offset,
        limit,
    };
    let (total, rows) = state.store.list_groups(&caller.org, &q).await?;
    let groups: Vec<Value> = rows.iter().map(group_json).collect();
    Ok(HttpResponse::Ok().json(json!({
        "groups": groups, "total": total, "next_cursor": next_cursor(offset, limit, total),
    })))
}

pub(super) fn group_json(g: &crate::store::GroupRecord) -> Value {
    json!({"id": g.id, "display_name": g.display_name, "external_id": g.external_id,
           "created_at": rfc3339(g.created_at), "updated_at": rfc3339(g.updated_at)})
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogPage {
    /// Page size: 50 by default, clamped to 1..500.
    limit: Option<i64>,
    /// `<at ms>.<id>` of the last entry of the previous page (its `next_cursor`).
    cursor: Option<String>,
}

pub(super) async fn scim_requests(
    caller: PortalCaller,
    state: web::Data<AppState>,
    page: web::Query<LogPage>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let limit = page.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let before =
        match &page.cursor {
            None => None,
            Some(c) => Some(parse_dotted_cursor(c).ok_or_else(|| {
                ApiError::bad_request("invalid_cursor", "the cursor is not valid")
            })?),
        };
    let rows = state
        .store
        .list_scim_requests(&caller.org, before, limit)
        .await?;
    let next = match rows.last() {
        Some(last) if i64::try_from(rows.len()).unwrap_or(0) == limit => {
            Value::String(format!("{}.{}", last.at, last.id))
        }
        _ => Value::Null,
    };
    let requests: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"id": r.id, "at": rfc3339(r.at), "method": r.method, "path": r.path, "status": r.status,
                   "scim_type": r.scim_type, "detail": r.detail, "duration_ms": r.duration_ms,
                   "body": r.body.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok().or(Some(Value::String(b.to_owned()))))})
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"requests": requests, "next_cursor": next})))
}
