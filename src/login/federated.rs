//! The path after a validated SAML assertion or OIDC ID token, shared by both protocols:
//! email-domain rule, link to the directory user with the same userName or email (or create
//! one just in time), roles (CONTRACT.md §5), a fresh session committed with its audit row
//! (`sign_in.rs`), 303 to return_to.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use serde_json::json;

use crate::domain::fold_identity;
use crate::domain::OrgId;
use crate::federation::config::SsoConfig;
use crate::federation::failure::{FixSide, SsoFailure};
use crate::http::session_cookie::session_cookie;
use crate::login::sessions::SessionPrincipal;
use crate::login::sign_in::{commit_sign_in, SignInContext};
use crate::roles::{resolve_roles, RoleResolution};
use crate::state::AppState;
use crate::store::{NewJitUser, SsoUserRecord, StoreError};

/// Who the IdP says the user is, protocol-neutral.
#[derive(Clone, Debug, Default)]
pub struct FederatedIdentity {
    /// The OIDC issuer: an identity with one is linked by (issuer, subject) once linked.
    /// None for SAML, whose NameID is often the email itself and changes with it.
    pub issuer: Option<String>,
    /// NameID (SAML) or `sub` (OIDC): the userName when there is no email.
    pub subject: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    /// Group names the IdP sent.
    pub groups: Vec<String>,
}

/// What the caller gets back: the redirect with the cookie, and the principal for the audit.
pub struct LoginSuccess {
    pub response: HttpResponse,
    pub user_id: String,
    pub user_name: String,
    pub roles: Vec<String>,
}

fn refuse(status: StatusCode, code: &'static str, side: FixSide, message: &str) -> SsoFailure {
    SsoFailure::new(status, code, side, message)
}

fn store_failure(e: StoreError) -> SsoFailure {
    tracing::warn!(error = %e, "store error during SSO login");
    SsoFailure::service_unavailable()
}

/// The email-like value of the identity: the email attribute, else an email-shaped subject.
pub fn email_of(identity: &FederatedIdentity) -> Option<String> {
    identity
        .email
        .clone()
        .or_else(|| {
            identity
                .subject
                .contains('@')
                .then(|| identity.subject.clone())
        })
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
}

pub fn domain_allowed(config: &SsoConfig, email: Option<&str>) -> bool {
    if config.allowed_email_domains.is_empty() {
        return true;
    }
    let Some(domain) = email
        .and_then(|e| crate::domain::Email::parse(e).ok())
        .map(|e| e.domain())
    else {
        return false;
    };
    config.allowed_email_domains.contains(&domain)
}

fn jit_resource(user_name: &str, identity: &FederatedIdentity, email: Option<&str>) -> String {
    let mut resource = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "active": true,
    });
    let mut name = serde_json::Map::new();
    if let Some(g) = &identity.first_name {
        name.insert("givenName".into(), json!(g));
    }
    if let Some(f) = &identity.last_name {
        name.insert("familyName".into(), json!(f));
    }
    if !name.is_empty() {
        resource["name"] = serde_json::Value::Object(name);
    }
    if let Some(d) = &identity.display_name {
        resource["displayName"] = json!(d);
    }
    if let Some(e) = email {
        resource["emails"] = json!([{"value": e, "type": "work", "primary": true}]);
    }
    resource.to_string()
}

async fn find_or_create_user(
    state: &AppState,
    org: &OrgId,
    config: &SsoConfig,
    identity: &FederatedIdentity,
    email: Option<&str>,
    source: &str,
) -> Result<SsoUserRecord, SsoFailure> {
    if let Some(issuer) = identity.issuer.as_deref() {
        let linked = state
            .store
            .find_linked_user(org, issuer, &identity.subject)
            .await
            .map_err(store_failure)?;
        if let Some(user) = linked {
            return Ok(user);
        }
    }
    let user = find_or_create_unlinked(state, org, config, identity, email, source).await?;
    if let Some(issuer) = identity.issuer.as_deref() {
        link(state, org, issuer, &identity.subject, &user.id).await?;
    }
    Ok(user)
}

/// Links a first-seen (issuer, subject) to the user it matched, unless that user is
/// linked to another subject of the same issuer: then the email or userName match is a
/// coincidence (or an attack), not the same person.
async fn link(
    state: &AppState,
    org: &OrgId,
    issuer: &str,
    subject: &str,
    user_id: &str,
) -> Result<(), SsoFailure> {
    let store = &state.store;
    if store
        .user_has_link(org, issuer, user_id)
        .await
        .map_err(store_failure)?
    {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "identity_conflict",
            FixSide::IdentityProvider,
            "this email or userName belongs to a user linked to another identity of this provider",
        ));
    }
    store
        .link_identity(org, issuer, subject, user_id, state.clock.now_ms())
        .await
        .map_err(store_failure)
}

async fn find_or_create_unlinked(
    state: &AppState,
    org: &OrgId,
    config: &SsoConfig,
    identity: &FederatedIdentity,
    email: Option<&str>,
    source: &str,
) -> Result<SsoUserRecord, SsoFailure> {
    let user_name = email.unwrap_or(&identity.subject).to_owned();
    let email_lc = email.map(fold_identity);
    let found = state
        .store
        .find_user_for_sso(org, &fold_identity(&user_name), email_lc.as_deref())
        .await
        .map_err(store_failure)?;
    if let Some(user) = found {
        return Ok(user);
    }
    if !config.jit_provisioning {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "user_not_provisioned",
            FixSide::ServiceConfiguration,
            "this user is not provisioned in the organization and just-in-time provisioning is off",
        ));
    }
    let display = identity.display_name.clone().or_else(|| {
        match (&identity.first_name, &identity.last_name) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(n), None) | (None, Some(n)) => Some(n.clone()),
            _ => None,
        }
    });
    let resource = jit_resource(&user_name, identity, email);
    let new = NewJitUser {
        user_name: &user_name,
        email,
        display_name: display.as_deref(),
        source,
        resource: &resource,
    };
    match state
        .store
        .insert_jit_user(org, &new, state.clock.now_ms())
        .await
    {
        Ok(user) => Ok(user),
        // Two logins of a new user raced: the other created it; link to that row.
        Err(StoreError::Conflict(_)) => state
            .store
            .find_user_for_sso(org, &fold_identity(&user_name), email_lc.as_deref())
            .await
            .map_err(store_failure)?
            .ok_or_else(SsoFailure::service_unavailable),
        Err(e) => Err(store_failure(e)),
    }
}

/// Completes a login whose assertion or token was validated.
pub async fn complete_login(
    state: &AppState,
    org: &OrgId,
    config: &SsoConfig,
    identity: &FederatedIdentity,
    protocol: &str,
    return_to: &str,
    ctx: SignInContext<'_>,
) -> Result<LoginSuccess, SsoFailure> {
    let email = email_of(identity);
    if !domain_allowed(config, email.as_deref()) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "email_domain_not_allowed",
            FixSide::ServiceConfiguration,
            "the user's email domain is not in this organization's allowed_email_domains",
        ));
    }
    let user =
        find_or_create_user(state, org, config, identity, email.as_deref(), protocol).await?;
    if !user.active {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "user_deactivated",
            FixSide::ServiceConfiguration,
            "this user is deactivated in the organization's directory",
        ));
    }
    let scim_groups = state
        .store
        .user_group_names(org, &user.id)
        .await
        .map_err(store_failure)?;
    let groups = identity
        .groups
        .iter()
        .chain(scim_groups.iter())
        .map(String::as_str);
    let roles = match resolve_roles(
        groups,
        &config.role_mappings(),
        config.default_role.as_deref(),
    ) {
        RoleResolution::Roles(roles) => roles,
        RoleResolution::NoRole => {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "no_role",
                FixSide::ServiceConfiguration,
                "none of the user's groups maps to a role and there is no default role",
            ));
        }
    };
    let name = user
        .display_name
        .clone()
        .or_else(|| identity.display_name.clone());
    let who = SessionPrincipal {
        principal_type: "user",
        principal_id: &user.id,
        email: email.as_deref().or(user.email_lc.as_deref()),
        name: name.as_deref(),
        roles: &roles,
        auth_method: protocol,
        idp_groups: Some(&identity.groups),
    };
    let session = commit_sign_in(state, org, protocol, &who, &user.user_name, ctx).await?;
    let response = HttpResponse::build(StatusCode::SEE_OTHER)
        .insert_header((header::LOCATION, return_to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(session_cookie(
            session.cookie_value,
            state.settings.session_absolute_timeout_secs,
            &state.settings,
        ))
        .finish();
    Ok(LoginSuccess {
        response,
        user_id: user.id,
        user_name: user.user_name,
        roles,
    })
}

/// A `return_to` that is a relative path on this service, else `/` (CONTRACT.md §7).
pub fn safe_return_to(raw: Option<&str>) -> String {
    match raw {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                // Browsers drop tabs and newlines inside URLs, so "/\t/evil" would become
                // "//evil": refuse every control character, not only CR and LF.
                && !p.contains('\\')
                && !p.chars().any(char::is_control)
                && p.len() <= 1024 =>
        {
            percent_encode_non_ascii(p)
        }
        _ => "/".to_owned(),
    }
}

/// A `Location` header value is ASCII (RFC 9110 §5.5): non-ASCII characters of a path go
/// percent-encoded as UTF-8 (RFC 3986 §2.5), as browsers send them.
fn percent_encode_non_ascii(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_must_be_a_relative_path() {
        assert_eq!(safe_return_to(Some("/app?x=1")), "/app?x=1");
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil",
            "app",
            "/\t/evil.test",
            "/\n/evil",
        ] {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_to(None), "/");
        assert_eq!(safe_return_to(Some("/café?q=ü")), "/caf%C3%A9?q=%C3%BC");
    }
}
