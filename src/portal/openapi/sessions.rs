//! The organization's live sessions, for its admins: listing them and ending one.

use utoipa::ToSchema;

use super::auth::{AuthMethod, PrincipalType};
use super::{NEEDS_ADMIN, NEEDS_ADMIN_SAME_SITE};
use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};
use crate::portal::sessions_api;

pub(super) fn api_routes(r: &mut ApiRoutes) {
    r.add(
        Auth::Portal,
        __path_list_org_sessions,
        sessions_api::list_sessions,
    )
    .add(
        Auth::Portal,
        __path_revoke_org_session,
        sessions_api::revoke_session,
    );
}

/// A listed session's principal; unlike the session JSON, `email` is always present.
#[derive(ToSchema)]
pub struct ListedPrincipal {
    #[schema(rename = "type")]
    kind: PrincipalType,
    id: String,
    email: Option<String>,
}

#[derive(ToSchema)]
pub struct SessionListing {
    /// The first 16 hex digits of the stored hash of the cookie (never the cookie): what
    /// `DELETE /api/v1/sessions/{session_id}` takes.
    #[schema(example = "9f86d081884c7d65")]
    id: String,
    principal: ListedPrincipal,
    roles: Vec<String>,
    auth_method: AuthMethod,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    last_seen_at: String,
    #[schema(format = DateTime)]
    expires_at: String,
}

#[derive(ToSchema)]
pub struct SessionList {
    /// Live sessions (neither expired nor idle), newest first, at most 200.
    sessions: Vec<SessionListing>,
}

#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions",
    responses(
        (status = 200, description = "The organization's live sessions.", body = SessionList),
        (status = 403, description = NEEDS_ADMIN, body = ErrorBody),
    ))]
fn list_org_sessions() {}

#[utoipa::path(delete, path = "/api/v1/sessions/{session_id}", tag = "sessions",
    params(("session_id" = String, Path, description = "A listed session's `id`.")),
    responses(
        (status = 204, description = "Ended at once, on every replica."),
        (status = 403, description = NEEDS_ADMIN_SAME_SITE, body = ErrorBody),
        (status = 404, description = "`not_found`: no session of the organization has this id.", body = ErrorBody),
    ))]
fn revoke_org_session() {}
