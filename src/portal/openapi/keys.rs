//! Portal API keys and SCIM tokens (CONTRACT §9): listing, issuing (the secret is shown
//! once, in the creation answer) and revoking; every operation needs the `admin` role.

use utoipa::ToSchema;

use super::{NEEDS_ADMIN, NEEDS_ADMIN_SAME_SITE};
use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};
use crate::portal::credentials;

pub(super) fn api_routes(r: &mut ApiRoutes) {
    r.add(Auth::Portal, __path_list_api_keys, credentials::list_keys)
        .add(Auth::Portal, __path_create_api_key, credentials::create_key)
        .add(Auth::Portal, __path_get_api_key, credentials::get_key)
        .add(Auth::Portal, __path_revoke_api_key, credentials::delete_key)
        .add(
            Auth::Portal,
            __path_list_scim_tokens,
            credentials::list_scim_tokens,
        )
        .add(
            Auth::Portal,
            __path_create_scim_token,
            credentials::create_scim_token,
        )
        .add(
            Auth::Portal,
            __path_revoke_scim_token,
            credentials::delete_scim_token,
        );
}

/// A portal API key as every read shows it (never the secret).
#[derive(ToSchema)]
pub struct ApiKey {
    id: String,
    name: String,
    /// The secret's first 12 characters (`axk_` and 8 more), to recognise it.
    #[schema(example = "axk_3f9a1c2e")]
    prefix: String,
    /// What the key may do, as a session's role would (CONTRACT §5).
    role: String,
    #[schema(format = DateTime)]
    created_at: String,
    /// Null until first used; refreshed at most once a minute.
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
    /// Null for a key that does not expire.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

/// The new key, and its secret: shown in this answer only, never again.
#[derive(ToSchema)]
pub struct CreatedApiKey {
    id: String,
    name: String,
    prefix: String,
    role: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
    #[schema(format = DateTime)]
    expires_at: Option<String>,
    /// The secret (`axk_…`), sent as `Authorization: Bearer` or `X-API-Key`. Shown once.
    key: String,
}

#[derive(ToSchema)]
pub struct ApiKeyList {
    keys: Vec<ApiKey>,
}

/// A SCIM token as every read shows it (never the secret).
#[derive(ToSchema)]
pub struct ScimToken {
    id: String,
    name: String,
    /// The secret's first 12 characters (`axs_` and 8 more), to recognise it.
    #[schema(example = "axs_7d04be91")]
    prefix: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

/// The new token, and its secret: shown in this answer only, never again.
#[derive(ToSchema)]
pub struct CreatedScimToken {
    id: String,
    name: String,
    prefix: String,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    last_used_at: Option<String>,
    #[schema(format = DateTime)]
    expires_at: Option<String>,
    /// The secret (`axs_…`) an IdP sends on `/scim/v2` as `Authorization: Bearer`. Shown once.
    token: String,
}

#[derive(ToSchema)]
pub struct ScimTokenList {
    tokens: Vec<ScimToken>,
}

const INVALID_CREATE: &str =
    "`invalid_name` (1 to 100 characters), `invalid_role`, or `invalid_expires_at` (not an RFC 3339 time).";
const PAST_EXPIRY: &str = "`invalid_expires_at`: the time is not in the future.";

#[utoipa::path(get, path = "/api/v1/keys", tag = "keys",
    responses(
        (status = 200, description = "The organization's API keys.", body = ApiKeyList),
        (status = 403, description = NEEDS_ADMIN, body = ErrorBody),
    ))]
fn list_api_keys() {}

#[utoipa::path(post, path = "/api/v1/keys", tag = "keys",
    request_body = credentials::CreateBody,
    responses(
        (status = 201, description = "Issued; `key` is the secret, shown this once.", body = CreatedApiKey),
        (status = 400, description = INVALID_CREATE, body = ErrorBody),
        (status = 403, description = NEEDS_ADMIN_SAME_SITE, body = ErrorBody),
        (status = 422, description = PAST_EXPIRY, body = ErrorBody),
    ))]
fn create_api_key() {}

#[utoipa::path(get, path = "/api/v1/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's `id`.")),
    responses(
        (status = 200, description = "The key.", body = ApiKey),
        (status = 403, description = NEEDS_ADMIN, body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn get_api_key() {}

#[utoipa::path(delete, path = "/api/v1/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's `id`.")),
    responses(
        (status = 204, description = "Revoked: the key stops working at once."),
        (status = 403, description = NEEDS_ADMIN_SAME_SITE, body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn revoke_api_key() {}

#[utoipa::path(get, path = "/api/v1/scim/tokens", tag = "keys",
    responses(
        (status = 200, description = "The organization's SCIM tokens.", body = ScimTokenList),
        (status = 403, description = NEEDS_ADMIN, body = ErrorBody),
    ))]
fn list_scim_tokens() {}

#[utoipa::path(post, path = "/api/v1/scim/tokens", tag = "keys",
    request_body(content = credentials::CreateBody, description = "`role` is ignored: a SCIM token only provisions."),
    responses(
        (status = 201, description = "Issued; `token` is the secret, shown this once.", body = CreatedScimToken),
        (status = 400, description = "`invalid_name` (1 to 100 characters) or `invalid_expires_at` (not an RFC 3339 time).", body = ErrorBody),
        (status = 403, description = NEEDS_ADMIN_SAME_SITE, body = ErrorBody),
        (status = 422, description = PAST_EXPIRY, body = ErrorBody),
    ))]
fn create_scim_token() {}

#[utoipa::path(delete, path = "/api/v1/scim/tokens/{token_id}", tag = "keys",
    params(("token_id" = String, Path, description = "The token's `id`.")),
    responses(
        (status = 204, description = "Revoked: the token stops working at once."),
        (status = 403, description = NEEDS_ADMIN_SAME_SITE, body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ))]
fn revoke_scim_token() {}
