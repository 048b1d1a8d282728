//! Portal authentication (CONTRACT §4, `/api/v1/auth`): password sign-in and sign-out, the
//! current session, SSO availability, and forgetting, resetting and changing the
//! organization's break-glass password; with the session JSON they answer with.

use utoipa::ToSchema;

use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};
use crate::http::api_schemas::SsoProtocol;
use crate::portal::{auth, password};

pub(super) fn api_routes(r: &mut ApiRoutes) {
    r.add(Auth::Public, __path_sign_in_with_password, auth::login)
        // Public: signing out needs no live session, and ends whatever session cookies the
        // browser sends (see the operation).
        .add(Auth::Public, __path_sign_out, auth::logout)
        .add(
            Auth::Session,
            __path_get_current_session,
            auth::current_session,
        )
        .add(
            Auth::Public,
            __path_get_sso_availability,
            auth::sso_availability,
        )
        .add(
            Auth::Public,
            __path_request_password_reset,
            password::forgot_password,
        )
        .add(
            Auth::Public,
            __path_reset_password,
            password::reset_password,
        )
        .add(
            Auth::Session,
            __path_change_password,
            password::change_password,
        );
}

/// Who a session is for: the organization's break-glass admin or an SSO user.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PrincipalType {
    OrgAdmin,
    User,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AuthMethod {
    Password,
    Saml,
    Oidc,
}

/// The session's principal; `email` and `name` are absent (not null) when unknown, and a
/// password session has neither.
#[derive(ToSchema)]
pub struct SessionPrincipal {
    #[schema(rename = "type")]
    kind: PrincipalType,
    /// The organization id for `org_admin`, the directory user's id for `user`.
    id: String,
    #[schema(value_type = String, required = false)]
    email: Option<String>,
    #[schema(value_type = String, required = false)]
    name: Option<String>,
}

/// CONTRACT §4's session JSON.
#[derive(ToSchema)]
pub struct Session {
    org_id: String,
    principal: SessionPrincipal,
    /// `admin` for a password session; an SSO user's mapped roles.
    roles: Vec<String>,
    auth_method: AuthMethod,
    #[schema(format = DateTime)]
    created_at: String,
    /// The absolute timeout; the idle timeout can end the session earlier.
    #[schema(format = DateTime)]
    expires_at: String,
}

/// The error body of a refused sign-in: §2's two fields, and `login_url` with
/// `sso_required`.
#[derive(ToSchema)]
pub struct LoginRefusal {
    #[schema(example = "sso_required")]
    error: String,
    message: String,
    /// Where the browser starts the organization's SSO sign-in (`sso_required` only).
    #[schema(value_type = String, format = "uri", required = false)]
    login_url: Option<String>,
}

/// The same shape for an unknown organization as for one without SSO.
#[derive(ToSchema)]
pub struct SsoAvailability {
    /// The `org_id` of the query as sent (empty when absent).
    org_id: String,
    sso_enabled: bool,
    /// Null when SSO is not enabled.
    protocol: Option<SsoProtocol>,
    /// Where the browser starts the SSO sign-in; null when SSO is not enabled.
    #[schema(format = "uri")]
    login_url: Option<String>,
    /// False when the organization enforces SSO.
    password_login_allowed: bool,
}

const WEAK_PASSWORD: &str = "`weak_password`: under 12 characters or over 1024 bytes.";

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = auth::LoginBody,
    responses(
        (status = 200, description = "Signed in as the organization's `org_admin` (role `admin`); a new session every time.",
            body = Session,
            headers(("Set-Cookie" = String, description = "`axonflow_session=…; HttpOnly; SameSite=Lax; Path=/` (and `Secure` on https)."))),
        (status = 401, description = "`invalid_credentials`: the same answer for an unknown organization and a wrong password.", body = ErrorBody),
        (status = 403, description = "`sso_required` (with `login_url`) when the organization enforces SSO, `org_suspended`, or `csrf` for a cross-site request.", body = LoginRefusal),
        (status = 429, description = "`rate_limited`: too many attempts this minute from the client's address or on the organization; `Retry-After` says when.", body = ErrorBody),
    ))]
fn sign_in_with_password() {}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    description = "Ends every session the request's `axonflow_session` cookies name (none is fine: idempotent) and clears the cookie.",
    responses(
        (status = 204, description = "Signed out.",
            headers(("Set-Cookie" = String, description = "Clears `axonflow_session`."))),
        (status = 403, description = "`csrf`: a cross-site request carrying a session cookie.", body = ErrorBody),
    ))]
fn sign_out() {}

#[utoipa::path(get, path = "/api/v1/auth/session", tag = "auth",
    responses(
        (status = 200, description = "The session the cookie names.", body = Session),
        (status = 401, description = "`unauthenticated` (no live session), or `ambiguous_session` (more than one session cookie).", body = ErrorBody),
    ))]
fn get_current_session() {}

#[utoipa::path(get, path = "/api/v1/auth/sso/availability", tag = "auth",
    params(("org_id" = Option<String>, Query, description = "The organization a sign-in page is for.")),
    responses(
        (status = 200, description = "Whether the organization signs in through SSO, and where.", body = SsoAvailability),
    ))]
fn get_sso_availability() {}

#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth",
    request_body = password::ForgotBody,
    responses(
        (status = 202, description = "Always, whether or not the organization exists: an active organization with a contact email is mailed a single-use reset link valid for 30 minutes."),
        (status = 429, description = "`rate_limited`: too many requests this minute from the client's address or for the organization; `Retry-After` says when.", body = ErrorBody),
    ))]
fn request_password_reset() {}

#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth",
    request_body = password::ResetBody,
    responses(
        (status = 204, description = "The password is set; the organization's password sessions and other reset links end."),
        (status = 400, description = "`invalid_token`: the reset link is invalid, used or expired.", body = ErrorBody),
        (status = 422, description = WEAK_PASSWORD, body = ErrorBody),
    ))]
fn reset_password() {}

#[utoipa::path(post, path = "/api/v1/auth/change-password", tag = "auth",
    request_body = password::ChangeBody,
    responses(
        (status = 204, description = "Changed; the principal's other sessions end (this one stays)."),
        (status = 401, description = "`unauthenticated` or `ambiguous_session`.", body = ErrorBody),
        (status = 403, description = "`forbidden` (only the `org_admin` password session has a password), `invalid_credentials` (the current password is wrong), or `csrf`.", body = ErrorBody),
        (status = 422, description = WEAK_PASSWORD, body = ErrorBody),
    ))]
fn change_password() {}
