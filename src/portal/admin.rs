//! The admin organization API (CONTRACT.md §3): organizations, their password and license.

use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::password::{audit_password, hash_in_background, parse_new_password, store_password};
use crate::clock::{parse_rfc3339, rfc3339};
use crate::domain::{Email, OrgId};
use crate::http::admin_auth::AdminCaller;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json_body::JsonBody;
use crate::state::AppState;
use crate::store::{LicenseRecord, OrgPatch, OrgRecord};

#[derive(Deserialize, ToSchema)]
pub struct CreateOrgBody {
    org_id: String,
    name: String,
    password: Option<String>,
    contact_email: Option<String>,
}

pub async fn create_org(
    _: AdminCaller,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<CreateOrgBody>,
) -> ApiResult<HttpResponse> {
    let org = parse_org_id(&body.org_id)?;
    let name = parse_name(&body.name)?;
    let email = body.contact_email.as_deref().map(parse_email).transpose()?;
    let hash = match body.password.as_deref() {
        Some(text) => Some(hash_in_background(&parse_new_password(text)?).await?),
        None => None,
    };
    if state.store.get_org(&org).await?.is_some() {
        return Err(org_exists(&org));
    }
    let record = state
        .store
        .create_org(
            &org,
            &name,
            email.as_deref(),
            hash.as_deref(),
            state.clock.now_ms(),
        )
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => org_exists(&org),
            other => other.into(),
        })?;
    Ok(HttpResponse::Created().json(org_json(&record, None)))
}

fn org_exists(org: &OrgId) -> ApiError {
    ApiError::conflict("org_exists", format!("organization {org} already exists"))
}

#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

pub async fn list_orgs(
    _: AdminCaller,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let limit = parse_limit(query.limit.as_deref())?;
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => Some(decode_cursor(cursor)?),
        None => None,
    };
    let mut page = state.store.list_orgs(after.as_deref(), limit + 1).await?;
    let next_cursor = if page.len() as i64 > limit {
        page.truncate(limit as usize);
        page.last().map(|o| URL_SAFE_NO_PAD.encode(&o.org_id))
    } else {
        None
    };
    let mut organizations = Vec::with_capacity(page.len());
    for record in &page {
        let license = state.store.get_license(&org_id_of(record)?).await?;
        organizations.push(org_json(record, license.as_ref()));
    }
    Ok(
        HttpResponse::Ok()
            .json(json!({"organizations": organizations, "next_cursor": next_cursor})),
    )
}

pub fn parse_limit(text: Option<&str>) -> ApiResult<i64> {
    match text {
        None | Some("") => Ok(50),
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_limit",
                    "limit must be a whole number from 1 to 200",
                )
            }),
    }
}

fn decode_cursor(cursor: &str) -> ApiResult<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            ApiError::bad_request("invalid_cursor", "cursor is not one this API returned")
        })
}

pub async fn get_org(
    _: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let org = path_org(&path)?;
    let record = state
        .store
        .get_org(&org)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    let license = state.store.get_license(&org).await?;
    Ok(HttpResponse::Ok().json(org_json(&record, license.as_ref())))
}

#[derive(Deserialize, ToSchema)]
pub struct PatchOrgBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    contact_email: Option<Option<String>>,
    #[schema(value_type = Option<super::openapi::OrgStatus>)]
    status: Option<String>,
}

/// Tells "field absent" (`None`) from "field is null" (`Some(None)`), as merge patches need.
fn present_or_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub async fn patch_org(
    _: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(body): JsonBody<PatchOrgBody>,
) -> ApiResult<HttpResponse> {
    let org = path_org(&path)?;
    let status = match body.status.as_deref() {
        None => None,
        Some(s @ ("active" | "suspended")) => Some(s.to_owned()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_status",
                "status must be active or suspended",
            ))
        }
    };
    let contact_email = match body.contact_email {
        Some(Some(text)) => Some(Some(parse_email(&text)?)),
        other => other,
    };
    let patch = OrgPatch {
        name: body.name.as_deref().map(parse_name).transpose()?,
        contact_email,
        status,
    };
    let record = state
        .store
        .update_org(&org, &patch, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    if record.status == "suspended" {
        // A suspended organization cannot log in: its sessions end now, on every replica.
        state.store.delete_org_sessions(&org).await?;
    }
    let license = state.store.get_license(&org).await?;
    Ok(HttpResponse::Ok().json(org_json(&record, license.as_ref())))
}

pub async fn delete_org(
    _: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let org = path_org(&path)?;
    if state.store.delete_org(&org).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("organization"))
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    password: String,
}

pub async fn set_password(
    req: HttpRequest,
    _: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(body): JsonBody<PasswordBody>,
) -> ApiResult<HttpResponse> {
    let org = path_org(&path)?;
    let password = parse_new_password(&body.password)?;
    store_password(&state, &org, &password).await?;
    state
        .store
        .delete_org_sessions_by_method(&org, "password")
        .await?;
    let event = super::audit::PASSWORD_SET_BY_ADMIN;
    audit_password(&state, &req, &org, event, "admin_api").await;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn get_license(
    _: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let org = existing_org(&state, &path).await?;
    let license = state
        .store
        .get_license(&org)
        .await?
        .ok_or_else(|| ApiError::not_found("license"))?;
    Ok(HttpResponse::Ok().json(license_json(&license)))
}

#[derive(Deserialize, ToSchema)]
pub struct LicenseBody {
    #[schema(value_type = super::openapi::Tier)]
    tier: String,
    #[serde(default)]
    seats: Option<i64>,
    #[serde(default)]
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

pub async fn put_license(
    _: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(body): JsonBody<LicenseBody>,
) -> ApiResult<HttpResponse> {
    let org = existing_org(&state, &path).await?;
    if !matches!(body.tier.as_str(), "community" | "pro" | "enterprise") {
        return Err(ApiError::bad_request(
            "invalid_tier",
            "tier must be community, pro or enterprise",
        ));
    }
    if body.seats.is_some_and(|s| s < 0) {
        return Err(ApiError::bad_request(
            "invalid_seats",
            "seats must be zero or more, or null",
        ));
    }
    let expires_at = match body.expires_at.as_deref() {
        Some(text) => Some(parse_rfc3339(text).ok_or_else(|| {
            ApiError::bad_request("invalid_expires_at", "expires_at must be an RFC 3339 time")
        })?),
        None => None,
    };
    let license = state
        .store
        .put_license(
            &org,
            &body.tier,
            body.seats,
            expires_at,
            state.clock.now_ms(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(license_json(&license)))
}

pub async fn delete_license(
    _: AdminCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let org = existing_org(&state, &path).await?;
    if state.store.delete_license(&org).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("license"))
    }
}

async fn existing_org(state: &AppState, path: &str) -> ApiResult<OrgId> {
    let org = path_org(path)?;
    state
        .store
        .get_org(&org)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    Ok(org)
}

fn parse_org_id(text: &str) -> ApiResult<OrgId> {
    OrgId::parse(text).map_err(|m| ApiError::bad_request("invalid_org_id", m))
}

/// An id in a path that cannot be an org id names no organization.
fn path_org(text: &str) -> ApiResult<OrgId> {
    OrgId::parse(text).map_err(|_| ApiError::not_found("organization"))
}

fn org_id_of(record: &OrgRecord) -> ApiResult<OrgId> {
    OrgId::parse(&record.org_id).map_err(|_| ApiError::internal())
}

fn parse_name(text: &str) -> ApiResult<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "invalid_name",
            "name must be 1 to 200 characters",
        ));
    }
    Ok(name.to_owned())
}

/// The contact address, by the one email rule (domain::Email).
pub fn parse_email(text: &str) -> ApiResult<String> {
    Email::parse(text)
        .map(|e| e.as_str().to_owned())
        .map_err(|why| {
            ApiError::bad_request(
                "invalid_email",
                format!("contact_email is not an email address: {why}"),
            )
        })
}

fn org_json(record: &OrgRecord, license: Option<&LicenseRecord>) -> Value {
    json!({
        "org_id": record.org_id,
        "name": record.name,
        "status": record.status,
        "contact_email": record.contact_email,
        "created_at": rfc3339(record.created_at),
        "updated_at": rfc3339(record.updated_at),
        "license": license.map(license_json),
    })
}

fn license_json(l: &LicenseRecord) -> Value {
    json!({
        "tier": l.tier,
        "seats": l.seats,
        "expires_at": l.expires_at.map(rfc3339),
        "created_at": rfc3339(l.created_at),
        "updated_at": rfc3339(l.updated_at),
    })
}
