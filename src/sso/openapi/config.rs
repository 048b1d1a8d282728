//! The SSO configuration as the API takes it and shows it (CONTRACT.md §6, §17): doc-only
//! mirrors of `federation::config::SsoConfig`, which the handlers read from a raw JSON
//! value (PATCH merges onto the stored form first), so no request type exists to derive on.

use std::collections::BTreeMap;

use utoipa::ToSchema;

use super::SpUrls;

pub use crate::http::api_schemas::SsoProtocol;

/// The IdPs axid knows by name (`GET /api/v1/sso/providers`).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SsoProviderId {
    Okta,
    Entra,
    Auth0,
    Google,
    Onelogin,
    Jumpcloud,
    Generic,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRoleMapping {
    /// An IdP or SCIM group: display name, SCIM id or externalId.
    group: String,
    /// `admin`, `editor`, `viewer` or another role name (`[a-z0-9_.:-]{1,64}`).
    role: String,
}

/// SAML attribute names to read; a missing one falls back to the provider's default.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SamlAttributeMapping {
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    display_name: Option<String>,
    groups: Option<String>,
}

/// A configuration to store (POST, PUT). Secrets are write-only. When `saml.metadata_xml`
/// or `saml.metadata_url` is given, the IdP entity id, SSO URL and certificates come from
/// it. The read-only keys a read adds (`saml.last_fetched_at`, `saml.last_error`,
/// `saml.next_fetch_at`, `oidc.client_secret_set`) are ignored if sent back.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoConfigurationInput {
    protocol: SsoProtocol,
    /// Default `generic`.
    #[serde(default)]
    provider: SsoProviderId,
    /// Default true.
    #[serde(default)]
    enabled: bool,
    /// Refuse password logins of the organization's users (default false).
    #[serde(default)]
    enforce_sso: bool,
    /// Accept IdP-initiated SAML responses (default false).
    #[serde(default)]
    allow_idp_initiated: bool,
    /// Create the directory user at first login (default true).
    #[serde(default)]
    jit_provisioning: bool,
    /// Email domains a login may have; empty for any.
    #[serde(default)]
    allowed_email_domains: Vec<String>,
    /// The role of a login no mapping matches; null refuses such logins (`no_role`).
    default_role: Option<String>,
    #[serde(default)]
    group_role_mappings: Vec<GroupRoleMapping>,
    /// Allowed clock difference with the IdP (default 120).
    #[schema(minimum = 0, maximum = 600)]
    #[serde(default)]
    clock_skew_seconds: i64,
    /// Required when `protocol` is `saml`.
    saml: Option<SamlSettingsInput>,
    /// Required when `protocol` is `oidc`.
    oidc: Option<OidcSettingsInput>,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SamlSettingsInput {
    idp_entity_id: Option<String>,
    idp_sso_url: Option<String>,
    /// PEM (or bare base64 DER) signing certificates; several during a rotation. At least
    /// one is required: axid never accepts an unsigned assertion.
    #[serde(default)]
    idp_certificates: Vec<String>,
    /// Fetched under the SSRF guard at save time.
    metadata_url: Option<String>,
    metadata_xml: Option<String>,
    #[serde(default)]
    sign_authn_requests: bool,
    /// Decrypt `EncryptedAssertion`s with the organization's SP keys (default false).
    #[serde(default)]
    accept_encrypted_assertions: bool,
    /// Refetch `metadata_url` on a schedule (default true).
    #[serde(default)]
    metadata_refresh: bool,
    #[serde(default)]
    attribute_mapping: SamlAttributeMapping,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcSettingsInput {
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    /// Write-only: stored encrypted and never shown. Left out, the stored one is kept.
    #[schema(write_only)]
    client_secret: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    /// Claim names to read (`email`, `name`, `groups`).
    #[serde(default)]
    claim_mapping: BTreeMap<String, String>,
}

/// The organization's configuration as every read shows it (secrets as `*_set` flags).
#[derive(ToSchema)]
pub struct SsoConfiguration {
    protocol: SsoProtocol,
    provider: SsoProviderId,
    enabled: bool,
    enforce_sso: bool,
    allow_idp_initiated: bool,
    jit_provisioning: bool,
    allowed_email_domains: Vec<String>,
    default_role: Option<String>,
    group_role_mappings: Vec<GroupRoleMapping>,
    clock_skew_seconds: i64,
    saml: Option<SamlSettings>,
    oidc: Option<OidcSettings>,
    /// This organization's service provider side, for the IdP.
    sp: SpUrls,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

#[derive(ToSchema)]
pub struct SamlSettings {
    idp_entity_id: Option<String>,
    idp_sso_url: Option<String>,
    /// PEM certificates.
    idp_certificates: Vec<String>,
    metadata_url: Option<String>,
    metadata_xml: Option<String>,
    sign_authn_requests: bool,
    accept_encrypted_assertions: bool,
    metadata_refresh: bool,
    attribute_mapping: SamlAttributeMapping,
    /// Present when the metadata refreshes (`metadata_url` with `metadata_refresh`).
    #[schema(format = DateTime)]
    last_fetched_at: Option<String>,
    /// Present when the metadata refreshes: the last fetch's failure, if it failed.
    last_error: Option<String>,
    /// Present when the metadata refreshes.
    #[schema(format = DateTime)]
    next_fetch_at: Option<String>,
}

#[derive(ToSchema)]
pub struct OidcSettings {
    issuer: String,
    client_id: String,
    scopes: Vec<String>,
    claim_mapping: BTreeMap<String, String>,
    /// Whether a client secret is stored (the secret itself is write-only).
    client_secret_set: bool,
}

/// An RFC 7396 merge patch over the stored configuration: a key sets its value, a null
/// removes it (back to its default), nested objects merge. The result must be a valid
/// configuration (422 otherwise).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoConfigurationPatch {
    protocol: Option<SsoProtocol>,
    provider: Option<SsoProviderId>,
    enabled: Option<bool>,
    enforce_sso: Option<bool>,
    allow_idp_initiated: Option<bool>,
    jit_provisioning: Option<bool>,
    allowed_email_domains: Option<Vec<String>>,
    default_role: Option<String>,
    group_role_mappings: Option<Vec<GroupRoleMapping>>,
    #[schema(minimum = 0, maximum = 600)]
    clock_skew_seconds: Option<i64>,
    /// Merged into the stored `saml` section (keys of `SamlSettingsInput`).
    #[schema(value_type = Option<Object>)]
    saml: Option<()>,
    /// Merged into the stored `oidc` section (keys of `OidcSettingsInput`).
    #[schema(value_type = Option<Object>)]
    oidc: Option<()>,
}
