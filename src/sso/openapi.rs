//! The operations of the SSO configuration API (`/api/v1/sso/...`, CONTRACT.md §6, §17) in
//! the OpenAPI document, and their routes: each stub below carries one handler's
//! `#[utoipa::path]`, and `api_routes` mounts the handler at it.
// The stubs are never called: only the `__path_*` types their attribute generates are used.
#![allow(dead_code)]

mod config;
mod responses;

pub use config::*;
pub use responses::*;

use super::{api, api_misc, metadata_api, sp_keys_api};
use crate::http::api_routes::{ApiRoutes, Auth, ErrorBody};

/// The SSO routes; every one takes the portal credential, and the role rule of CONTRACT §5
/// (admin writes; admin, editor and viewer read) answers 403 `forbidden` otherwise.
pub fn api_routes(r: &mut ApiRoutes) {
    r.add(Auth::Portal, __path_get_sso_config, api::get_config)
        .add(Auth::Portal, __path_create_sso_config, api::create_config)
        .add(Auth::Portal, __path_replace_sso_config, api::replace_config)
        .add(Auth::Portal, __path_patch_sso_config, api::patch_config)
        .add(Auth::Portal, __path_delete_sso_config, api::delete_config)
        .add(Auth::Portal, __path_test_sso_config, api_misc::test_config)
        .add(
            Auth::Portal,
            __path_list_sso_audit_events,
            api_misc::audit_feed,
        )
        .add(
            Auth::Portal,
            __path_list_sso_providers,
            api_misc::list_providers,
        )
        .add(
            Auth::Portal,
            __path_get_sso_provider_defaults,
            api_misc::provider_defaults,
        )
        .add(Auth::Portal, __path_get_sp_metadata, api_misc::sp_metadata)
        .add(
            Auth::Portal,
            __path_fetch_idp_metadata,
            api_misc::fetch_metadata,
        )
        .add(
            Auth::Portal,
            __path_refresh_idp_metadata,
            metadata_api::refresh_now,
        )
        .add(Auth::Portal, __path_list_sp_keys, sp_keys_api::list_keys)
        .add(Auth::Portal, __path_rotate_sp_key, sp_keys_api::rotate);
}

const CONFIG: &str = "/api/v1/sso/config";

#[utoipa::path(get, path = CONFIG, tag = "sso",
    responses(
        (status = 200, description = "The configuration (any reader role; secrets never shown).", body = SsoConfiguration),
        (status = 404, description = "`not_configured`.", body = ErrorBody),
    ))]
fn get_sso_config() {}

/// The 422 of a configuration write, written once for POST, PUT and PATCH.
const REFUSED_CONFIG: &str = "The configuration is refused (`error` names why): \
    `invalid_config` (unknown key or wrong type), `unknown_provider`, `invalid_role`, \
    `invalid_mapping`, `invalid_domain`, `invalid_clock_skew`, `missing_saml_settings`, \
    `missing_oidc_settings`, `missing_idp_entity_id`, `invalid_idp_sso_url`, \
    `missing_signing_certificate`, `invalid_certificate`, `certificate_expired`, \
    `certificate_not_yet_valid`, `metadata_fetch_failed`, `invalid_metadata`, \
    `invalid_issuer`, `missing_client_id`, `invalid_scope`, `invalid_claim_mapping`, \
    `oidc_discovery_failed`, `missing_client_secret`, `encryption_unavailable`.";

#[utoipa::path(post, path = CONFIG, tag = "sso",
    request_body = SsoConfigurationInput,
    responses(
        (status = 201, description = "Created (admin).", body = SsoConfiguration),
        (status = 409, description = "`already_configured`: use PUT or PATCH.", body = ErrorBody),
        (status = 422, description = REFUSED_CONFIG, body = ErrorBody),
    ))]
fn create_sso_config() {}

#[utoipa::path(put, path = CONFIG, tag = "sso",
    request_body = SsoConfigurationInput,
    responses(
        (status = 200, description = "Replaced (admin); a write-only secret left out keeps its stored value. Sessions follow the new configuration.", body = SsoConfiguration),
        (status = 404, description = "`not_configured`.", body = ErrorBody),
        (status = 422, description = REFUSED_CONFIG, body = ErrorBody),
    ))]
fn replace_sso_config() {}

#[utoipa::path(patch, path = CONFIG, tag = "sso",
    request_body(
        description = "An RFC 7396 merge patch (`application/merge-patch+json` or `application/json`).",
        content(
            (SsoConfigurationPatch = "application/merge-patch+json"),
            (SsoConfigurationPatch = "application/json"),
        ),
    ),
    responses(
        (status = 200, description = "Patched (admin).", body = SsoConfiguration),
        (status = 400, description = "`invalid_request`: the patch is not a JSON object.", body = ErrorBody),
        (status = 404, description = "`not_configured`.", body = ErrorBody),
        (status = 422, description = REFUSED_CONFIG, body = ErrorBody),
    ))]
fn patch_sso_config() {}

#[utoipa::path(delete, path = CONFIG, tag = "sso",
    responses(
        (status = 204, description = "Deleted (admin); the organization's SSO sessions end."),
        (status = 404, description = "`not_configured`.", body = ErrorBody),
    ))]
fn delete_sso_config() {}

#[utoipa::path(post, path = "/api/v1/sso/config/test", tag = "sso",
    responses(
        (status = 200, description = "The checks an admin runs before switching SSO on; nothing changes. Without a configuration: `ok` false and one failed `configuration_present` check.", body = SsoConfigTestResult),
    ))]
fn test_sso_config() {}

#[utoipa::path(get, path = "/api/v1/sso/audit", tag = "sso",
    params(
        ("limit" = Option<i64>, Query, description = "Page size, 1 to 200 (default 50); other values are clamped."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
        ("outcome" = Option<String>, Query, description = "Only entries with this outcome (`success` or `failure`)."),
        ("reason" = Option<String>, Query, description = "Only entries with this exact reason code."),
        ("reference" = Option<String>, Query, description = "Only the entry of the reference a refused user was shown."),
    ),
    responses(
        (status = 200, description = "SSO logins (with typed reasons) and configuration changes, newest first (any reader role).", body = SsoAuditPage),
        (status = 400, description = "`invalid_cursor`.", body = ErrorBody),
    ))]
fn list_sso_audit_events() {}

#[utoipa::path(get, path = "/api/v1/sso/providers", tag = "sso",
    responses(
        (status = 200, description = "The IdPs axid knows by name.", body = SsoProviderList),
    ))]
fn list_sso_providers() {}

#[utoipa::path(get, path = "/api/v1/sso/providers/defaults", tag = "sso",
    params(
        ("provider" = Option<SsoProviderId>, Query, description = "Default `generic`."),
    ),
    responses(
        (status = 200, description = "The provider's default attribute and claim mapping, NameID format and setup hints.", body = SsoProviderDefaults),
        (status = 404, description = "`not_found`: no such provider.", body = ErrorBody),
    ))]
fn get_sso_provider_defaults() {}

#[utoipa::path(get, path = "/api/v1/sso/sp-metadata", tag = "sso",
    responses(
        (status = 200, description = "This organization's SAML SP metadata XML; its URLs as JSON instead when `Accept` prefers `application/json` over `text/html`.",
            content(
                (String = "application/samlmetadata+xml"),
                (SpUrls = "application/json"),
            )),
    ))]
fn get_sp_metadata() {}

#[utoipa::path(post, path = "/api/v1/sso/fetch-metadata", tag = "sso",
    request_body = api_misc::FetchBody,
    responses(
        (status = 200, description = "The IdP metadata at `url`, parsed (admin); nothing is stored.", body = IdpMetadataSummary),
        (status = 400, description = "`invalid_url`.", body = ErrorBody),
        (status = 422, description = "`url_not_allowed` (the SSRF guard refused the address), `metadata_fetch_failed` or `invalid_metadata`.", body = ErrorBody),
    ))]
fn fetch_idp_metadata() {}

#[utoipa::path(post, path = "/api/v1/sso/metadata/refresh", tag = "sso",
    responses(
        (status = 200, description = "Refetched and applied now (admin): new certificates added, departed ones kept 7 days, a changed entity id not applied.", body = MetadataRefreshResult),
        (status = 422, description = "`metadata_refresh_off`: no SAML configuration with `saml.metadata_url` and `saml.metadata_refresh`.", body = ErrorBody),
    ))]
fn refresh_idp_metadata() {}

#[utoipa::path(get, path = "/api/v1/sso/sp-keys", tag = "sso",
    responses(
        (status = 200, description = "The organization's SP key ring, certificates only (any reader role).", body = SpKeyList),
    ))]
fn list_sp_keys() {}

#[utoipa::path(post, path = "/api/v1/sso/sp-keys/rotate", tag = "sso",
    request_body = sp_keys_api::RotateBody,
    responses(
        (status = 200, description = "Rotated early (admin): publishes a next key, or makes the published one active now; the old key keeps decrypting until it ends.", body = SpKeyRotation),
        (status = 400, description = "`invalid_key_use`, or `invalid_request` for an unknown key.", body = ErrorBody),
        (status = 409, description = "`rotation_failed` (for one, another rotation ran at the same time).", body = ErrorBody),
    ))]
fn rotate_sp_key() {}
