//! Who a forwarded request is (CONTRACT.md §14), first match wins: a Bearer access token,
//! Basic client credentials, the session cookie; with none of them, community mode's
//! default organization when configured. Each credential is re-checked on every request
//! (one indexed read), so a revoked session, a deactivated user, a disabled client or a
//! revoked secret is refused on the next request.

use actix_web::HttpRequest;

use crate::clock::Millis;
use crate::config::DeploymentMode;
use crate::domain::OrgId;
use crate::http::caller::live_session;
use crate::http::error::ApiResult;
use crate::http::session_cookie::session_cookie_value;
use crate::issuer::access_token::check;
use crate::issuer::client_auth::{authenticate, authorization, AuthorizationHeader};
use crate::state::AppState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    Bearer,
    Basic,
    Session,
    None,
}

impl Credential {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bearer => "bearer",
            Self::Basic => "basic",
            Self::Session => "session",
            Self::None => "none",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Identity {
    pub org: OrgId,
    pub subject: String,
    /// `user`, `client` or `anonymous`.
    pub principal_type: &'static str,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub authenticated: bool,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// What the downstream JWT cache keys on (session, client or anonymous org).
    pub cache_key: String,
    /// The downstream JWT may not outlive the credential.
    pub not_after: Option<Millis>,
    /// Bearer tokens only: the token's audiences, for the `aud=` policy.
    pub token_audiences: Option<Vec<String>>,
}

/// A request without a usable credential, with the reason (a fixed set: metrics labels).
#[derive(Clone, Copy, Debug)]
pub struct Unauthenticated {
    pub reason: &'static str,
    pub bearer_error: bool,
}

fn refused(reason: &'static str, bearer_error: bool) -> Result<Identity, Unauthenticated> {
    Err(Unauthenticated {
        reason,
        bearer_error,
    })
}

pub async fn identify(
    req: &HttpRequest,
    state: &AppState,
) -> ApiResult<(Result<Identity, Unauthenticated>, Credential)> {
    let header = match authorization(req) {
        Ok(header) => header,
        Err(_) => return Ok((refused("malformed_authorization", false), Credential::None)),
    };
    Ok(match header {
        AuthorizationHeader::Bearer(token) => (bearer(state, &token).await?, Credential::Bearer),
        AuthorizationHeader::Basic { client_id, secret } => {
            (basic(state, &client_id, &secret).await?, Credential::Basic)
        }
        AuthorizationHeader::None | AuthorizationHeader::Other => match session_cookie_value(req) {
            Ok(Some(cookie)) => (session(state, &cookie).await?, Credential::Session),
            Ok(None) => (anonymous(state), Credential::None),
            // Two session cookies: which one was meant cannot be known (http/session_cookie).
            Err(_) => (refused("ambiguous_session", false), Credential::Session),
        },
    })
}

async fn bearer(state: &AppState, token: &str) -> ApiResult<Result<Identity, Unauthenticated>> {
    let token = match check(state, token).await? {
        Ok(token) => token,
        Err(refusal) => return Ok(refused(refusal.as_str(), true)),
    };
    let email = token
        .claims
        .get("email")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let (principal_type, cache_key) = if token.is_client {
        ("client", format!("c:{}", token.client_id))
    } else {
        ("user", format!("u:{}:{}", token.subject, token.client_id))
    };
    Ok(Ok(Identity {
        user_id: (!token.is_client).then(|| token.subject.clone()),
        client_id: Some(token.client_id.clone()),
        org: token.org,
        subject: token.subject,
        principal_type,
        email,
        roles: token.roles,
        authenticated: true,
        cache_key,
        not_after: Some(token.exp * 1000),
        token_audiences: Some(token.audiences),
    }))
}

/// Community mode accepts `clientId:` (no secret) as a known client, unproven (§12).
async fn basic(
    state: &AppState,
    client_id: &str,
    secret: &str,
) -> ApiResult<Result<Identity, Unauthenticated>> {
    let community = state.settings.deployment_mode == DeploymentMode::Community;
    let client = match authenticate(state, client_id, secret, community).await? {
        Ok(client) => client,
        Err(refusal) => return Ok(refused(refusal.as_str(), false)),
    };
    let id = client.client.client_id.clone();
    Ok(Ok(Identity {
        cache_key: format!("c:{id}:{}", client.secret_id.as_deref().unwrap_or("-")),
        roles: client.roles(),
        authenticated: client.proven,
        org: client.org,
        subject: id.clone(),
        principal_type: "client",
        email: None,
        user_id: None,
        client_id: Some(id),
        not_after: None,
        token_audiences: None,
    }))
}

async fn session(state: &AppState, cookie: &str) -> ApiResult<Result<Identity, Unauthenticated>> {
    let Some((id_hash, record)) = live_session(state, cookie).await? else {
        // A cookie that names no live session is a refused credential, not "none".
        return Ok(refused("session_not_live", false));
    };
    let Ok(org) = OrgId::parse(&record.org_id) else {
        return Ok(refused("session_not_live", false));
    };
    Ok(Ok(Identity {
        org,
        subject: record.principal_id.clone(),
        principal_type: "user",
        roles: serde_json::from_str(&record.roles).unwrap_or_default(),
        authenticated: true,
        user_id: Some(record.principal_id),
        client_id: None,
        email: record.email,
        cache_key: format!("s:{id_hash}"),
        not_after: Some(record.expires_at),
        token_audiences: None,
    }))
}

fn anonymous(state: &AppState) -> Result<Identity, Unauthenticated> {
    let default_org = (state.settings.deployment_mode == DeploymentMode::Community)
        .then_some(state.settings.community_default_org.as_deref())
        .flatten()
        .and_then(|o| OrgId::parse(o).ok());
    match default_org {
        Some(org) => Ok(Identity {
            cache_key: format!("a:{org}"),
            subject: "anonymous".into(),
            org,
            principal_type: "anonymous",
            email: None,
            roles: Vec::new(),
            authenticated: false,
            user_id: None,
            client_id: None,
            not_after: None,
            token_audiences: None,
        }),
        None => refused("no_credential", false),
    }
}
