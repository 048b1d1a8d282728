//! The operations of the token service (`/oauth2/token`, `/oauth2/introspect`,
//! `/oauth2/jwks`, `/.well-known/*`, CONTRACT §12) and of the clients API
//! (`/api/v1/clients...`) in the OpenAPI document, and their routes: each stub below carries
//! one handler's `#[utoipa::path]`, and `api_routes` mounts the handler at it.
// The stubs are never called: only the `__path_*` types their attribute generates are used.
#![allow(dead_code)]

mod schemas;

use self::schemas::{
    CreatedOAuthClient, IntrospectionRequest, IntrospectionResponse, JwkSet, OAuthClient,
    OAuthClientList, ProviderMetadata, RotatedClientSecret, TokenRequest, TokenResponse,
};
use super::{clients_api, discovery, introspect, token_endpoint};
use crate::clients::input::{CreateBody, PatchBody, RotateBody};
use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody, OAuthErrorBody};

/// The token service's routes. The token and introspection endpoints take POST alone
/// (RFC 6749 §3.2); the registry answers other methods 405 with `Allow: POST`.
pub fn api_routes(r: &mut ApiRoutes) {
    r.add(Auth::Client, __path_request_token, token_endpoint::token)
        .add(
            Auth::Client,
            __path_introspect_token,
            introspect::introspect,
        )
        .add(Auth::Public, __path_get_jwks, discovery::jwks)
        .add(
            Auth::Public,
            __path_get_openid_configuration,
            discovery::openid_configuration,
        )
        .add(
            Auth::Public,
            __path_get_oauth_authorization_server_metadata,
            discovery::openid_configuration,
        )
        .add(Auth::Portal, __path_list_clients, clients_api::list)
        .add(Auth::Portal, __path_create_client, clients_api::create)
        .add(Auth::Portal, __path_get_client, clients_api::get)
        .add(Auth::Portal, __path_patch_client, clients_api::patch)
        .add(Auth::Portal, __path_delete_client, clients_api::delete)
        .add(
            Auth::Portal,
            __path_rotate_client_secret,
            clients_api::rotate_secret,
        )
        .add(
            Auth::Portal,
            __path_revoke_client_secret,
            clients_api::revoke_secret,
        );
}

#[utoipa::path(post, path = "/oauth2/token", tag = "oauth2",
    description = "RFC 6749 token endpoint: `client_credentials` (§4.4) for `service` clients, \
        `authorization_code` (§4.1.3, with PKCE) for `web` clients. The client authenticates \
        with Basic (`client_secret_basic`) or with `client_id` and `client_secret` in the form \
        (`client_secret_post`), never both; the secret is always required. Failed client \
        authentications count toward the per-IP login limit.",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The token (RFC 9068 access token; an ID token too for the code grant).",
            body = TokenResponse,
            headers(("Cache-Control" = String, description = "`no-store`."),
                    ("Pragma" = String, description = "`no-cache`."))),
        (status = 400, description = "`invalid_request` (no `grant_type`, a body that is not \
            `application/x-www-form-urlencoded` or is larger than 16 KiB, a repeated parameter, \
            a malformed `Authorization`, Basic and `client_secret` both, a `client_id` differing \
            from Basic's, no `code`), `unsupported_grant_type`, `unauthorized_client` (the grant \
            does not fit the client's type), `invalid_scope`, `invalid_target` (RFC 8707), \
            `invalid_grant` (a bad, expired, used or foreign code, redirect URI or verifier). \
            The wrong media type and an oversized body are 400 here, not 415 or 413.",
            body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: no client authentication, an unknown \
            client, a wrong, revoked or expired secret, a disabled client or a suspended \
            organization, or an unsupported scheme (Bearer).",
            body = OAuthErrorBody,
            headers(("WWW-Authenticate" = String,
                description = "`Basic realm=\"axid\", charset=\"UTF-8\"`, when the client used an \
                    `Authorization` header."))),
        (status = 405, description = "Any method but POST: `invalid_request`.", body = OAuthErrorBody,
            headers(("Allow" = String, description = "`POST`."))),
        (status = 429, description = "`rate_limited`: too many failed client authentications from this IP.",
            body = OAuthErrorBody,
            headers(("Retry-After" = i64, description = "Seconds to wait."))),
        (status = 500, description = "`server_error`: signing or the code redemption failed.", body = OAuthErrorBody),
        (status = 503, description = "`temporarily_unavailable`: the database is unavailable.", body = OAuthErrorBody),
    ))]
fn request_token() {}

#[utoipa::path(post, path = "/oauth2/introspect", tag = "oauth2",
    description = "RFC 7662: an authenticated client of an organization learns whether an access \
        token of that organization is active. Every other token, another organization's valid \
        one included, is `{\"active\": false}`.",
    request_body(content = IntrospectionRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The token's state and, when active, its claims.",
            body = IntrospectionResponse,
            headers(("Cache-Control" = String, description = "`no-store`."))),
        (status = 400, description = "`invalid_request`: no `token`, a body that is not form-encoded \
            or larger than 16 KiB, a repeated parameter, or conflicting client authentication.",
            body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`.", body = OAuthErrorBody,
            headers(("WWW-Authenticate" = String,
                description = "`Basic realm=\"axid\", charset=\"UTF-8\"`, when the client used an \
                    `Authorization` header."))),
        (status = 405, description = "Any method but POST: `invalid_request`.", body = OAuthErrorBody,
            headers(("Allow" = String, description = "`POST`."))),
        (status = 429, description = "`rate_limited`: too many failed client authentications from this IP.",
            body = OAuthErrorBody,
            headers(("Retry-After" = i64, description = "Seconds to wait."))),
        (status = 503, description = "`temporarily_unavailable`: the database is unavailable.", body = OAuthErrorBody),
    ))]
fn introspect_token() {}

#[utoipa::path(get, path = "/oauth2/jwks", tag = "discovery",
    description = "RFC 7517 JWK set of the key ring: every key a valid token may carry (a next \
        key is published before it signs; a retired one stays until its tokens expired).",
    params(("If-None-Match" = Option<String>, Header, description = "An earlier `ETag`: 304 when unchanged.")),
    responses(
        (status = 200, description = "The public keys.", body = JwkSet,
            headers(("ETag" = String, description = "The set's tag."),
                    ("Cache-Control" = String, description = "`public, max-age=<JWKS_MAX_AGE_SECS>`."))),
        (status = 304, description = "Unchanged since the given `ETag`.",
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 503, description = "`temporarily_unavailable`: the keys could not be loaded.", body = OAuthErrorBody),
    ))]
fn get_jwks() {}

#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "discovery",
    description = "OpenID Connect Discovery 1.0 §3 provider metadata; the same document as \
        `/.well-known/oauth-authorization-server`.",
    responses(
        (status = 200, description = "The provider metadata.", body = ProviderMetadata,
            headers(("Cache-Control" = String, description = "`public, max-age=<JWKS_MAX_AGE_SECS>`."))),
    ))]
fn get_openid_configuration() {}

#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "discovery",
    description = "RFC 8414 authorization server metadata; the same document as \
        `/.well-known/openid-configuration`.",
    responses(
        (status = 200, description = "The authorization server metadata.", body = ProviderMetadata,
            headers(("Cache-Control" = String, description = "`public, max-age=<JWKS_MAX_AGE_SECS>`."))),
    ))]
fn get_oauth_authorization_server_metadata() {}

const CLIENT: &str = "/api/v1/clients/{id}";

#[utoipa::path(get, path = "/api/v1/clients", tag = "clients",
    responses(
        (status = 200, description = "The organization's clients, secrets by prefix only.", body = OAuthClientList),
        (status = 403, description = "`forbidden`: needs the admin, editor or viewer role.", body = ErrorBody),
    ))]
fn list_clients() {}

#[utoipa::path(post, path = "/api/v1/clients", tag = "clients",
    request_body = CreateBody,
    responses(
        (status = 201, description = "Created; `client_secret` is shown this once.", body = CreatedOAuthClient),
        (status = 400, description = "`invalid_name`, `invalid_type`, `invalid_role`, `invalid_audience`, \
            `invalid_redirect_uri`, `invalid_signing_alg`, or `invalid_request` (a malformed body, an \
            unknown field, more than 50 values in a list).", body = ErrorBody),
        (status = 403, description = "`forbidden`: needs the admin role.", body = ErrorBody),
        (status = 422, description = "`invalid_token_ttl`: `token_ttl_secs` outside 60..3600.", body = ErrorBody),
    ))]
fn create_client() {}

#[utoipa::path(get, path = CLIENT, tag = "clients",
    params(("id" = String, Path, description = "The client's `id` or its `client_id`.")),
    responses(
        (status = 200, description = "The client.", body = OAuthClient),
        (status = 403, description = "`forbidden`: needs the admin, editor or viewer role.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn get_client() {}

#[utoipa::path(patch, path = CLIENT, tag = "clients",
    params(("id" = String, Path, description = "The client's `id` or its `client_id`.")),
    request_body = PatchBody,
    responses(
        (status = 200, description = "The client as changed.", body = OAuthClient),
        (status = 400, description = "`invalid_name`, `invalid_role`, `invalid_audience`, \
            `invalid_redirect_uri`, `invalid_signing_alg`, or `invalid_request`.", body = ErrorBody),
        (status = 403, description = "`forbidden`: needs the admin role.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_token_ttl`: `token_ttl_secs` outside 60..3600.", body = ErrorBody),
    ))]
fn patch_client() {}

#[utoipa::path(delete, path = CLIENT, tag = "clients",
    params(("id" = String, Path, description = "The client's `id` or its `client_id`.")),
    responses(
        (status = 204, description = "Deleted with its secrets; the tokens it holds stop working at once."),
        (status = 403, description = "`forbidden`: needs the admin role.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn delete_client() {}

#[utoipa::path(post, path = "/api/v1/clients/{id}/secrets", tag = "clients",
    description = "A new secret. The newest earlier secret keeps working for \
        `previous_secret_ttl_secs`; any older one stops now. The body is optional.",
    params(("id" = String, Path, description = "The client's `id` or its `client_id`.")),
    request_body(content = Option<RotateBody>),
    responses(
        (status = 201, description = "The new secret; `client_secret` is shown this once.", body = RotatedClientSecret),
        (status = 403, description = "`forbidden`: needs the admin role.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 422, description = "`invalid_previous_secret_ttl`: outside 0..2592000.", body = ErrorBody),
    ))]
fn rotate_client_secret() {}

#[utoipa::path(delete, path = "/api/v1/clients/{id}/secrets/{secret_id}", tag = "clients",
    params(
        ("id" = String, Path, description = "The client's `id` or its `client_id`."),
        ("secret_id" = String, Path, description = "The secret's `id`."),
    ),
    responses(
        (status = 204, description = "Revoked; the secret stops working at once."),
        (status = 403, description = "`forbidden`: needs the admin role.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such client or secret.", body = ErrorBody),
    ))]
fn revoke_client_secret() {}
