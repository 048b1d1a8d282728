//! The operations of the OpenID provider (`/oauth2/authorize`, `/oauth2/userinfo`,
//! CONTRACT §13) in the OpenAPI document, and their routes: each stub below carries one
//! handler's `#[utoipa::path]`, and `api_routes` mounts the handler at it.
// The stubs and doc types are never called or built: only their generated schemas are used.
#![allow(dead_code)]

use utoipa::ToSchema;

use super::{authorize, userinfo};
use crate::http::api_routes::{ApiRoutes, Auth, OAuthErrorBody};

/// The OpenID provider's routes.
pub fn api_routes(r: &mut ApiRoutes) {
    r.add(
        Auth::Public,
        __path_request_authorization,
        authorize::authorize,
    )
    .add(Auth::AccessToken, __path_get_userinfo, userinfo::userinfo)
    .add(Auth::AccessToken, __path_post_userinfo, userinfo::userinfo);
}

/// Who must fix a refused authorization request (`federation::failure::side_text`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum FixSide {
    IdentityProvider,
    ServiceConfiguration,
    User,
}

/// The JSON form of the browser error page (CONTRACT §2 browser flows), sent instead of the
/// HTML when `Accept` ranks `application/json` above `text/html`.
#[derive(ToSchema)]
pub struct AuthorizeErrorBody {
    /// The refusal's code (`redirect_uri_mismatch`, `unknown_client`, ...).
    error: String,
    message: String,
    fix_by: FixSide,
}

/// OIDC Core §5.3.2: `sub`, `org_id` and `roles` from the token; `email`, `email_verified`
/// and `name` from the directory now, when the user has them.
#[derive(ToSchema)]
pub struct UserInfo {
    /// The stable axid user id.
    sub: String,
    org_id: String,
    roles: Vec<String>,
    #[schema(required = false)]
    email: String,
    /// Sent with `email`, always true.
    #[schema(required = false)]
    email_verified: bool,
    #[schema(required = false)]
    name: String,
}

#[utoipa::path(get, path = "/oauth2/authorize", tag = "oauth2",
    description = "OIDC Core §3.1.2 authorization endpoint of `web` clients, for browsers. The \
        client and its exact redirect URI are checked first: when either cannot be trusted, an \
        error page is shown and nothing is redirected. Every later refusal goes back to the \
        redirect URI as `error`, `error_description`, `state` and `iss` (RFC 9207). A live \
        portal session of the client's organization gets the code at once; otherwise the \
        browser is sent through that organization's SSO, which returns here.",
    params(
        ("response_type" = String, Query, description = "`code` (anything else: `unsupported_response_type`)."),
        ("client_id" = String, Query, description = "A `web` client's `client_id` (`axc_…`)."),
        ("redirect_uri" = String, Query, description = "One of the client's redirect URIs, character for character."),
        ("scope" = String, Query, description = "Space-separated; must hold `openid`. `email` and `profile` are known, others are ignored."),
        ("code_challenge" = String, Query, description = "RFC 7636 S256 challenge: 43 base64url characters."),
        ("code_challenge_method" = String, Query, description = "`S256` (plain is refused)."),
        ("state" = Option<String>, Query, description = "Echoed back; at most 2048 characters."),
        ("nonce" = Option<String>, Query, description = "Put in the ID token; at most 512 characters."),
        ("prompt" = Option<String>, Query, description = "Space-separated `none`, `login`, `consent`, `select_account`; `none` alone."),
        ("max_age" = Option<i64>, Query, minimum = 0, description = "Seconds; an older session signs in again."),
        ("login_hint" = Option<String>, Query, description = "Passed to the SSO sign-in (at most 256 characters)."),
    ),
    responses(
        (status = 302, description = "To the redirect URI with `code`, `state` and `iss`; or with \
            `error` (`invalid_request`, `unauthorized_client`, `unsupported_response_type`, \
            `invalid_scope`, `request_not_supported`, `login_required`, `access_denied`) and \
            `error_description`, `state`, `iss`; or, with no usable session, to the organization's \
            SSO sign-in (`/auth/{saml|oidc}/{org}/login?return_to=…`).",
            headers(("Location" = String, description = "Where the browser goes next."),
                    ("Cache-Control" = String, description = "`no-store`."))),
        (status = 400, description = "Error page, no redirect: `malformed_query`, `missing_client_id`, \
            `missing_redirect_uri`, `redirect_uri_mismatch`.",
            content((String = "text/html"), (AuthorizeErrorBody = "application/json"))),
        (status = 401, description = "Error page, no redirect: `unknown_client`, `client_disabled`, `org_suspended`.",
            content((String = "text/html"), (AuthorizeErrorBody = "application/json"))),
        (status = 503, description = "Error page: `service_unavailable` (the database is unavailable).",
            content((String = "text/html"), (AuthorizeErrorBody = "application/json"))),
    ))]
fn request_authorization() {}

/// One stub per method (GET and POST, OIDC Core §5.3.1): a `method(get, post)` operation
/// would repeat its operationId under both, which OpenAPI forbids.
macro_rules! userinfo_operation {
    ($method:ident, $stub:ident) => {
#[utoipa::path($method, path = "/oauth2/userinfo", tag = "oauth2",
    description = "OIDC Core §5.3: the signed-in user of an access token from the authorization \
        code grant, sent as `Authorization: Bearer` (a form body is not read). A deactivated \
        user's tokens stop working here at once.",
    responses(
        (status = 200, description = "The user's claims.", body = UserInfo,
            headers(("Cache-Control" = String, description = "`no-store`."))),
        (status = 400, description = "`invalid_request`: another scheme than Bearer, or several credentials.",
            body = OAuthErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"axid\", error=\"invalid_request\", …`"))),
        (status = 401, description = "`invalid_token`: no token, an invalid, expired or revoked one, or a client's token.",
            body = OAuthErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"axid\"`, with `error=\"invalid_token\"` when a token was sent."))),
        (status = 503, description = "`temporarily_unavailable`: the database is unavailable.",
            body = OAuthErrorBody,
            headers(("Retry-After" = i64, description = "Seconds to wait."))),
    ))]
fn $stub() {}
    };
}

userinfo_operation!(get, get_userinfo);
userinfo_operation!(post, post_userinfo);
