//! Verified ID token claims to a federated identity: per-provider default claim names
//! (Okta `groups`; Entra `groups` and app `roles` with its tenant-specific issuer; Auth0's
//! namespaced custom claims; Google's `hd`), `email_verified` (OIDC Core 1.0 §5.1) and the
//! organization's allowed email domains.

use std::collections::BTreeMap;

use serde_json::Value;

use super::id_token::Claims;
use super::reason::OidcReason;

/// At most this many group names are read from a token.
pub const MAX_GROUPS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    Okta,
    Entra,
    Auth0,
    Google,
    OneLogin,
    JumpCloud,
    Generic,
}

impl Provider {
    /// The provider ids of CONTRACT.md §6; unknown ids are `generic`.
    pub fn parse(id: &str) -> Self {
        match id {
            "okta" => Self::Okta,
            "entra" => Self::Entra,
            "auth0" => Self::Auth0,
            "google" => Self::Google,
            "onelogin" => Self::OneLogin,
            "jumpcloud" => Self::JumpCloud,
            _ => Self::Generic,
        }
    }
}

/// Which claims carry what. A groups entry `*/name` matches any namespaced claim (a URL,
/// as Auth0 requires for custom claims) whose name ends in `/name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimMapping {
    pub email: String,
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    pub groups: Vec<String>,
}

impl ClaimMapping {
    pub fn defaults(provider: Provider) -> Self {
        let groups: &[&str] = match provider {
            Provider::Entra => &["groups", "roles"],
            Provider::Auth0 => &["*/groups", "*/roles", "groups"],
            _ => &["groups"],
        };
        Self {
            email: "email".into(),
            name: "name".into(),
            given_name: "given_name".into(),
            family_name: "family_name".into(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }

    /// The provider's defaults with the configuration's `claim_mapping` on top
    /// (`{"email": "...", "name": "...", "groups": "..."}`; empty values are ignored).
    pub fn with_overrides(provider: Provider, overrides: &BTreeMap<String, String>) -> Self {
        let mut m = Self::defaults(provider);
        for (key, value) in overrides.iter().filter(|(_, v)| !v.trim().is_empty()) {
            let value = value.trim().to_owned();
            match key.as_str() {
                "email" => m.email = value,
                "name" => m.name = value,
                "given_name" | "first_name" => m.given_name = value,
                "family_name" | "last_name" => m.family_name = value,
                "groups" => m.groups = vec![value],
                _ => {}
            }
        }
        m
    }
}

/// The tenant id of an Entra issuer, which must be tenant-specific:
/// `https://login.microsoftonline.com/{tenant-guid}/v2.0`. The multi-tenant endpoints
/// (`common`, `organizations`, `consumers`) would accept users of any tenant.
pub fn entra_tenant(issuer: &str) -> Result<&str, String> {
    let tid = issuer
        .strip_prefix("https://login.microsoftonline.com/")
        .and_then(|rest| rest.strip_suffix("/v2.0"))
        .filter(|t| is_guid(t))
        .ok_or_else(|| {
            "an Entra issuer must be tenant-specific: https://login.microsoftonline.com/{tenant id}/v2.0"
                .to_owned()
        })?;
    Ok(tid)
}

fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// What the organization allows.
#[derive(Debug)]
pub struct ClaimPolicy<'a> {
    pub provider: Provider,
    pub mapping: &'a ClaimMapping,
    pub allowed_email_domains: &'a [String],
    /// The configured issuer (for Entra's tenant check).
    pub issuer: &'a str,
}

/// Who the verified token says the user is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OidcIdentity {
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub groups: Vec<String>,
}

fn text(claims: &Claims, name: &str) -> Option<String> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn domain_of(email: &str) -> Option<String> {
    crate::domain::Email::parse(email).ok().map(|e| e.domain())
}

fn domain_listed(domain: &str, allowed: &[String]) -> bool {
    allowed
        .iter()
        .any(|a| a.trim().eq_ignore_ascii_case(domain))
}

/// Reads the identity and applies the organization's rules, in order: subject, Entra tenant,
/// email_verified, allowed email domains, Google hosted domain; then groups.
pub fn identity_from_claims(
    claims: &Claims,
    policy: &ClaimPolicy<'_>,
) -> Result<OidcIdentity, OidcReason> {
    // `sub` is required, at most 255 ASCII characters (OIDC Core §2).
    let subject = text(claims, "sub")
        .filter(|s| s.len() <= 255)
        .ok_or(OidcReason::SubjectMissing)?;
    if policy.provider == Provider::Entra {
        let tid = entra_tenant(policy.issuer).map_err(|_| OidcReason::TenantMismatch)?;
        if text(claims, "tid").is_some_and(|t| !t.eq_ignore_ascii_case(tid)) {
            return Err(OidcReason::TenantMismatch);
        }
    }
    let email = text(claims, &policy.mapping.email).filter(|e| domain_of(e).is_some());
    // §5.1: when the provider says whether the address was verified, it must say yes.
    match claims.get("email_verified") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::String(s)) if s == "true" => {}
        Some(_) => return Err(OidcReason::EmailNotVerified),
    }
    if !policy.allowed_email_domains.is_empty() {
        let domain = email
            .as_deref()
            .and_then(domain_of)
            .ok_or(OidcReason::EmailMissing)?;
        if !domain_listed(&domain, policy.allowed_email_domains) {
            return Err(OidcReason::EmailDomainNotAllowed);
        }
        // Google: `hd` names the Workspace domain; a consumer account has none.
        if policy.provider == Provider::Google {
            let hd = text(claims, "hd").map(|h| h.to_ascii_lowercase());
            if !hd.is_some_and(|h| domain_listed(&h, policy.allowed_email_domains)) {
                return Err(OidcReason::HostedDomainNotAllowed);
            }
        }
    }
    Ok(OidcIdentity {
        subject,
        email,
        name: text(claims, &policy.mapping.name),
        given_name: text(claims, &policy.mapping.given_name),
        family_name: text(claims, &policy.mapping.family_name),
        groups: groups(claims, &policy.mapping.groups),
    })
}

/// Group names from every groups claim: arrays of strings or one string; others ignored.
fn groups(claims: &Claims, names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (claim, value) in claims {
        let wanted = names.iter().any(|n| match n.strip_prefix('*') {
            Some(suffix) => claim.starts_with("http") && claim.ends_with(suffix),
            None => claim == n,
        });
        if !wanted {
            continue;
        }
        let values: Vec<&str> = match value {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for g in values.into_iter().map(str::trim).filter(|g| !g.is_empty()) {
            if out.len() < MAX_GROUPS && !out.iter().any(|o| o == g) {
                out.push(g.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
