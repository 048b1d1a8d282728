//! The IdPs axid knows by name, and per provider the attribute (SAML) and claim (OIDC)
//! names each really sends, its NameID format and setup hints (`/api/v1/sso/providers`).

use serde_json::{json, Value};

/// One known provider and the defaults a new configuration starts from.
#[derive(Debug)]
pub struct Provider {
    pub id: &'static str,
    pub name: &'static str,
    /// SAML attribute names: email, first_name, last_name, display_name, groups.
    pub saml_attributes: [&'static str; 5],
    pub name_id_format: &'static str,
    /// OIDC claim names: email, name, groups.
    pub oidc_claims: [&'static str; 3],
    pub hints: &'static [&'static str],
}

const EMAIL_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const XMLSOAP: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/";

pub const PROVIDERS: &[Provider] = &[
    Provider {
        id: "okta",
        name: "Okta",
        saml_attributes: ["email", "firstName", "lastName", "displayName", "groups"],
        name_id_format: EMAIL_FORMAT,
        oidc_claims: ["email", "name", "groups"],
        hints: &[
            "Create a SAML 2.0 app integration; Single sign-on URL = the ACS URL, Audience URI = the SP entity id.",
            "Add attribute statements email, firstName, lastName and a group attribute statement named groups.",
        ],
    },
    Provider {
        id: "entra",
        name: "Microsoft Entra ID",
        saml_attributes: [
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
            "http://schemas.microsoft.com/identity/claims/displayname",
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        ],
        name_id_format: EMAIL_FORMAT,
        oidc_claims: ["email", "name", "groups"],
        hints: &[
            "Enterprise application > Single sign-on > SAML: Identifier = the SP entity id, Reply URL = the ACS URL.",
            "Add a group claim; Entra sends group object ids unless 'sAMAccountName' or cloud group names are chosen, so map roles by object id or name accordingly.",
            "Entra signs the assertion with SHA-256 by default; keep it.",
        ],
    },
    Provider {
        id: "auth0",
        name: "Auth0",
        saml_attributes: [
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
            "http://schemas.xmlsoap.org/claims/Group",
        ],
        name_id_format: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        oidc_claims: ["email", "name", "https://axid.example/groups"],
        hints: &[
            "Enable the SAML2 Web App addon: Application Callback URL = the ACS URL, audience = the SP entity id.",
            "Set signatureAlgorithm to rsa-sha256 and digestAlgorithm to sha256 in the addon settings (the defaults are SHA-1).",
        ],
    },
    Provider {
        id: "google",
        name: "Google Workspace",
        saml_attributes: ["email", "firstName", "lastName", "displayName", "groups"],
        name_id_format: EMAIL_FORMAT,
        oidc_claims: ["email", "name", "groups"],
        hints: &[
            "Admin console > Apps > Web and mobile apps > Add custom SAML app: ACS URL and Entity ID from the SP metadata.",
            "Name ID = Basic Information > Primary email; add attribute mappings email, firstName, lastName and Group membership as groups.",
        ],
    },
    Provider {
        id: "onelogin",
        name: "OneLogin",
        saml_attributes: ["User.email", "User.FirstName", "User.LastName", "User.DisplayName", "memberOf"],
        name_id_format: EMAIL_FORMAT,
        oidc_claims: ["email", "name", "groups"],
        hints: &[
            "Use the 'SAML Custom Connector (Advanced)': ACS URL validator and Recipient = the ACS URL, Audience = the SP entity id.",
            "Set SAML signature element to 'Both' or 'Assertion' and SAML signature algorithm to SHA-256.",
        ],
    },
    Provider {
        id: "jumpcloud",
        name: "JumpCloud",
        saml_attributes: ["email", "firstname", "lastname", "displayname", "memberOf"],
        name_id_format: EMAIL_FORMAT,
        oidc_claims: ["email", "name", "groups"],
        hints: &[
            "SSO > Custom SAML App: SP Entity ID and ACS URL from the SP metadata; IdP Entity ID must match the configuration.",
            "Enable 'Include group attribute' named memberOf to map groups to roles.",
        ],
    },
    Provider {
        id: "generic",
        name: "Other SAML 2.0 or OpenID Connect provider",
        saml_attributes: ["email", "firstName", "lastName", "displayName", "groups"],
        name_id_format: EMAIL_FORMAT,
        oidc_claims: ["email", "name", "groups"],
        hints: &[
            "Point the IdP at the SP metadata URL, or copy its entity id and ACS URL.",
            "Sign the assertion or the response with RSA-SHA256 and exclusive canonicalization.",
        ],
    },
];

pub fn find(id: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.id == id)
}

/// The defaults JSON of `GET /api/v1/sso/providers/defaults?provider=`.
pub fn defaults_json(p: &Provider) -> Value {
    let [email, first_name, last_name, display_name, groups] = p.saml_attributes;
    let [c_email, c_name, c_groups] = p.oidc_claims;
    json!({
        "provider": p.id,
        "name": p.name,
        "saml": {
            "name_id_format": p.name_id_format,
            "attribute_mapping": {"email": email, "first_name": first_name, "last_name": last_name,
                                   "display_name": display_name, "groups": groups},
        },
        "oidc": {"scopes": ["openid", "email", "profile"],
                 "claim_mapping": {"email": c_email, "name": c_name, "groups": c_groups}},
        "hints": p.hints,
    })
}

pub fn list_json() -> Value {
    let providers: Vec<Value> = PROVIDERS
        .iter()
        .map(|p| json!({"id": p.id, "name": p.name, "protocols": ["saml", "oidc"]}))
        .collect();
    json!({ "providers": providers })
}

/// Whether `XMLSOAP` style claim URIs are used (for tests and docs).
pub fn uses_claim_uris(p: &Provider) -> bool {
    p.saml_attributes[0].starts_with(XMLSOAP)
}
