//! The operations of the setup-links API (`/api/v1/setup-links`,
//! `/api/v1/admin/organizations/{org_id}/setup-links`, CONTRACT.md §16) in the OpenAPI
//! document, and their routes: each stub below carries one handler's `#[utoipa::path]`,
//! and `api_routes` mounts the handler at it.
// The stubs are never called: only the `__path_*` types their attribute generates are used.
#![allow(dead_code)]

use utoipa::ToSchema;

use super::setup::api;
use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};

/// The organization's admin manages its links (other roles get 403 `forbidden`); the
/// operator's admin key makes one for any organization.
pub fn api_routes(r: &mut ApiRoutes) {
    r.add(Auth::Portal, __path_create_setup_link, api::create)
        .add(Auth::Portal, __path_list_setup_links, api::list)
        .add(Auth::Portal, __path_delete_setup_link, api::delete)
        .add(
            Auth::Admin,
            __path_create_org_setup_link,
            api::create_for_org,
        );
}

/// What a setup link's session may do.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SetupIntent {
    /// Edit, test and activate the organization's SSO configuration.
    Sso,
    /// Make SCIM tokens.
    Scim,
}

/// A setup link to make. The handler reads these two keys from a raw JSON value (no
/// request type exists to derive on), so this mirrors `setup::links::create_link`.
#[derive(ToSchema)]
pub struct NewSetupLinkBody {
    /// At least one; a repeat counts once.
    #[schema(min_items = 1)]
    intents: Vec<SetupIntent>,
    /// Default 7.
    #[schema(minimum = 1, maximum = 30)]
    expires_in_days: Option<i64>,
}

/// A new link: `url` carries its `axl_` token, shown this once (only its hash is kept).
#[derive(ToSchema)]
pub struct CreatedSetupLink {
    id: String,
    /// `{PUBLIC_URL}/setup/axl_...`: hand it to the organization's IT admin.
    url: String,
    intents: Vec<SetupIntent>,
    #[schema(format = DateTime)]
    expires_at: String,
}

#[derive(ToSchema)]
pub struct SetupLink {
    id: String,
    intents: Vec<SetupIntent>,
    /// Who made it: `<actor type>:<id>` of the portal caller, or `admin_api`.
    created_by: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
}

#[derive(ToSchema)]
pub struct SetupLinkList {
    /// The links not yet expired.
    links: Vec<SetupLink>,
}

const REFUSED_LINK: &str =
    "`invalid_intents` (not a non-empty list of `sso` and `scim`) or `invalid_expires_in_days` \
     (not a whole number from 1 to 30).";

#[utoipa::path(post, path = "/api/v1/setup-links", tag = "setup-links",
    request_body = NewSetupLinkBody,
    responses(
        (status = 201, description = "Created; the token in `url` is shown this once.", body = CreatedSetupLink),
        (status = 400, description = REFUSED_LINK, body = ErrorBody),
    ))]
fn create_setup_link() {}

#[utoipa::path(get, path = "/api/v1/setup-links", tag = "setup-links",
    responses(
        (status = 200, description = "The organization's live setup links (never their tokens).", body = SetupLinkList),
    ))]
fn list_setup_links() {}

#[utoipa::path(delete, path = "/api/v1/setup-links/{id}", tag = "setup-links",
    params(("id" = String, Path, description = "The link id (`stl_...`).")),
    responses(
        (status = 204, description = "Deleted: the link and its setup sessions stop at once."),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn delete_setup_link() {}

#[utoipa::path(post, path = "/api/v1/admin/organizations/{org_id}/setup-links", tag = "setup-links",
    params(("org_id" = String, Path)),
    request_body = NewSetupLinkBody,
    responses(
        (status = 201, description = "Created for that organization; the token in `url` is shown this once.", body = CreatedSetupLink),
        (status = 400, description = REFUSED_LINK, body = ErrorBody),
        (status = 404, description = "`not_found`: no such organization (or not a valid org id).", body = ErrorBody),
    ))]
fn create_org_setup_link() {}
