//! What a draft's test sign-in shows (CONTRACT.md §16): the NameID, every attribute, the
//! identity the mappings read, the roles they give, and warnings; or the refusal with its
//! reason and the side that must fix it. A pure function of the validated response.

use serde_json::{json, Value};

use crate::clock::{rfc3339, Millis};
use crate::federation::config::SsoConfig;
use crate::federation::failure::{side_text, SsoFailure};
use crate::login::federated::{domain_allowed, email_of};
use crate::login::saml_validate::federated_identity;
use crate::protocol::certs::parse_certificate;
use crate::protocol::saml::response::ValidatedResponse;
use crate::roles::{resolve_roles, RoleResolution};

/// A certificate that expires sooner than this is worth a warning (30 days).
const EXPIRING_SOON_MS: Millis = 30 * 24 * 3600 * 1000;
const TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

fn warning(code: &str, message: String) -> Value {
    json!({ "code": code, "message": message })
}

/// The test passed every check of §7: what the sign-in would produce.
pub fn passed(config: &SsoConfig, validated: &ValidatedResponse, now: Millis) -> Value {
    let assertion = &validated.identity;
    let identity = federated_identity(config, assertion);
    let email = email_of(&identity);
    let mut warnings = Vec::new();
    let groups_attribute = config.saml_attribute(4);
    if assertion.values(&groups_attribute).is_none() {
        warnings.push(warning("no_groups_attribute", format!(
            "the response has no '{groups_attribute}' attribute: roles come only from SCIM groups and the default role"
        )));
    }
    if email.is_none() {
        warnings.push(warning("no_email", format!(
            "neither the '{}' attribute nor the NameID is an email address, so the user cannot be matched by email",
            config.saml_attribute(0)
        )));
    }
    let domain_ok = domain_allowed(config, email.as_deref());
    if !domain_ok {
        warnings.push(warning(
            "email_domain_not_allowed",
            "the email is outside allowed_email_domains: this user would be refused".into(),
        ));
    }
    if assertion.name_id_format.as_deref() == Some(TRANSIENT) {
        warnings.push(warning(
            "transient_name_id",
            "the NameID is transient (new at every sign-in): users are matched by email only"
                .into(),
        ));
    }
    warnings.extend(expiring_certificates(config, now));
    let roles = match resolve_roles(
        identity.groups.iter().map(String::as_str),
        &config.role_mappings(),
        config.default_role.as_deref(),
    ) {
        RoleResolution::Roles(roles) => roles,
        RoleResolution::NoRole => {
            warnings.push(warning("no_role", "none of the groups maps to a role and there is no default role: this user would be refused".into()));
            Vec::new()
        }
    };
    let attributes: Vec<Value> = assertion
        .attributes
        .iter()
        .map(|(name, values)| json!({ "name": name, "values": values }))
        .collect();
    json!({
        "outcome": "passed",
        "tested_at": rfc3339(now),
        "would_sign_in": domain_ok && !roles.is_empty(),
        "name_id": assertion.name_id,
        "name_id_format": assertion.name_id_format,
        "issuer": validated.issuer,
        "assertion_id": assertion.assertion_id,
        "encrypted": validated.decrypted_with.is_some(),
        "attributes": attributes,
        "identity": {
            "email": email,
            "first_name": identity.first_name,
            "last_name": identity.last_name,
            "display_name": identity.display_name,
            "groups": identity.groups,
        },
        "roles": roles,
        "warnings": warnings,
    })
}

/// The IdP signing certificates of the draft that expire within 30 days.
fn expiring_certificates(config: &SsoConfig, now: Millis) -> Vec<Value> {
    let certificates = config.saml.as_ref().map(|s| s.idp_certificates.as_slice());
    certificates
        .unwrap_or_default()
        .iter()
        .filter_map(|pem| parse_certificate(pem).ok())
        .filter(|c| c.not_after - now < EXPIRING_SOON_MS)
        .map(|c| {
            warning(
                "certificate_expiring",
                format!(
                    "the IdP signing certificate {} expires at {}",
                    c.subject,
                    rfc3339(c.not_after)
                ),
            )
        })
        .collect()
}

/// The test was refused: the reason as the end user's error page would give it.
pub fn failed(failure: &SsoFailure, now: Millis) -> Value {
    json!({
        "outcome": "failed",
        "tested_at": rfc3339(now),
        "reason": failure.code,
        "message": failure.message,
        "fix_side": side_text(failure.side).0,
    })
}
