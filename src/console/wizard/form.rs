//! The SSO wizard's form: what an admin types, turned into the configuration JSON that
//! `PUT /api/v1/sso/config` takes, and back again to prefill the form from a draft.

use serde_json::{json, Map, Value};

use crate::console::form::form_field;
use crate::federation::config::SsoConfig;

/// The fields of the wizard, as typed.
#[derive(Default)]
pub struct WizardForm {
    pub provider: String,
    pub metadata_url: String,
    pub metadata_xml: String,
    pub idp_entity_id: String,
    pub idp_sso_url: String,
    pub idp_certificate: String,
    /// One `group = role` per line.
    pub role_mappings: String,
    pub default_role: String,
    /// Comma- or space-separated.
    pub allowed_email_domains: String,
    pub allow_idp_initiated: bool,
}

impl WizardForm {
    pub fn parse(body: &str) -> Self {
        let f = |name: &str| form_field(body, name).trim().to_owned();
        Self {
            provider: f("provider"),
            metadata_url: f("metadata_url"),
            metadata_xml: f("metadata_xml"),
            idp_entity_id: f("idp_entity_id"),
            idp_sso_url: f("idp_sso_url"),
            idp_certificate: f("idp_certificate"),
            role_mappings: f("role_mappings"),
            default_role: f("default_role"),
            allowed_email_domains: f("allowed_email_domains"),
            allow_idp_initiated: f("allow_idp_initiated") == "on",
        }
    }

    /// The form of a stored configuration (metadata fields first: they fill the rest).
    pub fn of(config: &SsoConfig) -> Self {
        let saml = config.saml.clone().unwrap_or_default();
        let has_metadata = saml.metadata_url.is_some() || saml.metadata_xml.is_some();
        let manual = |v: Option<String>| {
            if has_metadata {
                String::new()
            } else {
                v.unwrap_or_default()
            }
        };
        Self {
            provider: config.provider.clone(),
            metadata_url: saml.metadata_url.clone().unwrap_or_default(),
            metadata_xml: saml.metadata_xml.clone().unwrap_or_default(),
            idp_entity_id: manual(saml.idp_entity_id.clone()),
            idp_sso_url: manual(saml.idp_sso_url.clone()),
            idp_certificate: if has_metadata {
                String::new()
            } else {
                saml.idp_certificates.join("\n")
            },
            role_mappings: config
                .group_role_mappings
                .iter()
                .map(|m| format!("{} = {}", m.group, m.role))
                .collect::<Vec<_>>()
                .join("\n"),
            default_role: config.default_role.clone().unwrap_or_default(),
            allowed_email_domains: config.allowed_email_domains.join(", "),
            allow_idp_initiated: config.allow_idp_initiated,
        }
    }

    /// The configuration JSON; a mapping line without `=` is sent as a group with no role
    /// so the save refuses it with the API's own message.
    pub fn to_json(&self) -> Value {
        let mut saml = Map::new();
        let mut put = |key: &str, value: &str| {
            if !value.is_empty() {
                saml.insert(key.into(), json!(value));
            }
        };
        put("metadata_url", &self.metadata_url);
        put("metadata_xml", &self.metadata_xml);
        put("idp_entity_id", &self.idp_entity_id);
        put("idp_sso_url", &self.idp_sso_url);
        if !self.idp_certificate.is_empty() {
            saml.insert("idp_certificates".into(), json!([self.idp_certificate]));
        }
        let mappings: Vec<Value> = self
            .role_mappings
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| match line.rsplit_once('=') {
                Some((group, role)) => json!({"group": group.trim(), "role": role.trim()}),
                None => json!({"group": line, "role": ""}),
            })
            .collect();
        let domains: Vec<&str> = self
            .allowed_email_domains
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|d| !d.is_empty())
            .collect();
        json!({
            "protocol": "saml",
            "provider": if self.provider.is_empty() { "generic" } else { &self.provider },
            "enabled": true,
            "allow_idp_initiated": self.allow_idp_initiated,
            "allowed_email_domains": domains,
            "default_role": (!self.default_role.is_empty()).then_some(&self.default_role),
            "group_role_mappings": mappings,
            "saml": saml,
        })
    }
}

/// The field an API error code belongs beside (None: the form as a whole).
pub fn field_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "metadata_fetch_failed" => "metadata_url",
        "invalid_metadata" => "metadata_xml",
        "missing_idp_entity_id" => "idp_entity_id",
        "invalid_idp_sso_url" | "missing_idp_sso_url" => "idp_sso_url",
        "invalid_certificate"
        | "missing_signing_certificate"
        | "certificate_expired"
        | "certificate_not_yet_valid" => "idp_certificate",
        "invalid_mapping" => "role_mappings",
        "invalid_role" => "role_mappings",
        "invalid_domain" => "allowed_email_domains",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_becomes_the_api_json() {
        let body = "provider=okta&metadata_url=https%3A%2F%2Fidp.test%2Fmd&role_mappings=Admins+%3D+admin%0D%0Aeng+%3D+editor%0D%0Anope&default_role=viewer&allowed_email_domains=a.test%2C+b.test&allow_idp_initiated=on";
        let json = WizardForm::parse(body).to_json();
        assert_eq!(json["provider"], "okta");
        assert_eq!(json["saml"]["metadata_url"], "https://idp.test/md");
        assert!(json["saml"].get("metadata_xml").is_none());
        assert_eq!(
            json["group_role_mappings"][0],
            json!({"group": "Admins", "role": "admin"})
        );
        assert_eq!(
            json["group_role_mappings"][2],
            json!({"group": "nope", "role": ""})
        );
        assert_eq!(json["default_role"], "viewer");
        assert_eq!(json["allowed_email_domains"], json!(["a.test", "b.test"]));
        assert_eq!(json["allow_idp_initiated"], true);
    }

    #[test]
    fn a_saved_configuration_prefills_the_form() {
        let form = WizardForm::parse("provider=entra&idp_entity_id=https%3A%2F%2Fsts&idp_sso_url=https%3A%2F%2Fsts%2Fsso&idp_certificate=PEM&role_mappings=g+%3D+admin");
        let config = SsoConfig::from_json(form.to_json()).expect("parses");
        let again = WizardForm::of(&config);
        assert_eq!(again.provider, "entra");
        assert_eq!(again.idp_sso_url, "https://sts/sso");
        assert_eq!(again.idp_certificate, "PEM");
        assert_eq!(again.role_mappings, "g = admin");
        assert!(again.default_role.is_empty());
    }
}
