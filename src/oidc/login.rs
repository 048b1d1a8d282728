//! The relying party's two steps, free of HTTP-framework types: `begin` stores a flow and
//! builds the authentication request; `finish` takes the callback's query and the
//! browser's binding cookie through every check to a verified identity. Time is a
//! parameter; routes (and the shared after-login path) sit on top.

use crate::clock::Millis;
use crate::config::Secret;
use crate::domain::{hash_secret, OrgId};
use crate::login::federated::safe_return_to;
use crate::protocol::oidc::claims::{identity_from_claims, ClaimPolicy, OidcIdentity};
use crate::protocol::oidc::discovery::ProviderMetadata;
use crate::protocol::oidc::flow::{self, NewFlowSecrets, FLOW_TTL_SECS};
use crate::protocol::oidc::id_token::{self, Expected};
use crate::protocol::oidc::reason::OidcReason;
use crate::protocol::oidc::runtime::OidcRuntime;
use crate::protocol::oidc::token::{exchange_code, CodeExchange};
use crate::store::{NewOidcFlow, Store, StoreError};

/// One organization's relying-party settings.
#[derive(Debug)]
pub struct RelyingParty<'a> {
    pub org: &'a OrgId,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a Secret,
    pub scopes: &'a [String],
    pub redirect_uri: &'a str,
    /// Clock difference tolerated on `exp`, `nbf` and `iat`.
    pub skew_secs: i64,
    pub claims: ClaimPolicy<'a>,
}

#[derive(Debug)]
pub enum LoginError {
    /// Refused, with the typed reason and a sentence safe for the audit event.
    Refused { reason: OidcReason, detail: String },
    /// The database failed: 503, not the user's fault.
    Store(StoreError),
}

impl From<StoreError> for LoginError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn refuse(reason: OidcReason, detail: impl Into<String>) -> LoginError {
    LoginError::Refused {
        reason,
        detail: detail.into(),
    }
}

/// Where the browser goes, and the binding value for its cookie.
#[derive(Debug)]
pub struct Started {
    pub authorization_url: String,
    pub binding: String,
}

/// Starts a login: stores the flow (state hash, binding hash, nonce, verifier) and returns
/// the authentication request URL.
pub async fn begin(
    rt: &OidcRuntime,
    store: &Store,
    rp: &RelyingParty<'_>,
    return_to: Option<&str>,
    now: Millis,
) -> Result<Started, LoginError> {
    let meta = rt
        .metadata(rp.issuer, now)
        .await
        .map_err(|e| refuse(OidcReason::DiscoveryFailed, e.0))?;
    let secrets = NewFlowSecrets::generate();
    let binding = crate::protocol::binding::new_binding();
    let url = flow::authorization_url(
        &meta.authorization_endpoint,
        rp.client_id,
        rp.redirect_uri,
        rp.scopes,
        &secrets,
    )
    .map_err(|_| {
        refuse(
            OidcReason::DiscoveryFailed,
            "authorization_endpoint is not a URL",
        )
    })?;
    let new = NewOidcFlow {
        state_hash: &flow::state_hash(&secrets.state),
        binding_hash: &hash_secret(&binding),
        nonce: &secrets.nonce,
        pkce_verifier: &secrets.pkce_verifier,
        redirect_uri: rp.redirect_uri,
        return_to: &safe_return_to(return_to),
        expires_at: now + FLOW_TTL_SECS * 1000,
    };
    store.insert_oidc_flow(rp.org, &new, now).await?;
    Ok(Started {
        authorization_url: url,
        binding,
    })
}

/// The callback's parameters (OIDC Core §3.1.2.5-6). Unknown parameters are ignored; a
/// repeated one is refused, as is an oversized query.
#[derive(Debug, Default)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

impl CallbackQuery {
    pub fn parse(raw: &str) -> Result<Self, OidcReason> {
        if raw.len() > 8 * 1024 {
            return Err(OidcReason::BadRequest);
        }
        let mut q = Self::default();
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut q.code,
                "state" => &mut q.state,
                "error" => &mut q.error,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(OidcReason::BadRequest);
            }
        }
        Ok(q)
    }
}

/// A verified login.
#[derive(Debug)]
pub struct Completed {
    pub identity: OidcIdentity,
    pub return_to: String,
}

/// The error code an IdP sent, if it is a plain token (it is written to the audit event).
fn safe_error_code(code: &str) -> &str {
    let plain = code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        code
    } else {
        "unrecognised"
    }
}

/// Completes a login: the flow (state known, unexpired, unused, this browser's), the
/// provider's answer, the code exchange, the ID token checks and the claims.
pub async fn finish(
    rt: &OidcRuntime,
    store: &Store,
    rp: &RelyingParty<'_>,
    query: &CallbackQuery,
    binding_cookie: Option<&str>,
    now: Millis,
) -> Result<Completed, LoginError> {
    let idp_error = || {
        let code = safe_error_code(query.error.as_deref().unwrap_or_default());
        refuse(
            OidcReason::IdpError,
            format!("the provider answered error={code}"),
        )
    };
    let Some(state) = query.state.as_deref().filter(|s| !s.is_empty()) else {
        return Err(match query.error {
            Some(_) => idp_error(),
            None => refuse(OidcReason::StateMissing, "the callback has no state"),
        });
    };
    let state_hash = flow::state_hash(state);
    let flow = store
        .get_oidc_flow(rp.org, &state_hash)
        .await?
        .ok_or_else(|| {
            refuse(
                OidcReason::StateUnknown,
                "no login was started with this state",
            )
        })?;
    if flow.consumed_at.is_some() {
        return Err(refuse(
            OidcReason::StateReplayed,
            "this state was already used",
        ));
    }
    if flow.expires_at <= now {
        return Err(refuse(
            OidcReason::StateExpired,
            "the login took too long; start again",
        ));
    }
    if !flow::binding_matches(binding_cookie, &flow.binding_hash) {
        return Err(refuse(
            OidcReason::BrowserMismatch,
            "the callback came from a browser that did not start this login",
        ));
    }
    if !store.consume_oidc_flow(rp.org, &state_hash, now).await? {
        return Err(refuse(
            OidcReason::StateReplayed,
            "this state was already used",
        ));
    }
    if query.error.is_some() {
        return Err(idp_error());
    }
    let code = query
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or_else(|| refuse(OidcReason::CodeMissing, "the callback has no code"))?;
    let meta = rt
        .metadata(rp.issuer, now)
        .await
        .map_err(|e| refuse(OidcReason::DiscoveryFailed, e.0))?;
    let exchange = CodeExchange {
        token_endpoint: &meta.token_endpoint,
        client_id: rp.client_id,
        client_secret: rp.client_secret,
        code,
        redirect_uri: &flow.redirect_uri,
        pkce_verifier: &flow.pkce_verifier,
    };
    let raw = exchange_code(&rt.http, &exchange)
        .await
        .map_err(|e| refuse(e.reason, e.detail))?;
    let claims = verify_token(rt, rp, &meta, &raw, &flow.nonce, now).await?;
    let identity = identity_from_claims(&claims, &rp.claims)
        .map_err(|r| refuse(r, format!("claims refused: {r}")))?;
    Ok(Completed {
        identity,
        return_to: flow.return_to,
    })
}

/// The ID token checks of id_token.rs, with the key from the organization's JWKS cache.
async fn verify_token(
    rt: &OidcRuntime,
    rp: &RelyingParty<'_>,
    meta: &ProviderMetadata,
    raw: &str,
    nonce: &str,
    now: Millis,
) -> Result<id_token::Claims, LoginError> {
    let failed = |r: OidcReason| refuse(r, format!("ID token check failed: {r}"));
    let parsed = id_token::parse(raw).map_err(failed)?;
    let http = rt.http.clone();
    let fetch = move |url: String| async move { http.get(&url).await };
    let keys = rt
        .jwks
        .key_set_for(
            rp.org,
            &meta.jwks_uri,
            parsed.kid.as_deref(),
            parsed.alg,
            now,
            fetch,
        )
        .await
        .map_err(|e| match e {
            crate::protocol::oidc::jwks::KeyLookupError::FetchFailed(m) => {
                refuse(OidcReason::JwksFetchFailed, m)
            }
            crate::protocol::oidc::jwks::KeyLookupError::KidUnknown => {
                failed(OidcReason::KidUnknown)
            }
        })?;
    let key = id_token::select_key(&parsed, &keys).map_err(failed)?;
    let claims = id_token::verify_signature(&parsed, key).map_err(failed)?;
    let want = Expected {
        issuer: rp.issuer,
        client_id: rp.client_id,
        nonce,
        now_secs: now.div_euclid(1000),
        skew_secs: rp.skew_secs,
    };
    id_token::check_claims(&claims, &want).map_err(failed)?;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_queries_parse_leniently_but_refuse_repeats_and_oversize() {
        let q =
            CallbackQuery::parse("code=abc&state=xyz&iss=https%3A%2F%2Fi&session_state=1").unwrap();
        assert_eq!(q.code.as_deref(), Some("abc"));
        assert_eq!(q.state.as_deref(), Some("xyz"));
        assert_eq!(
            CallbackQuery::parse("state=a&state=b").unwrap_err(),
            OidcReason::BadRequest
        );
        assert!(CallbackQuery::parse(&"a".repeat(9000)).is_err());
        assert!(CallbackQuery::parse("%%%&&==&code").is_ok());
    }

    #[test]
    fn idp_error_codes_are_kept_only_when_plain() {
        assert_eq!(safe_error_code("access_denied"), "access_denied");
        assert_eq!(safe_error_code("<script>"), "unrecognised");
    }
}
