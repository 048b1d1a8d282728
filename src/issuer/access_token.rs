//! RFC 9068 access tokens: what axid puts in them and how any surface checks one (a
//! signature of the ring, `typ` `at+jwt`, this issuer, unexpired, and a principal that is
//! still allowed: client enabled, secret not revoked, user active, organization active).

use serde_json::{json, Map, Value};

use crate::clock::Millis;
use crate::domain::OrgId;
use crate::jose::{Alg, JwsError};
use crate::state::AppState;
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
    let parsed = match state.issuer.keyring.verify(&state.store, now, token).await {
        Ok(parsed) => parsed,
        Err(JwsError::BadSignature | JwsError::UnknownKey | JwsError::UnsupportedAlg) => {
            return Ok(Err(TokenRefusal::BadSignature))
        }
        Err(JwsError::Malformed) => return Ok(Err(TokenRefusal::Malformed)),
    };
    let (header, claims) = parsed;
    // RFC 9068 §4: `typ` must be at+jwt (or its media type form), so an ID token or a
    // verify JWT of the same key ring is never taken for an access token.
    let typ_ok = header.typ.as_deref().is_some_and(|t| {
        t.eq_ignore_ascii_case(ACCESS_TOKEN_TYP) || t.eq_ignore_ascii_case("application/at+jwt")
    });
    if !typ_ok {
        return Ok(Err(TokenRefusal::WrongType));
    }
    let token = match read_claims(claims, state, now) {
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
