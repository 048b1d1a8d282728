//! Authorization codes of the OpenID provider (CONTRACT.md §13; RFC 6749 §4.1, RFC 7636,
//! OIDC Core §3.1): issued from a live session at the authorize endpoint, redeemed once at the
//! token endpoint for an access token and an ID token. Shared by the op/ surface (issuing)
//! and tokens/ (redeeming), so it lives in this layer.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::access_token::{issue_with_jti, new_jti, org_admin_subject, NewAccessToken};
use super::client_auth::AuthedClient;
use super::id_token::{sign_id_token, IdTokenClaims};
use crate::domain::{generate_secret, hash_secret, OrgId, SecretKind};
use crate::jose::Alg;
use crate::state::AppState;
use crate::store::{AuthCodeRecord, NewAuthCode, SessionRecord, StoreResult};

/// OIDC Core §3.1.2.1 / RFC 6749 §4.1.2: short-lived; the contract fixes 60 s.
pub const CODE_TTL_MS: i64 = 60_000;

/// What the authorize endpoint validated and binds the code to.
#[derive(Debug)]
pub struct CodeRequest<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub nonce: Option<&'a str>,
    pub scope: &'a str,
}

/// The `amr` value (RFC 8176 §2 names `pwd`; `saml` and `oidc` say which federation ran).
pub fn amr_of(auth_method: &str) -> &'static str {
    match auth_method {
        "saml" => "saml",
        "oidc" => "oidc",
        _ => "pwd",
    }
}

/// Stores a new code for the session's principal and returns it (256 random bits; only its
/// SHA-256 is kept).
pub async fn issue_code(
    state: &AppState,
    org: &OrgId,
    session: &SessionRecord,
    req: &CodeRequest<'_>,
) -> StoreResult<String> {
    let code = generate_secret(SecretKind::Session);
    let now = state.clock.now_ms();
    let subject = if session.principal_type == "user" {
        session.principal_id.clone()
    } else {
        org_admin_subject(org)
    };
    let new = NewAuthCode {
        code_hash: &hash_secret(&code),
        client_id: req.client_id,
        redirect_uri: req.redirect_uri,
        code_challenge: req.code_challenge,
        nonce: req.nonce,
        scope: req.scope,
        principal_type: &session.principal_type,
        subject: &subject,
        email: session.email.as_deref(),
        name: session.name.as_deref(),
        roles_json: &session.roles,
        amr: amr_of(&session.auth_method),
        auth_time: session.created_at,
        expires_at: now + CODE_TTL_MS,
    };
    state.store.insert_auth_code(org, &new, now).await?;
    Ok(code)
}

/// Why a code was not redeemed: all `invalid_grant` (RFC 6749 §5.2), told apart for metrics
/// and the audit (a fixed set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantRefusal {
    UnknownCode,
    CodeReused,
    OtherClient,
    RedirectUriMismatch,
    Expired,
    MissingVerifier,
    WrongVerifier,
    /// Deactivated (or deleted) in the directory since the code was issued.
    UserInactive,
}

impl GrantRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownCode => "unknown_code",
            Self::CodeReused => "code_reused",
            Self::OtherClient => "code_of_other_client",
            Self::RedirectUriMismatch => "redirect_uri_mismatch",
            Self::Expired => "code_expired",
            Self::MissingVerifier => "missing_code_verifier",
            Self::WrongVerifier => "wrong_code_verifier",
            Self::UserInactive => "user_deactivated",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::UnknownCode => "the authorization code is not valid",
            Self::CodeReused => {
                "the authorization code was already used; the tokens issued from it are revoked"
            }
            Self::OtherClient => "the authorization code was issued to another client",
            Self::RedirectUriMismatch => {
                "redirect_uri differs from the one of the authorization request"
            }
            Self::Expired => "the authorization code has expired",
            Self::MissingVerifier => "code_verifier is required (PKCE, RFC 7636 §4.5)",
            Self::WrongVerifier => "code_verifier does not match the code_challenge",
            Self::UserInactive => "the user is no longer active in the organization's directory",
        }
    }
}

/// What a redeemed code yields.
#[derive(Debug)]
pub struct Redeemed {
    pub access_token: String,
    pub id_token: String,
    pub expires_in: i64,
    pub scope: String,
    pub subject: String,
}

/// RFC 7636 §4.1: 43 to 128 unreserved characters.
fn verifier_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn check_binding(
    code: &AuthCodeRecord,
    client: &AuthedClient,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
    now: i64,
) -> Result<(), GrantRefusal> {
    if code.client_id != client.client.client_id || code.org_id != client.org.as_str() {
        return Err(GrantRefusal::OtherClient);
    }
    if code.expires_at <= now {
        return Err(GrantRefusal::Expired);
    }
    // RFC 6749 §4.1.3: required when the authorization request carried it (ours always did).
    if redirect_uri != Some(code.redirect_uri.as_str()) {
        return Err(GrantRefusal::RedirectUriMismatch);
    }
    let verifier = verifier.ok_or(GrantRefusal::MissingVerifier)?;
    let expected = s256_challenge(verifier);
    let matches: bool =
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.code_challenge.as_bytes()).into();
    if !verifier_well_formed(verifier) || !matches {
        return Err(GrantRefusal::WrongVerifier);
    }
    Ok(())
}

/// Redeems `code` for `client`. A code presented again after its first redemption revokes
/// the access token the first one got (RFC 6749 §4.1.2, §10.5).
pub async fn redeem(
    state: &AppState,
    client: &AuthedClient,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<Result<Redeemed, GrantRefusal>, String> {
    let store_err = |e: crate::store::StoreError| e.to_string();
    let now = state.clock.now_ms();
    let code_hash = hash_secret(code);
    let Some(found) = state
        .store
        .find_auth_code(&code_hash)
        .await
        .map_err(store_err)?
    else {
        return Ok(Err(GrantRefusal::UnknownCode));
    };
    if found.used_at.is_some() {
        revoke_issued(state, &found).await.map_err(store_err)?;
        return Ok(Err(GrantRefusal::CodeReused));
    }
    if let Err(refusal) = check_binding(&found, client, redirect_uri, verifier, now) {
        return Ok(Err(refusal));
    }
    if found.principal_type == "user" && !user_active(state, client, &found.subject).await? {
        return Ok(Err(GrantRefusal::UserInactive));
    }
    let jti = new_jti();
    if !state
        .store
        .consume_auth_code(&code_hash, &jti, now)
        .await
        .map_err(store_err)?
    {
        // Another redemption won the race (maybe on another replica): both lose.
        if let Some(winner) = state
            .store
            .find_auth_code(&code_hash)
            .await
            .map_err(store_err)?
        {
            revoke_issued(state, &winner).await.map_err(store_err)?;
        }
        return Ok(Err(GrantRefusal::CodeReused));
    }
    mint(state, client, &found, &jti).await.map(Ok)
}

async fn user_active(state: &AppState, client: &AuthedClient, id: &str) -> Result<bool, String> {
    Ok(state
        .store
        .get_user(&client.org, id)
        .await
        .map_err(|e| e.to_string())?
        .is_some_and(|u| u.active()))
}

async fn revoke_issued(state: &AppState, code: &AuthCodeRecord) -> StoreResult<()> {
    let Some(jti) = code.access_jti.as_deref() else {
        return Ok(());
    };
    let Ok(org) = OrgId::parse(&code.org_id) else {
        return Ok(());
    };
    let longest = crate::state::keyring::MAX_TOKEN_TTL_SECS * 1000;
    state
        .store
        .revoke_token(&org, jti, code.expires_at + longest)
        .await
}

async fn mint(
    state: &AppState,
    client: &AuthedClient,
    code: &AuthCodeRecord,
    jti: &str,
) -> Result<Redeemed, String> {
    let alg = Alg::parse(&client.client.signing_alg).unwrap_or(Alg::Rs256);
    let ttl = client.client.token_ttl_secs;
    let roles: Vec<String> = serde_json::from_str(&code.roles).unwrap_or_default();
    let audience = client
        .audiences()
        .first()
        .cloned()
        .unwrap_or_else(|| state.settings.public_url.clone());
    let access = NewAccessToken {
        org: &client.org,
        subject: &code.subject,
        client_id: &client.client.client_id,
        secret_id: client.secret_id.as_deref(),
        audience: &audience,
        scope: &code.scope,
        roles: &roles,
        ttl_secs: ttl,
        alg,
    };
    let access_token = issue_with_jti(state, &access, jti).await?;
    let id = IdTokenClaims {
        org: &client.org,
        subject: &code.subject,
        client_id: &client.client.client_id,
        nonce: code.nonce.as_deref(),
        auth_time_ms: code.auth_time,
        amr: &code.amr,
        email: code.email.as_deref(),
        email_verified: code.principal_type == "user",
        name: code.name.as_deref(),
        roles: &roles,
        ttl_secs: ttl,
        alg,
    };
    let id_token = sign_id_token(state, &id).await?;
    Ok(Redeemed {
        access_token,
        id_token,
        expires_in: ttl,
        scope: code.scope.clone(),
        subject: code.subject.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_appendix_b_verifier_gives_its_challenge() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256_challenge(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verifier_well_formed(verifier));
        assert!(!verifier_well_formed("short"));
        assert!(!verifier_well_formed(&"a".repeat(129)));
        assert!(!verifier_well_formed(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn amr_names_the_federation_or_the_password() {
        assert_eq!(amr_of("saml"), "saml");
        assert_eq!(amr_of("oidc"), "oidc");
        assert_eq!(amr_of("password"), "pwd");
    }
}
