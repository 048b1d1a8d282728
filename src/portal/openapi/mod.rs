//! The portal's operations in the OpenAPI document and their routes: each stub in the
//! submodules carries one handler's `#[utoipa::path]`, and `api_routes` mounts the handler
//! at it. One submodule per tag: `admin`, `auth` (sign-in and passwords), `keys` (API keys
//! and SCIM tokens), `sessions`.
// The stubs are never called: only the `__path_*` types their attribute generates are used
// (the allow reaches the submodules too).
#![allow(dead_code)]

mod admin;
mod auth;
mod keys;
mod sessions;

use crate::http::api_routes::ApiRoutes;

// The request bodies of `portal::admin` name these closed sets.
pub use admin::{OrgStatus, Tier};

/// The portal's routes (CONTRACT §3, §4, §9 and the organization's sessions).
pub fn api_routes(r: &mut ApiRoutes) {
    admin::api_routes(r);
    auth::api_routes(r);
    keys::api_routes(r);
    sessions::api_routes(r);
}

/// The 403 of an operation that needs the `admin` role (reads: no CSRF check).
const NEEDS_ADMIN: &str =
    "`forbidden` without the `admin` role, or `org_suspended` for a suspended organization's API key.";
/// The 403 of a change that needs the `admin` role.
const NEEDS_ADMIN_SAME_SITE: &str = "`forbidden` without the `admin` role, `org_suspended` for a \
     suspended organization's API key, or `csrf` for a cross-site request with the session cookie.";
