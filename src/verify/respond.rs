//! The verify answer: the policy of the verify URL (`org=`, `roles=`, `aud=`), the identity
//! headers and downstream JWT of a 200, the challenges and login hint of a 401, and 403.

use std::sync::Arc;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::forwarded::{original, same_site};
use super::identify::{Credential, Identity, Unauthenticated};
use super::VerifyResult;
use crate::domain::OrgId;
use crate::http::error::ApiError;
use crate::jose::Alg;
use crate::state::{jwt_cache, AppState};

/// `X-Axid-Jwt` lives at most five minutes (CONTRACT.md §14).
const DOWNSTREAM_JWT_TTL_MS: i64 = 300_000;

#[derive(Debug, Default)]
pub struct Policy {
    org: Option<OrgId>,
    roles: Vec<String>,
    aud: Option<String>,
}

impl Policy {
    /// A verify URL the operator wrote wrong is a 400 naming the parameter.
    pub fn parse(query: &str) -> VerifyResult<Self> {
        let mut policy = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "org" => {
                    let org = OrgId::parse(&value)
                        .map_err(|m| ApiError::bad_request("invalid_policy", m))?;
                    policy.org = Some(org);
                }
                "roles" => policy.roles.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_owned),
                ),
                "aud" if !value.is_empty() => policy.aud = Some(value.into_owned()),
                _ => {}
            }
        }
        Ok(policy)
    }
}

pub async fn answer(
    req: &HttpRequest,
    state: &AppState,
    policy: &Policy,
    found: Result<Identity, Unauthenticated>,
    credential: Credential,
) -> VerifyResult<HttpResponse> {
    let outcome = |outcome: &str, reason: &str| {
        state
            .metrics
            .verify_outcomes
            .with_label_values(&[outcome, credential.as_str(), reason])
            .inc();
    };
    let identity = match found {
        Ok(identity) => identity,
        Err(refusal) => {
            outcome("unauthenticated", refusal.reason);
            return unauthenticated(req, state, policy, refusal).await;
        }
    };
    if let (Some(aud), Some(audiences)) = (&policy.aud, &identity.token_audiences) {
        if !audiences.contains(aud) {
            outcome("unauthenticated", "wrong_audience");
            let refusal = Unauthenticated {
                reason: "wrong_audience",
                bearer_error: true,
            };
            return unauthenticated(req, state, policy, refusal).await;
        }
    }
    if policy.org.as_ref().is_some_and(|org| *org != identity.org) {
        outcome("forbidden", "wrong_org");
        return Err(ApiError::forbidden(
            "this organization may not use this service",
        ));
    }
    if !policy.roles.is_empty() && !identity.roles.iter().any(|r| policy.roles.contains(r)) {
        outcome("forbidden", "missing_role");
        return Err(ApiError::forbidden(
            "a role this service requires is missing",
        ));
    }
    let audience = policy
        .aud
        .clone()
        .or_else(|| original(req, &state.settings).host)
        .unwrap_or_else(|| state.settings.public_url.clone());
    let jwt = downstream_jwt(state, &identity, &audience).await?;
    outcome("allowed", "ok");
    Ok(allowed(&identity, &jwt))
}

fn allowed(identity: &Identity, jwt: &str) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.insert_header(("Cache-Control", "no-store"));
    let authenticated = if identity.authenticated {
        "true"
    } else {
        "false"
    };
    let roles = identity.roles.join(",");
    let headers: [(&str, Option<&str>); 11] = [
        ("x-axid-org", Some(identity.org.as_str())),
        ("x-axid-subject", Some(&identity.subject)),
        ("x-axid-principal-type", Some(identity.principal_type)),
        ("x-axid-email", identity.email.as_deref()),
        ("x-axid-roles", Some(&roles)),
        ("x-axid-authenticated", Some(authenticated)),
        ("x-org-id", Some(identity.org.as_str())),
        ("x-tenant-id", Some(identity.org.as_str())),
        ("x-user-id", identity.user_id.as_deref()),
        ("x-client-id", identity.client_id.as_deref()),
        ("x-axid-jwt", Some(jwt)),
    ];
    for (name, value) in headers {
        // Every header is always sent, empty when it does not apply (a client has no email):
        // proxies that copy named headers then overwrite a client's spoofed value instead of
        // passing it on (Caddy 2.6 would even pass its placeholder text). A value a header
        // cannot carry (control characters) is sent empty too, never an error.
        let value = value
            .and_then(|v| HeaderValue::from_str(v).ok())
            .unwrap_or_else(|| HeaderValue::from_static(""));
        response.insert_header((HeaderName::from_static(name), value));
    }
    response.finish()
}

/// The cached JWT for (credential, audience) while more than a fifth of its lifetime
/// remains; else a new one, signed once and cached.
async fn downstream_jwt(
    state: &AppState,
    identity: &Identity,
    audience: &str,
) -> VerifyResult<Arc<str>> {
    let now = state.clock.now_ms();
    let key = format!("{}|{audience}", identity.cache_key);
    let fingerprint = fingerprint(identity);
    if let Some(jwt) = state.issuer.jwt_cache.get(&key, fingerprint, now) {
        return Ok(jwt);
    }
    let iat = now / 1000;
    let expires_at = identity.not_after.map_or(now + DOWNSTREAM_JWT_TTL_MS, |t| {
        t.min(now + DOWNSTREAM_JWT_TTL_MS)
    });
    let mut claims = json!({
        "iss": state.settings.public_url,
        "sub": identity.subject,
        "aud": audience,
        "org_id": identity.org.as_str(),
        "principal_type": identity.principal_type,
        "roles": identity.roles,
        "authenticated": identity.authenticated,
        "iat": iat,
        "exp": expires_at / 1000,
        "jti": uuid::Uuid::now_v7().simple().to_string(),
    });
    if let Some(map) = claims.as_object_mut() {
        if let Some(email) = &identity.email {
            map.insert("email".into(), json!(email));
        }
        if let Some(client_id) = &identity.client_id {
            map.insert("client_id".into(), json!(client_id));
        }
    }
    let jwt: Arc<str> = state
        .issuer
        .keyring
        .sign(&state.store, now, Alg::Rs256, "JWT", &claims)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "downstream JWT signing failed");
            ApiError::internal()
        })?
        .into();
    state
        .issuer
        .jwt_cache
        .put(key, fingerprint, jwt.clone(), now, expires_at);
    Ok(jwt)
}

/// What the JWT asserts besides times: a change (roles, email, proof) signs a new one.
fn fingerprint(identity: &Identity) -> u64 {
    let email = format!("{:?}", identity.email);
    jwt_cache::fingerprint(&[
        identity.org.as_str(),
        &identity.subject,
        identity.principal_type,
        &email,
        &identity.roles.join(","),
        if identity.authenticated {
            "true"
        } else {
            "false"
        },
    ])
}

async fn unauthenticated(
    req: &HttpRequest,
    state: &AppState,
    policy: &Policy,
    refusal: Unauthenticated,
) -> VerifyResult<HttpResponse> {
    let mut response = HttpResponse::build(StatusCode::UNAUTHORIZED);
    response.insert_header(("Cache-Control", "no-store"));
    // RFC 6750 §3: name the failed token; RFC 7617: clients may also use Basic.
    let bearer = if refusal.bearer_error {
        "Bearer realm=\"axid\", error=\"invalid_token\""
    } else {
        "Bearer realm=\"axid\""
    };
    response.append_header(("WWW-Authenticate", bearer));
    response.append_header((
        "WWW-Authenticate",
        "Basic realm=\"axid\", charset=\"UTF-8\"",
    ));
    if wants_html(req) {
        if let Ok(value) = HeaderValue::from_str(&login_url(req, state, policy).await?) {
            response.insert_header((HeaderName::from_static("x-axid-login-url"), value));
        }
    }
    Ok(response.json(
        json!({"error": "unauthenticated", "message": "sign in first, or send a valid credential"}),
    ))
}

fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get_all("accept")
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("text/html"))
}

/// The organization's SSO login when `org=` names one with SSO enabled, else the console's
/// sign-in page; `return_to` is the original URL when it is on PUBLIC_URL's site (its path
/// alone on PUBLIC_URL's own origin, which the login flows accept).
async fn login_url(req: &HttpRequest, state: &AppState, policy: &Policy) -> VerifyResult<String> {
    let base = &state.settings.public_url;
    let mut login = match &policy.org {
        Some(org) => match state.store.get_sso_config(org).await? {
            Some(c) if c.enabled => format!("{base}/auth/{}/{org}/login", c.protocol),
            _ => format!("{base}/ui/login?org_id={org}"),
        },
        None => format!("{base}/ui/login"),
    };
    let public = url::Url::parse(base).ok();
    let return_to = match (original(req, &state.settings).url, public) {
        (Some(url), Some(public)) if url.origin() == public.origin() => {
            Some(url[url::Position::BeforePath..].to_owned())
        }
        (Some(url), Some(public)) if same_site(&url, &public) => Some(url.to_string()),
        _ => None,
    };
    if let Some(return_to) = return_to {
        let sep = if login.contains('?') { '&' } else { '?' };
        let encoded: String = url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect();
        login.push_str(&format!("{sep}return_to={encoded}"));
    }
    Ok(login)
}
