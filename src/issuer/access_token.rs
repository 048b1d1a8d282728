//! RFC 9068 access tokens: what axid puts in them and how any surface checks one (a
//! signature of the ring, `typ` `at+jwt`, this issuer, unexpired, and a principal that is
//! still allowed: client enabled, secret not revoked, user active, organization active).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::clock::Millis;
use crate::domain::OrgId;
use crate::jose::{Alg, JwsError};
use crate::state::{jwt_cache, AppState};
use crate::store::StoreResult;

pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// What goes into a new access token.
#[derive(Debug)]
pub struct NewAccessToken<'a> {
    pub org: &'a OrgId,
    /// `client_id` for a client's own token, the axid user id for a user (§13).
    pub subject: &'a str,
    pub client_id: &'a str,
    /// The client secret the token was minted with: revoking it ends the token too.
    pub secret_id: Option<&'a str>,
    pub audience: &'a str,
    pub scope: &'a str,
    pub roles: &'a [String],
    pub ttl_secs: i64,
    pub alg: Alg,
}

/// The `sub` of a token or ID token for an organization's break-glass admin (a password
/// session, CONTRACT.md §4): not a directory user, and never equal to a user id (UUIDs).
pub fn org_admin_subject(org: &OrgId) -> String {
    format!("org_admin:{org}")
}

/// A fresh `jti`.
pub fn new_jti() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Signs a new access token.
pub async fn issue(state: &AppState, t: &NewAccessToken<'_>) -> Result<String, String> {
    issue_with_jti(state, t, &new_jti()).await
}

/// A client credentials token (RFC 6749 §4.4): the token last handed out for the same
/// client, secret, audience, scope, algorithm and lifetime is handed out again while more
/// than a fifth of its lifetime remains, its roles are still the client's and the key that
/// signed it still signs (after a rotation the next request signs anew). Returns the token
/// and its `exp` in milliseconds. Why reuse at all: an RSA-2048 signature is most of a
/// request's cost, and services that fetch a token per call are common; Entra ID answers
/// repeated client credentials requests the same way. A reused token is the same JWT (one
/// `jti`), so revoking the client or its secret ends it like any other.
/// ACCESS_TOKEN_REUSE=false signs every time.
pub async fn issue_reusable(
    state: &AppState,
    t: &NewAccessToken<'_>,
) -> Result<(Arc<str>, Millis), String> {
    let now = state.clock.now_ms();
    if !state.settings.access_token_reuse {
        let token = issue(state, t).await?;
        return Ok((token.into(), (now / 1000 + t.ttl_secs) * 1000));
    }
    let cache = &state.issuer.access_token_cache;
    let key = format!(
        "{}|{}|{}|{}|{}|{}|{}",
        t.org,
        t.client_id,
        t.secret_id.unwrap_or("-"),
        t.audience,
        t.scope,
        t.alg.as_str(),
        t.ttl_secs
    );
    let kid = state.issuer.keyring.signing_kid(t.alg, now);
    let fingerprint = jwt_cache::fingerprint(&[&t.roles.join(","), kid.as_deref().unwrap_or("")]);
    if let Some(found) = cache.get_with_expiry(&key, fingerprint, now) {
        return Ok(found);
    }
    let token: Arc<str> = issue(state, t).await?.into();
    let expires_at = (now / 1000 + t.ttl_secs) * 1000;
    if let Some(kid) = state.issuer.keyring.signing_kid(t.alg, now) {
        let fingerprint = jwt_cache::fingerprint(&[&t.roles.join(","), &kid]);
        cache.put(key, fingerprint, token.clone(), now, expires_at);
    }
    Ok((token, expires_at))
}

/// Signs a new access token under a `jti` chosen first (the authorization code grant
/// records it before signing, so a replayed code can revoke the token).
pub async fn issue_with_jti(
    state: &AppState,
    t: &NewAccessToken<'_>,
    jti: &str,
) -> Result<String, String> {
    let now = state.clock.now_ms();
    let iat = now / 1000;
    let mut claims = json!({
        "iss": state.settings.public_url,
        "sub": t.subject,
        "aud": t.audience,
        "client_id": t.client_id,
        "org_id": t.org.as_str(),
        "scope": t.scope,
        "roles": t.roles,
        "iat": iat,
        "exp": iat + t.ttl_secs,
        "jti": jti,
    });
    if let (Some(id), Some(map)) = (t.secret_id, claims.as_object_mut()) {
        map.insert("secret_id".into(), json!(id));
    }
    state
        .issuer
        .keyring
        .sign(&state.store, now, t.alg, ACCESS_TOKEN_TYP, &claims)
        .await
}

/// Why a presented access token is not accepted (fixed set: metrics labels).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    Malformed,
    BadSignature,
    WrongType,
    WrongIssuer,
    Expired,
    /// Client disabled or deleted, secret revoked, user deactivated, org suspended.
    Revoked,
}

impl TokenRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::BadSignature => "bad_signature",
            Self::WrongType => "wrong_type",
            Self::WrongIssuer => "wrong_issuer",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// A checked access token.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub org: OrgId,
    pub subject: String,
    pub client_id: String,
    pub is_client: bool,
    pub audiences: Vec<String>,
    pub roles: Vec<String>,
    pub exp: i64,
    pub claims: Map<String, Value>,
}

/// Checks a presented token. `Ok(Err(_))` is a refusal; `Err(_)` a database failure.
pub async fn check(
    state: &AppState,
    token: &str,
) -> StoreResult<Result<AccessToken, TokenRefusal>> {
    let now = state.clock.now_ms();
    let token = match verified_claims(state, token, now).await {
        Ok(token) => token,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let secret_id = token.claims.get("secret_id").and_then(Value::as_str);
    let mut live = state
        .store
        .client_token_live(&token.org, &token.client_id, secret_id)
        .await?;
    if live && !token.is_client {
        live = user_token_live(state, &token).await?;
    }
    Ok(if live {
        Ok(token)
    } else {
        Err(TokenRefusal::Revoked)
    })
}

/// The claims of a token whose signature, `typ` and issuer are right: remembered per replica
/// once checked (state/verified_tokens.rs), with `exp` checked on every use.
async fn verified_claims(
    state: &AppState,
    token: &str,
    now: Millis,
) -> Result<AccessToken, TokenRefusal> {
    if let Some(claims) = state.issuer.verified_tokens.get(token, now) {
        return read_claims((*claims).clone(), state, now);
    }
    let (header, claims) = match state.issuer.keyring.verify(&state.store, now, token).await {
        Ok(parsed) => parsed,
        Err(JwsError::BadSignature | JwsError::UnknownKey | JwsError::UnsupportedAlg) => {
            return Err(TokenRefusal::BadSignature)
        }
        Err(JwsError::Malformed) => return Err(TokenRefusal::Malformed),
    };
    // RFC 9068 §4: `typ` must be at+jwt (or its media type form), so an ID token or a
    // verify JWT of the same key ring is never taken for an access token.
    let typ_ok = header.typ.as_deref().is_some_and(|t| {
        t.eq_ignore_ascii_case(ACCESS_TOKEN_TYP) || t.eq_ignore_ascii_case("application/at+jwt")
    });
    if !typ_ok {
        return Err(TokenRefusal::WrongType);
    }
    let checked = read_claims(claims, state, now)?;
    state
        .issuer
        .verified_tokens
        .put(token, checked.claims.clone(), checked.exp * 1000, now);
    Ok(checked)
}

/// A user's token (§13): the user is still active in the directory (the org admin is not a
/// directory user), and the token was not revoked by a replayed authorization code.
async fn user_token_live(state: &AppState, token: &AccessToken) -> StoreResult<bool> {
    let admin = token.subject == org_admin_subject(&token.org);
    if !admin {
        let active = state
            .store
            .get_user(&token.org, &token.subject)
            .await?
            .is_some_and(|u| u.active_flag == 1);
        if !active {
            return Ok(false);
        }
    }
    match token.claims.get("jti").and_then(Value::as_str) {
        Some(jti) => Ok(!state.store.token_revoked(&token.org, jti).await?),
        None => Ok(true),
    }
}

fn read_claims(
    claims: Map<String, Value>,
    state: &AppState,
    now: Millis,
) -> Result<AccessToken, TokenRefusal> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    if text("iss").as_deref() != Some(state.settings.public_url.as_str()) {
        return Err(TokenRefusal::WrongIssuer);
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(TokenRefusal::Malformed)?;
    if exp * 1000 <= now {
        return Err(TokenRefusal::Expired);
    }
    let org = text("org_id")
        .and_then(|o| OrgId::parse(&o).ok())
        .ok_or(TokenRefusal::Malformed)?;
    let subject = text("sub").ok_or(TokenRefusal::Malformed)?;
    let client_id = text("client_id").ok_or(TokenRefusal::Malformed)?;
    let audiences = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => return Err(TokenRefusal::Malformed),
    };
    let roles = claims
        .get("roles")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(AccessToken {
        is_client: subject == client_id,
        org,
        subject,
        client_id,
        audiences,
        roles,
        exp,
        claims,
    })
}
