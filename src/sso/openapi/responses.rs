//! The other bodies of `/api/v1/sso/...` (CONTRACT.md §6, §17), as the handlers in
//! `api_misc`, `metadata_api` and `sp_keys_api` build them.

use std::collections::BTreeMap;

use utoipa::ToSchema;

use super::config::{SsoProtocol, SsoProviderId};

/// The service provider side of the organization's SAML setup.
#[derive(ToSchema)]
pub struct SpUrls {
    /// The SP entity id, which is also the URL of its metadata.
    entity_id: String,
    acs_url: String,
    metadata_url: String,
}

#[derive(ToSchema)]
pub struct SsoConfigCheck {
    /// `configuration_present`, `enabled`, `idp_certificate_<n>`, `signature_keys_load`,
    /// `metadata_url`, `roles`, or an OIDC check.
    name: String,
    ok: bool,
    detail: String,
}

#[derive(ToSchema)]
pub struct SsoConfigTestResult {
    /// True when every check passed.
    ok: bool,
    checks: Vec<SsoConfigCheck>,
}

#[derive(ToSchema)]
pub struct SsoAuditEvent {
    id: String,
    #[schema(format = DateTime)]
    at: String,
    /// `sso_login`, `sso_config`, `sso_sp_key`, `sso_metadata_refresh`, `setup_link.created`, ...
    event: String,
    /// `success` or `failure`.
    outcome: String,
    /// A typed reason code for a failure (`signature_invalid`, `no_role`, ...).
    reason: Option<String>,
    principal: Option<String>,
    ip: Option<String>,
    /// The entry's details (a JSON object), or null.
    detail: Option<serde_json::Value>,
}

#[derive(ToSchema)]
pub struct SsoAuditPage {
    /// Newest first.
    events: Vec<SsoAuditEvent>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

#[derive(ToSchema)]
pub struct SsoProviderSummary {
    id: SsoProviderId,
    name: String,
    protocols: Vec<SsoProtocol>,
}

#[derive(ToSchema)]
pub struct SsoProviderList {
    providers: Vec<SsoProviderSummary>,
}

/// The SAML attribute names the provider sends by default.
#[derive(ToSchema)]
pub struct ProviderSamlAttributes {
    email: String,
    first_name: String,
    last_name: String,
    display_name: String,
    groups: String,
}

#[derive(ToSchema)]
pub struct ProviderSamlDefaults {
    name_id_format: String,
    attribute_mapping: ProviderSamlAttributes,
}

#[derive(ToSchema)]
pub struct ProviderOidcDefaults {
    scopes: Vec<String>,
    /// `email`, `name` and `groups` to the claim names the provider uses.
    claim_mapping: BTreeMap<String, String>,
}

#[derive(ToSchema)]
pub struct SsoProviderDefaults {
    provider: SsoProviderId,
    name: String,
    saml: ProviderSamlDefaults,
    oidc: ProviderOidcDefaults,
    /// Setup steps on the IdP's side, in order.
    hints: Vec<String>,
}

/// What the fetched IdP metadata names.
#[derive(ToSchema)]
pub struct IdpMetadataSummary {
    idp_entity_id: String,
    idp_sso_url: String,
    /// PEM signing certificates.
    idp_certificates: Vec<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum MetadataRefreshOutcome {
    Updated,
    Unchanged,
    NotModified,
    Failed,
}

/// What an applied refresh changed (also the data of event `sso.metadata_refreshed`);
/// certificates are named by their SHA-256 fingerprint (lowercase hex).
#[derive(ToSchema)]
pub struct MetadataRefreshChanges {
    /// `admin` for this call.
    trigger: String,
    idp_sso_url: String,
    sso_url_changed: bool,
    certificates_added: Vec<String>,
    /// Left the metadata: still trusted until `departed_kept_until`.
    certificates_departed: Vec<String>,
    certificates_removed: Vec<String>,
    certificates_returned: Vec<String>,
    #[schema(format = DateTime)]
    departed_kept_until: String,
}

/// The refresh's outcome: `changes` when `updated`, `reason` and `message` when `failed`
/// (the configuration is then kept as it was).
#[derive(ToSchema)]
pub struct MetadataRefreshResult {
    outcome: MetadataRefreshOutcome,
    changes: Option<MetadataRefreshChanges>,
    /// `fetch_failed`, `invalid_metadata` or `entity_id_changed`.
    reason: Option<String>,
    message: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SpKeyUse {
    Signing,
    Encryption,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SpKeyState {
    /// Published in the metadata, active from `activates_at`.
    Next,
    Active,
    /// Still decrypting until its certificate ends.
    Retired,
}

/// One SP key as an admin sees it: its certificate only, never the private key.
#[derive(ToSchema)]
pub struct SpKey {
    id: String,
    #[serde(rename = "use")]
    key_use: SpKeyUse,
    state: SpKeyState,
    /// PEM.
    certificate: String,
    #[schema(format = DateTime)]
    not_after: String,
    #[schema(format = DateTime)]
    activates_at: String,
    #[schema(format = DateTime)]
    retired_at: Option<String>,
}

#[derive(ToSchema)]
pub struct SpKeyList {
    /// Signing keys then encryption keys, newest first.
    keys: Vec<SpKey>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum SpKeyRotationAction {
    /// A next key was published; it becomes active at `activates_at`.
    PublishedNext,
    /// The published next key became active now.
    PromotedNext,
}

#[derive(ToSchema)]
pub struct SpKeyRotation {
    /// The key ring after the rotation.
    keys: Vec<SpKey>,
    action: SpKeyRotationAction,
    /// When the published key becomes active; null when one was promoted.
    #[schema(format = DateTime)]
    activates_at: Option<String>,
}
