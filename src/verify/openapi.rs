//! The operation of the forward-auth check `/auth/verify` (CONTRACT §14) in the OpenAPI
//! document, and its route: the stubs below (one per method) carry the handler's
//! `#[utoipa::path]`, and `api_routes` mounts the handler at them.
// The stubs are never called: only the `__path_*` types their attribute generates are used.
#![allow(dead_code)]

use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};

/// A proxy may forward the original request's method, so the check answers every method
/// a request to an upstream uses, alike (CONTRACT §14); nginx, Caddy and Traefik send GET.
/// TRACE, CONNECT and methods without a meaning here get 405, which a proxy treats as
/// "deny". One operation per method: one `method(...)` operation would repeat its
/// operationId under each method, which OpenAPI forbids.
pub fn api_routes(r: &mut ApiRoutes) {
    r.add(Auth::Verify, __path_verify_forward_auth, super::verify)
        .add(Auth::Verify, __path_verify_forward_auth_head, super::verify)
        .add(Auth::Verify, __path_verify_forward_auth_post, super::verify)
        .add(Auth::Verify, __path_verify_forward_auth_put, super::verify)
        .add(
            Auth::Verify,
            __path_verify_forward_auth_patch,
            super::verify,
        )
        .add(
            Auth::Verify,
            __path_verify_forward_auth_delete,
            super::verify,
        )
        .add(
            Auth::Verify,
            __path_verify_forward_auth_options,
            super::verify,
        );
}

/// One stub per method, all with the same documentation.
macro_rules! verify_operation {
    ($method:ident, $stub:ident) => {
#[utoipa::path($method, path = "/auth/verify", tag = "forward-auth",
    description = "What nginx `auth_request`, Caddy `forward_auth`, Traefik `ForwardAuth` and \
        Envoy `ext_authz` call before each request to a protected upstream; no body. \
        Credentials, first match wins: a Bearer access token, Basic client credentials, the \
        `axonflow_session` cookie. In `community` mode `Basic base64(clientId:)` identifies a \
        client unproven (`X-Axid-Authenticated: false`), and a request without any credential \
        gets `COMMUNITY_DEFAULT_ORG`'s anonymous context when that is set. The check never \
        redirects: a browser's 401 carries `X-Axid-Login-Url` for the proxy to send it to.",
    params(
        ("org" = Option<String>, Query, description = "The organization the caller must belong to."),
        ("roles" = Option<String>, Query, description = "Comma-separated; the caller needs any one of them."),
        ("aud" = Option<String>, Query, description = "A Bearer token must name this audience; also the `X-Axid-Jwt` audience (default: the forwarded host)."),
        ("X-Forwarded-Host" = Option<String>, Header, description = "The original host (from a trusted proxy only)."),
        ("X-Forwarded-Proto" = Option<String>, Header, description = "The original scheme, default `https` (trusted proxy only)."),
        ("X-Forwarded-Uri" = Option<String>, Header, description = "The original path and query (trusted proxy only)."),
        ("X-Original-URI" = Option<String>, Header, description = "nginx's name for `X-Forwarded-Uri`."),
    ),
    responses(
        (status = 200, description = "Allowed; no body. Every identity header is always sent, \
            empty when it does not apply, so a proxy copying them overwrites a spoofed value.",
            headers(
                ("X-Axid-Org" = String, description = "The caller's organization."),
                ("X-Axid-Subject" = String, description = "The user id, the client id, or `anonymous`."),
                ("X-Axid-Principal-Type" = String, description = "`user`, `client` or `anonymous`."),
                ("X-Axid-Email" = String, description = "The user's email; empty for clients."),
                ("X-Axid-Roles" = String, description = "Comma-separated roles."),
                ("X-Axid-Authenticated" = String, description = "`true`, or `false` for an unproven community client or the anonymous context."),
                ("X-Org-ID" = String, description = "The organization (the seeds' routing header)."),
                ("X-Tenant-ID" = String, description = "The organization."),
                ("X-User-ID" = String, description = "The user id; empty for clients."),
                ("X-Client-ID" = String, description = "The client id (also for a user's access token); empty for sessions."),
                ("X-Axid-Jwt" = String, description = "A JWT of at most 5 minutes, signed RS256 by the key ring (aud = `aud` or the forwarded host)."),
                ("Cache-Control" = String, description = "`no-store`."),
            )),
        (status = 400, description = "`invalid_policy`: the verify URL's `org` is not an organization id.", body = ErrorBody),
        (status = 401, description = "`unauthenticated`: no credential, or one that is invalid, expired, revoked, \
            of a disabled client or deactivated user, or a token lacking the `aud` audience.",
            body = ErrorBody,
            headers(
                ("WWW-Authenticate" = String, description = "Two challenges: `Bearer realm=\"axid\"` (with `error=\"invalid_token\"` after a bad token) and `Basic realm=\"axid\", charset=\"UTF-8\"`."),
                ("X-Axid-Login-Url" = String, description = "When `Accept` holds `text/html`: the sign-in URL (the organization's SSO when `org` names one with SSO enabled), with the original URL as `return_to` when it is on PUBLIC_URL's site."),
            )),
        (status = 403, description = "`forbidden`: authenticated, but of another organization or without a required role.", body = ErrorBody),
        (status = 500, description = "`internal_error`: the downstream JWT could not be signed.", body = ErrorBody),
        (status = 503, description = "`database_unavailable`.", body = ErrorBody),
    ))]
fn $stub() {}
    };
}

verify_operation!(get, verify_forward_auth);
verify_operation!(head, verify_forward_auth_head);
verify_operation!(post, verify_forward_auth_post);
verify_operation!(put, verify_forward_auth_put);
verify_operation!(patch, verify_forward_auth_patch);
verify_operation!(delete, verify_forward_auth_delete);
verify_operation!(options, verify_forward_auth_options);
