//! The SSO configuration of one organization (CONTRACT.md §6): its JSON model, the
//! validation that runs before any save, RFC 7396 merge patch and the read view (secrets
//! write-only). Async steps (metadata fetch, OIDC discovery) live in `prepare`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::providers;
use crate::clock::Millis;
use crate::domain::Role;
use crate::protocol::certs::parse_certificate;
use crate::roles::GroupRoleMapping;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Saml,
    Oidc,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Saml => "saml",
            Self::Oidc => "oidc",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingJson {
    pub group: String,
    pub role: String,
}

/// SAML attribute names to read; `None` falls back to the provider's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeMapping {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub groups: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlConfig {
    #[serde(default)]
    pub idp_entity_id: Option<String>,
    #[serde(default)]
    pub idp_sso_url: Option<String>,
    #[serde(default)]
    pub idp_certificates: Vec<String>,
    #[serde(default)]
    pub metadata_url: Option<String>,
    #[serde(default)]
    pub metadata_xml: Option<String>,
    #[serde(default)]
    pub sign_authn_requests: bool,
    /// Decrypt EncryptedAssertions with the org's SP encryption keys (CONTRACT.md §17).
    #[serde(default)]
    pub accept_encrypted_assertions: bool,
    /// Refetch `metadata_url` on a schedule (default on when a URL is set, §17).
    #[serde(default = "yes")]
    pub metadata_refresh: bool,
    #[serde(default)]
    pub attribute_mapping: AttributeMapping,
}

/// The OIDC section: stored as given; its deeper validation and discovery are the OIDC
/// module's (see `crate::sso_setup::prepare::prepare_oidc`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub client_id: String,
    /// Write-only input; never stored in clear, never serialized.
    #[serde(default, skip_serializing)]
    pub client_secret: Option<String>,
    /// The encrypted client secret (`secrets::DataKeyring`), stored form only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_enc: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub claim_mapping: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}
fn generic() -> String {
    "generic".into()
}
fn default_skew() -> i64 {
    120
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoConfig {
    pub protocol: Protocol,
    #[serde(default = "generic")]
    pub provider: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub enforce_sso: bool,
    #[serde(default)]
    pub allow_idp_initiated: bool,
    #[serde(default = "yes")]
    pub jit_provisioning: bool,
    #[serde(default)]
    pub allowed_email_domains: Vec<String>,
    #[serde(default)]
    pub default_role: Option<String>,
    #[serde(default)]
    pub group_role_mappings: Vec<MappingJson>,
    /// Allowed clock difference with the IdP, 0 to 600 seconds.
    #[serde(default = "default_skew")]
    pub clock_skew_seconds: i64,
    #[serde(default)]
    pub saml: Option<SamlConfig>,
    #[serde(default)]
    pub oidc: Option<OidcConfig>,
}

/// A refused configuration: 422 with this code and sentence.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub code: &'static str,
    pub message: String,
}

pub fn invalid(code: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        code,
        message: message.into(),
    }
}

impl SsoConfig {
    pub fn from_json(value: Value) -> Result<Self, ConfigError> {
        serde_json::from_value(value)
            .map_err(|e| invalid("invalid_config", format!("invalid SSO configuration: {e}")))
    }

    pub fn role_mappings(&self) -> Vec<GroupRoleMapping> {
        self.group_role_mappings
            .iter()
            .map(|m| GroupRoleMapping {
                group: m.group.clone(),
                role: m.role.clone(),
            })
            .collect()
    }

    /// The attribute name for `field`, from the mapping or the provider's default.
    pub fn saml_attribute(&self, field: usize) -> String {
        let mapping = self.saml.as_ref().map(|s| &s.attribute_mapping);
        let configured = mapping.and_then(|m| match field {
            0 => m.email.clone(),
            1 => m.first_name.clone(),
            2 => m.last_name.clone(),
            3 => m.display_name.clone(),
            _ => m.groups.clone(),
        });
        configured.unwrap_or_else(|| {
            providers::find(&self.provider)
                .or_else(|| providers::find("generic"))
                .map(|p| p.saml_attributes[field.min(4)].to_owned())
                .unwrap_or_default()
        })
    }
}

/// Checks shared by both protocols: provider, roles, domains, skew.
pub fn validate_common(cfg: &mut SsoConfig) -> Result<(), ConfigError> {
    if providers::find(&cfg.provider).is_none() {
        return Err(invalid("unknown_provider", format!("provider {:?} is not one of okta, entra, auth0, google, onelogin, jumpcloud, generic", cfg.provider)));
    }
    if let Some(role) = &cfg.default_role {
        Role::parse(role).map_err(|e| invalid("invalid_role", e))?;
    }
    for m in &cfg.group_role_mappings {
        Role::parse(&m.role).map_err(|e| invalid("invalid_role", e))?;
        if m.group.trim().is_empty() {
            return Err(invalid(
                "invalid_mapping",
                "a group-role mapping needs a group name",
            ));
        }
    }
    for d in cfg.allowed_email_domains.iter_mut() {
        *d = d.trim().trim_start_matches('@').to_ascii_lowercase();
        if d.is_empty() || !d.contains('.') || d.contains(['@', ' ', '/']) {
            return Err(invalid(
                "invalid_domain",
                format!("{d:?} is not an email domain"),
            ));
        }
    }
    if !(0..=600).contains(&cfg.clock_skew_seconds) {
        return Err(invalid(
            "invalid_clock_skew",
            "clock_skew_seconds must be between 0 and 600",
        ));
    }
    match cfg.protocol {
        Protocol::Saml if cfg.saml.is_none() => Err(invalid(
            "missing_saml_settings",
            "protocol saml needs a saml section",
        )),
        Protocol::Oidc if cfg.oidc.is_none() => Err(invalid(
            "missing_oidc_settings",
            "protocol oidc needs an oidc section",
        )),
        _ => Ok(()),
    }
}

fn is_http_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
}

/// SAML checks once metadata (if any) has filled the IdP fields: an entity id, an SSO URL,
/// and at least one signing certificate, none expired (CONTRACT.md §6: never unsigned).
pub fn validate_saml(saml: &mut SamlConfig, now: Millis) -> Result<(), ConfigError> {
    let entity = saml
        .idp_entity_id
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    if entity.is_empty() {
        return Err(invalid(
            "missing_idp_entity_id",
            "saml.idp_entity_id is required (or metadata that names it)",
        ));
    }
    if !saml.idp_sso_url.as_deref().is_some_and(is_http_url) {
        return Err(invalid(
            "invalid_idp_sso_url",
            "saml.idp_sso_url must be an http(s) URL",
        ));
    }
    if saml.idp_certificates.is_empty() {
        return Err(invalid("missing_signing_certificate", "a SAML configuration needs at least one IdP signing certificate: axid never accepts an unsigned assertion"));
    }
    for (i, pem) in saml.idp_certificates.iter_mut().enumerate() {
        let info = parse_certificate(pem)
            .map_err(|e| invalid("invalid_certificate", format!("idp_certificates[{i}]: {e}")))?;
        if info.not_after <= now {
            return Err(invalid(
                "certificate_expired",
                format!(
                    "idp_certificates[{i}] ({}) expired at {}",
                    info.subject,
                    crate::clock::rfc3339(info.not_after)
                ),
            ));
        }
        if info.not_before > now + 86_400_000 {
            return Err(invalid(
                "certificate_not_yet_valid",
                format!(
                    "idp_certificates[{i}] is not valid before {}",
                    crate::clock::rfc3339(info.not_before)
                ),
            ));
        }
        *pem = crate::protocol::certs::der_to_pem(&info.der);
    }
    Ok(())
}

/// RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    if let Value::Object(target_map) = target {
        for (key, value) in patch_map {
            if value.is_null() {
                target_map.remove(key);
            } else {
                merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// What GET shows: no secret, `client_secret_set` instead.
pub fn read_view(cfg: &SsoConfig) -> Value {
    let mut value = serde_json::to_value(cfg).unwrap_or_else(|_| json!({}));
    if let Some(oidc) = value.get_mut("oidc").and_then(Value::as_object_mut) {
        let set = oidc.remove("client_secret_enc").is_some();
        oidc.remove("client_secret");
        oidc.insert("client_secret_set".into(), json!(set));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
    }

    #[test]
    fn a_saml_configuration_without_a_certificate_is_refused() {
        let mut saml = SamlConfig {
            idp_entity_id: Some("https://idp".into()),
            idp_sso_url: Some("https://idp/sso".into()),
            ..Default::default()
        };
        assert_eq!(
            validate_saml(&mut saml, 0).unwrap_err().code,
            "missing_signing_certificate"
        );
    }

    #[test]
    fn an_expired_certificate_is_refused() {
        let mut saml = SamlConfig {
            idp_entity_id: Some("https://idp".into()),
            idp_sso_url: Some("https://idp/sso".into()),
            idp_certificates: vec![include_str!("../../tests/fixtures/saml/idp.crt").into()],
            ..Default::default()
        };
        assert!(validate_saml(&mut saml.clone(), crate::clock::SystemClock.now_ms()).is_ok());
        let far_future = 4_102_444_800_000 * 2;
        assert_eq!(
            validate_saml(&mut saml, far_future).unwrap_err().code,
            "certificate_expired"
        );
    }

    #[test]
    fn reads_never_show_the_client_secret() {
        let mut cfg = SsoConfig::from_json(json!({"protocol": "oidc", "oidc": {"issuer": "https://i", "client_id": "c", "client_secret": "s3cret"}})).unwrap();
        if let Some(o) = cfg.oidc.as_mut() {
            o.client_secret_enc = Some("v1:xxx".into());
        }
        let view = read_view(&cfg).to_string();
        assert!(
            !view.contains("s3cret") && !view.contains("v1:xxx"),
            "{view}"
        );
        assert!(view.contains(r#""client_secret_set":true"#));
    }

    use crate::clock::Clock;
}
