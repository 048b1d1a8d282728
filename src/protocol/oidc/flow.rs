//! The secrets of one authorization code flow: `state` (CSRF, OIDC Core 1.0 §3.1.2.1),
//! `nonce` (replay, §3.1.2.1 and §15.5.2), the PKCE verifier and S256 challenge (RFC 7636
//! §4.1-4.2), and the browser binding: a random value in a short-lived HttpOnly cookie whose
//! hash is stored with the flow, so a state only completes in the browser that started it.

use actix_web::cookie::Cookie;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::domain::{generate_secret, hash_secret, OrgId, SecretKind};
pub use crate::protocol::binding::binding_matches;
use crate::protocol::binding::Return;

/// How long a started login may take at the provider.
pub const FLOW_TTL_SECS: i64 = 600;
/// The cookie that binds a flow to its browser.
pub const FLOW_COOKIE: &str = "axid_oidc_flow";

/// Fresh secrets for one login. Never logged.
pub struct NewFlowSecrets {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl NewFlowSecrets {
    /// 256 random bits each; the verifier is 43 base64url characters, within RFC 7636
    /// §4.1's 43 to 128 unreserved characters.
    pub fn generate() -> Self {
        Self {
            state: generate_secret(SecretKind::Session),
            nonce: generate_secret(SecretKind::Session),
            pkce_verifier: generate_secret(SecretKind::Session),
        }
    }
}

impl std::fmt::Debug for NewFlowSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewFlowSecrets(<redacted>)")
    }
}

/// `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The key a flow is stored under: the state itself never reaches the database.
pub fn state_hash(state: &str) -> String {
    hash_secret(state)
}

/// The binding cookie, scoped to this organization's OIDC paths. SameSite=Lax: the
/// provider's redirect back is a top-level GET, which Lax cookies accompany.
pub fn binding_cookie(org: &OrgId, value: String, settings: &Settings) -> Cookie<'static> {
    crate::protocol::binding::binding_cookie(
        FLOW_COOKIE,
        format!("/auth/oidc/{org}/"),
        value,
        FLOW_TTL_SECS,
        Return::TopLevelGet,
        settings,
    )
}

/// The redirect URI registered at the provider for this organization.
pub fn redirect_uri(settings: &Settings, org: &OrgId) -> String {
    format!("{}/auth/oidc/{org}/callback", settings.public_url)
}

/// The authentication request (OIDC Core §3.1.2.1) with PKCE (RFC 7636 §4.3), added to the
/// provider's authorization endpoint, keeping any query it already has.
pub fn authorization_url(
    endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    secrets: &NewFlowSecrets,
) -> Result<String, url::ParseError> {
    let mut url = url::Url::parse(endpoint)?;
    let mut scope: Vec<&str> = vec!["openid"];
    scope.extend(scopes.iter().map(String::as_str).filter(|s| *s != "openid"));
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &scope.join(" "))
        .append_pair("state", &secrets.state)
        .append_pair("nonce", &secrets.nonce)
        .append_pair("code_challenge", &pkce_challenge(&secrets.pkce_verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

/// The hints an OpenID provider request passes on (CONTRACT.md §13; OIDC Core §3.1.2.1):
/// `prompt=login` and `login_hint`, added to an authentication request URL.
pub fn with_hints(url: String, force_login: bool, login_hint: Option<&str>) -> String {
    if !force_login && login_hint.is_none() {
        return url;
    }
    let Ok(mut parsed) = url::Url::parse(&url) else {
        return url;
    };
    {
        let mut q = parsed.query_pairs_mut();
        if force_login {
            q.append_pair("prompt", "login");
        }
        if let Some(hint) = login_hint {
            q.append_pair("login_hint", hint);
        }
    }
    parsed.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_authorization_url_carries_state_nonce_and_s256_and_keeps_the_endpoints_query() {
        let s = NewFlowSecrets::generate();
        let url = authorization_url(
            "https://idp.example/authorize?tenant=x",
            "c1",
            "https://axid.example/auth/oidc/acme/callback",
            &["email".into(), "openid".into(), "groups".into()],
            &s,
        )
        .unwrap();
        let parsed = url::Url::parse(&url).unwrap();
        let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(q["tenant"], "x");
        assert_eq!(q["scope"], "openid email groups");
        assert_eq!(q["state"], s.state);
        assert_eq!(q["nonce"], s.nonce);
        assert_eq!(q["code_challenge"], pkce_challenge(&s.pkce_verifier));
        assert_eq!(q["code_challenge_method"], "S256");
        assert_ne!(s.state, s.nonce);
    }
}
