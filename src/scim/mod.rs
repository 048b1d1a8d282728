//! The SCIM 2.0 surface under `/scim/v2` (RFC 7643/7644, CONTRACT.md §10): one entry point
//! that authenticates the bearer token, reads the body within limits, routes by method and
//! path, and answers every failure with an RFC 7644 §3.12 error (never actix's plain text).

pub mod adapters;
pub mod coerce;
pub mod discovery;
pub mod error;
mod events;
pub mod filter;
mod filter_cost;
mod groups;
mod index;
pub mod list;
pub mod openapi;
pub mod patch;
pub mod portal_api;
pub mod render;
pub mod roles;
pub mod schema;
mod users;

use std::time::Instant;

use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::Value;

use crate::clock::Millis;
use crate::domain::{hash_secret, OrgId};
use crate::state::AppState;
use crate::store::{UserGroupRow, UserRecord};
use error::{ScimError, ScimResult};

/// The largest request body (a PATCH adding many members fits easily).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// One scope whose every path goes to `dispatch`. A static scope prefix is matched by
/// comparing strings; the `{tail:.*}` resource it replaces ran a regex on every request
/// (6% of a GET /Users/{id} under load, in perf).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("/scim/v2").default_service(web::to(dispatch)));
}

/// What one request needs: the organization its token belongs to and the base URL.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub org: OrgId,
    pub base: String,
    pub now: Millis,
    pub query: Vec<(String, String)>,
    pub if_match: Option<String>,
}

impl Ctx<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// One of the organization's turns for a list query, held while it runs.
    pub async fn list_turn(&self) -> ScimResult<crate::state::tenant_gate::Turn> {
        self.state
            .scim_lists
            .enter(self.org.as_str())
            .await
            .ok_or_else(ScimError::busy)
    }
}

async fn dispatch(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let started = Instant::now();
    let mut org_seen = None;
    let mut body_seen = None;
    let result = handle(&req, payload, &state, &mut org_seen, &mut body_seen).await;
    let (response, error) = match result {
        Ok(r) => (r, None),
        Err(e) => (e.to_response(), Some(e)),
    };
    let segments: Vec<&str> = scim_path(&req)
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let resource = match segments.first() {
        Some(&"Users") => "Users",
        Some(&"Groups") => "Groups",
        Some(_) => "discovery",
        None => "none",
    };
    let status = response.status().as_u16();
    state
        .metrics
        .count_scim_operation(resource, req.method(), response.status());
    if let Some(org) = org_seen {
        state.scim_log.record(crate::state::scim_log::Entry {
            org,
            at: state.clock.now_ms(),
            method: req.method().to_string(),
            path: match req.query_string() {
                "" => req.path().to_owned(),
                q => format!("{}?{q}", req.path()),
            },
            status: i64::from(status),
            scim_type: error
                .as_ref()
                .and_then(|e| e.scim_type)
                .map(|t| t.as_str().to_owned()),
            detail: error.map(|e| e.detail),
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            body: body_seen,
        });
    }
    response
}

fn scim_path(req: &HttpRequest) -> &str {
    req.path().trim_start_matches("/scim/v2")
}

async fn handle(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    org_seen: &mut Option<OrgId>,
    body_seen: &mut Option<Value>,
) -> ScimResult<HttpResponse> {
    let method = req.method().clone();
    let path = scim_path(req).to_owned();
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let get = method == Method::GET;
    // GET /Users/{id} reads the user (and its groups) in the token's query.
    let user_id = match seg.as_slice() {
        ["Users", id] if get && !id.contains('\0') => Some(*id),
        _ => None,
    };
    let (org, found_user) = authenticate(req, state, user_id).await?;
    *org_seen = Some(org.clone());
    // No id holds a NUL (domain/nul.rs): such a path names no resource.
    if seg.iter().any(|s| s.contains('\0')) {
        return Err(ScimError::not_found("no resource has this id"));
    }
    // Routes are told apart before the body is read: a POST to a discovery endpoint is a
    // 405, not a 400 for its (absent) body.
    match seg.first().copied() {
        Some("ServiceProviderConfig" | "Schemas" | "ResourceTypes") if !get => {
            return Err(ScimError::method_not_allowed())
        }
        // RFC 7644 §3.4.3: searching every resource type at once is optional; §3.12: 501.
        Some(".search") if seg.len() == 1 => return Err(ScimError::not_implemented()),
        Some("Users" | "Groups") => {}
        _ if !get => return Err(ScimError::not_found("no such SCIM endpoint")),
        _ => {}
    }
    let body = if matches!(method, Method::POST | Method::PUT | Method::PATCH) {
        let body = read_json(req, payload).await?;
        *body_seen = Some(body.clone());
        body
    } else {
        Value::Null
    };
    let ctx = Ctx {
        state,
        org,
        base: format!(
            "{}/scim/v2",
            state.settings.public_url.trim_end_matches('/')
        ),
        now: state.clock.now_ms(),
        query: url::form_urlencoded::parse(req.query_string().as_bytes())
            .into_owned()
            .collect(),
        if_match: req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    match seg.as_slice() {
        ["ServiceProviderConfig"] if get => Ok(render::json_response(
            StatusCode::OK,
            &discovery::service_provider_config(&ctx.base),
        )),
        ["Schemas"] if get => Ok(render::json_response(
            StatusCode::OK,
            &discovery::list(discovery::schemas(&ctx.base)),
        )),
        ["ResourceTypes"] if get => Ok(render::json_response(
            StatusCode::OK,
            &discovery::list(discovery::resource_types(&ctx.base)),
        )),
        ["Schemas", id] if get => discovery::find(discovery::schemas(&ctx.base), id)
            .map(|v| render::json_response(StatusCode::OK, &v))
            .ok_or_else(|| ScimError::not_found(format!("no schema '{id}'"))),
        ["ResourceTypes", id] if get => discovery::find(discovery::resource_types(&ctx.base), id)
            .map(|v| render::json_response(StatusCode::OK, &v))
            .ok_or_else(|| ScimError::not_found(format!("no resource type '{id}'"))),
        ["ServiceProviderConfig" | "Schemas" | "ResourceTypes"]
        | ["Schemas" | "ResourceTypes", _] => Err(ScimError::method_not_allowed()),
        ["Users"] if get => users::list(&ctx, list::ListParams::from_query(&ctx.query)).await,
        ["Users"] if method == Method::POST => users::create(&ctx, body).await,
        ["Users", ".search"] if method == Method::POST => {
            users::list(&ctx, list::ListParams::from_search(&body)?).await
        }
        ["Users", id] if get => users::get(&ctx, id, found_user),
        ["Users", id] if method == Method::PUT => users::replace(&ctx, id, body).await,
        ["Users", id] if method == Method::PATCH => users::patch(&ctx, id, body).await,
        ["Users", id] if method == Method::DELETE => users::delete(&ctx, id).await,
        ["Groups"] if get => groups::list(&ctx, list::ListParams::from_query(&ctx.query)).await,
        ["Groups"] if method == Method::POST => groups::create(&ctx, body).await,
        ["Groups", ".search"] if method == Method::POST => {
            groups::list(&ctx, list::ListParams::from_search(&body)?).await
        }
        ["Groups", id] if get => groups::get(&ctx, id).await,
        ["Groups", id] if method == Method::PUT => groups::replace(&ctx, id, body).await,
        ["Groups", id] if method == Method::PATCH => groups::patch(&ctx, id, body).await,
        ["Groups", id] if method == Method::DELETE => groups::delete(&ctx, id).await,
        ["Users" | "Groups"] | ["Users" | "Groups", _] => Err(ScimError::method_not_allowed()),
        _ => Err(ScimError::not_found("no such SCIM endpoint")),
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// A user read with the token (GET /Users/{id}): the record and its groups, None if absent.
type FoundUser = Option<(UserRecord, Vec<UserGroupRow>)>;

/// The organization of the presented SCIM token: 401 when there is none or it is unknown,
/// 403 when the organization is suspended (CONTRACT.md §3). With `user_id`, the same query
/// also reads that user of the token's organization (one round trip for GET /Users/{id}).
async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
    user_id: Option<&str>,
) -> ScimResult<(OrgId, FoundUser)> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_owned())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(ScimError::unauthorized)?;
    let now = state.clock.now_ms();
    let hash = hash_secret(&token);
    let (check, user) = match user_id {
        Some(id) => state.store.scim_token_and_user(&hash, now, id).await?,
        None => state
            .store
            .scim_token(&hash, now)
            .await?
            .map(|check| (check, None)),
    }
    .ok_or_else(ScimError::unauthorized)?;
    if check.org_status != "active" {
        return Err(ScimError::forbidden("the organization is suspended"));
    }
    if check
        .last_used_at
        .is_none_or(|t| now - t > LAST_USED_GRANULARITY_MS)
    {
        state
            .store
            .mark_credential_used(&check.credential_id, now)
            .await?;
    }
    let org = OrgId::parse(&check.org_id).map_err(|_| ScimError::internal())?;
    Ok((org, user))
}

/// The body as JSON: 415 for other media types, 413 past the limit, 400 invalidSyntax when
/// it does not parse. A missing Content-Type is accepted (some IdP clients omit it).
async fn read_json(req: &HttpRequest, mut payload: web::Payload) -> ScimResult<Value> {
    if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
        let essence = ct
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && essence != "application/scim+json" {
            return Err(ScimError::unsupported_media_type());
        }
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(ScimError::too_large(MAX_BODY_BYTES));
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(MAX_BODY_BYTES));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            if crate::http::request_guard::is_body_timeout(&e) {
                // REQUEST_BODY_TIMEOUT_SECS ended the body: 408, as on every route.
                ScimError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    None,
                    "the request body did not arrive in time",
                )
            } else {
                ScimError::invalid_syntax("the request body could not be read")
            }
        })?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ScimError::too_large(MAX_BODY_BYTES));
        }
        body.extend_from_slice(&chunk);
    }
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        ScimError::invalid_syntax(format!("the request body is not valid JSON: {e}"))
    })?;
    if crate::domain::json_text_may_hold_nul(&body) && crate::domain::json_holds_nul(&value) {
        return Err(ScimError::invalid_value(
            "text must not contain NUL (U+0000)",
        ));
    }
    Ok(value)
}
