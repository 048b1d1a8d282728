//! The admin organization API (CONTRACT §3, `X-Admin-API-Key`): its operations, and the
//! organization and license JSON they answer with.

use utoipa::ToSchema;

use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};
use crate::portal::admin;

pub(super) fn api_routes(r: &mut ApiRoutes) {
    r.add(Auth::Admin, __path_create_org, admin::create_org)
        .add(Auth::Admin, __path_list_orgs, admin::list_orgs)
        .add(Auth::Admin, __path_get_org, admin::get_org)
        .add(Auth::Admin, __path_patch_org, admin::patch_org)
        .add(Auth::Admin, __path_delete_org, admin::delete_org)
        .add(Auth::Admin, __path_set_org_password, admin::set_password)
        .add(Auth::Admin, __path_get_license, admin::get_license)
        .add(Auth::Admin, __path_put_license, admin::put_license)
        .add(Auth::Admin, __path_delete_license, admin::delete_license);
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum OrgStatus {
    Active,
    Suspended,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Tier {
    Community,
    Pro,
    Enterprise,
}

/// CONTRACT §3's organization JSON.
#[derive(ToSchema)]
pub struct Organization {
    org_id: String,
    name: String,
    status: OrgStatus,
    contact_email: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
    license: Option<License>,
}

#[derive(ToSchema)]
pub struct License {
    tier: Tier,
    /// The seat limit SCIM enforces; null for none.
    seats: Option<i64>,
    #[schema(format = DateTime)]
    expires_at: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

#[derive(ToSchema)]
pub struct OrganizationPage {
    organizations: Vec<Organization>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

const ORG: &str = "/api/v1/admin/organizations/{org_id}";

#[utoipa::path(post, path = "/api/v1/admin/organizations", tag = "admin",
    request_body = admin::CreateOrgBody,
    responses(
        (status = 201, description = "Created.", body = Organization),
        (status = 400, description = "`invalid_org_id`, `invalid_name` or `invalid_email`.", body = ErrorBody),
        (status = 422, description = "`weak_password`: under 12 characters or over 1024 bytes.", body = ErrorBody),
        (status = 409, description = "`org_exists`.", body = ErrorBody),
    ))]
fn create_org() {}

#[utoipa::path(get, path = "/api/v1/admin/organizations", tag = "admin",
    params(
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "Page size (default 50)."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of organizations.", body = OrganizationPage),
    ))]
fn list_orgs() {}

#[utoipa::path(get, path = ORG, tag = "admin",
    params(("org_id" = String, Path)),
    responses(
        (status = 200, description = "The organization.", body = Organization),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn get_org() {}

#[utoipa::path(patch, path = ORG, tag = "admin",
    params(("org_id" = String, Path)),
    request_body = admin::PatchOrgBody,
    responses(
        (status = 200, description = "The organization as changed; suspending ends its sessions.", body = Organization),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn patch_org() {}

#[utoipa::path(delete, path = ORG, tag = "admin",
    params(("org_id" = String, Path)),
    responses(
        (status = 204, description = "Deleted with everything it owns."),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn delete_org() {}

#[utoipa::path(post, path = "/api/v1/admin/organizations/{org_id}/password", tag = "admin",
    params(("org_id" = String, Path)),
    request_body = admin::PasswordBody,
    responses(
        (status = 204, description = "Set; the organization's password sessions end."),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`weak_password`: under 12 characters or over 1024 bytes.", body = ErrorBody),
    ))]
fn set_org_password() {}

#[utoipa::path(get, path = "/api/v1/admin/organizations/{org_id}/license", tag = "admin",
    params(("org_id" = String, Path)),
    responses(
        (status = 200, description = "The license.", body = License),
        (status = 404, description = "No such organization, or it has no license.", body = ErrorBody),
    ))]
fn get_license() {}

#[utoipa::path(post, path = "/api/v1/admin/organizations/{org_id}/license", tag = "admin",
    params(("org_id" = String, Path)),
    request_body = admin::LicenseBody,
    responses(
        (status = 200, description = "The license as stored.", body = License),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn put_license() {}

#[utoipa::path(delete, path = "/api/v1/admin/organizations/{org_id}/license", tag = "admin",
    params(("org_id" = String, Path)),
    responses(
        (status = 204, description = "Removed."),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn delete_license() {}
