//! The operations of the portal's SCIM directory reads (`/api/v1/users`, `/groups`,
//! `/scim/requests`) in the OpenAPI document, and their routes: each stub below carries one
//! handler's `#[utoipa::path]`, and `api_routes` mounts the handler at it. Every one needs
//! the `admin` role.
// The stubs are never called: only the `__path_*` types their attribute generates are used.
#![allow(dead_code)]

use utoipa::ToSchema;

use super::portal_api::{self, LogPage, Page};
use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};

pub fn api_routes(r: &mut ApiRoutes) {
    r.add(
        Auth::Portal,
        __path_list_directory_users,
        portal_api::list_users,
    )
    .add(
        Auth::Portal,
        __path_get_directory_user,
        portal_api::get_user,
    )
    .add(
        Auth::Portal,
        __path_list_directory_groups,
        portal_api::list_groups,
    )
    .add(
        Auth::Portal,
        __path_list_scim_requests,
        portal_api::scim_requests,
    );
}

/// Where the user came from: SCIM provisioning, or just-in-time at an SSO sign-in.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum UserSource {
    Scim,
    Saml,
    Oidc,
}

#[derive(ToSchema)]
pub struct DirectoryUser {
    /// The SCIM id.
    id: String,
    user_name: String,
    display_name: Option<String>,
    /// Lowercased.
    email: Option<String>,
    external_id: Option<String>,
    /// False for a deactivated user (it keeps no sessions).
    active: bool,
    source: UserSource,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// A group the user belongs to.
#[derive(ToSchema)]
pub struct UserGroup {
    id: String,
    display_name: String,
    external_id: Option<String>,
}

/// A user with its groups and the roles it would get now.
#[derive(ToSchema)]
pub struct DirectoryUserDetail {
    id: String,
    user_name: String,
    display_name: Option<String>,
    email: Option<String>,
    external_id: Option<String>,
    active: bool,
    source: UserSource,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    groups: Vec<UserGroup>,
    /// The effective roles under the SSO configuration's mappings (CONTRACT §5); empty
    /// without an SSO configuration or when none applies.
    roles: Vec<String>,
}

#[derive(ToSchema)]
pub struct DirectoryUserPage {
    users: Vec<DirectoryUser>,
    /// How many users the organization has.
    total: i64,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

#[derive(ToSchema)]
pub struct DirectoryGroup {
    id: String,
    display_name: String,
    external_id: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

#[derive(ToSchema)]
pub struct DirectoryGroupPage {
    groups: Vec<DirectoryGroup>,
    /// How many groups the organization has.
    total: i64,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

/// One logged `/scim/v2` request.
#[derive(ToSchema)]
pub struct ScimRequestEntry {
    id: String,
    #[schema(format = DateTime)]
    at: String,
    method: String,
    path: String,
    /// The HTTP status of the answer.
    status: i64,
    /// The SCIM error's `scimType`, if any.
    scim_type: Option<String>,
    /// The SCIM error's `detail`, if any.
    detail: Option<String>,
    duration_ms: i64,
    /// The request body with its secrets removed: the JSON as sent, a string when it was
    /// not JSON, null without a body.
    #[schema(value_type = Value)]
    body: Option<serde_json::Value>,
}

#[derive(ToSchema)]
pub struct ScimRequestPage {
    /// Newest first.
    requests: Vec<ScimRequestEntry>,
    /// Pass as `cursor` for the next page; null when this page was not full.
    next_cursor: Option<String>,
}

const NEEDS_ADMIN: &str =
    "`forbidden` without the `admin` role, or `org_suspended` for a suspended organization's API key.";
const INVALID_CURSOR: &str = "`invalid_cursor`: the cursor is not one this API returned.";

#[utoipa::path(get, path = "/api/v1/users", tag = "directory",
    params(Page),
    responses(
        (status = 200, description = "A page of the organization's users.", body = DirectoryUserPage),
        (status = 400, description = INVALID_CURSOR, body = ErrorBody),
        (status = 403, description = NEEDS_ADMIN, body = ErrorBody),
    ))]
fn list_directory_users() {}

#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "directory",
    params(("user_id" = String, Path, description = "The user's SCIM id.")),
    responses(
        (status = 200, description = "The user, its groups and its effective roles.", body = DirectoryUserDetail),
        (status = 403, description = NEEDS_ADMIN, body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn get_directory_user() {}

#[utoipa::path(get, path = "/api/v1/groups", tag = "directory",
    params(Page),
    responses(
        (status = 200, description = "A page of the organization's groups.", body = DirectoryGroupPage),
        (status = 400, description = INVALID_CURSOR, body = ErrorBody),
        (status = 403, description = NEEDS_ADMIN, body = ErrorBody),
    ))]
fn list_directory_groups() {}

#[utoipa::path(get, path = "/api/v1/scim/requests", tag = "directory",
    params(LogPage),
    responses(
        (status = 200, description = "The organization's SCIM request log, newest first.", body = ScimRequestPage),
        (status = 400, description = INVALID_CURSOR, body = ErrorBody),
        (status = 403, description = NEEDS_ADMIN, body = ErrorBody),
    ))]
fn list_scim_requests() {}
