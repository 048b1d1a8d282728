//! `GET /auth/oidc/{tenantID}/login` and `GET /auth/oidc/{tenantID}/callback` (CONTRACT.md
//! §8). Handlers stay short: find the organization's enabled OIDC configuration, call the
//! core (`login::begin`, `login::finish`), then the after-login path shared with SAML. Every
//! refusal is a 4xx (502 when the provider fails, 503 when the database does) with the
//! error page of §2 and an audit event carrying the typed reason; never a session cookie.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::login::{begin, finish, CallbackQuery, LoginError, RelyingParty};
use crate::config::Secret;
use crate::domain::OrgId;
use crate::federation::browser::{enabled_config, refuse, unavailable, within_flow_limit, Refusal};
use crate::federation::config::{OidcConfig, Protocol, SsoConfig};
use crate::federation::failure::{record_outcome, render, render_referenced, SsoFailure};
use crate::federation::LoadedConfig;
use crate::http::request_meta::client_ip_text;
use crate::login::federated::{complete_login, FederatedIdentity};
use crate::login::sign_in::SignInContext;
use crate::protocol::oidc::claims::{ClaimMapping, ClaimPolicy, Provider};
use crate::protocol::oidc::flow::{binding_cookie, redirect_uri, FLOW_COOKIE};
use crate::protocol::oidc::reason::OidcReason;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/auth/oidc/{tenant_id}")
            .route("/login", web::get().to(login))
            .route("/callback", web::get().to(callback)),
    );
}

/// The refusal the browser and the audit feed see for a typed reason.
pub fn failure_of(reason: OidcReason, detail: &str) -> SsoFailure {
    let status = StatusCode::from_u16(reason.status()).unwrap_or(StatusCode::BAD_REQUEST);
    SsoFailure::new(status, reason.code(), reason.side(), detail)
}

fn not_configured() -> SsoFailure {
    failure_of(
        OidcReason::NotConfigured,
        "OpenID Connect single sign-on is not configured or not enabled for this organization",
    )
}

/// The active organization and its enabled OIDC configuration.
async fn oidc_org(state: &AppState, tenant: &str) -> Result<(OrgId, LoadedConfig), Refusal> {
    enabled_config(state, tenant, Protocol::Oidc, not_configured).await
}

/// What a relying party borrows from: the decrypted secret, the claim names, the callback.
struct Parts {
    secret: Secret,
    mapping: ClaimMapping,
    provider: Provider,
    redirect_uri: String,
}

impl Parts {
    fn of(
        state: &AppState,
        org: &OrgId,
        cfg: &SsoConfig,
        oidc: &OidcConfig,
    ) -> Result<Self, SsoFailure> {
        let secret = oidc
            .client_secret_enc
            .as_deref()
            .map(|enc| state.sso.keyring.decrypt(enc))
            .transpose()
            .map_err(unavailable)?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(not_configured)?;
        let provider = Provider::parse(&cfg.provider);
        Ok(Self {
            secret: Secret::new(secret),
            mapping: ClaimMapping::with_overrides(provider, &oidc.claim_mapping),
            provider,
            redirect_uri: redirect_uri(&state.settings, org),
        })
    }

    fn party<'a>(
        &'a self,
        org: &'a OrgId,
        cfg: &'a SsoConfig,
        oidc: &'a OidcConfig,
    ) -> RelyingParty<'a> {
        RelyingParty {
            org,
            issuer: &oidc.issuer,
            client_id: &oidc.client_id,
            client_secret: &self.secret,
            scopes: &oidc.scopes,
            redirect_uri: &self.redirect_uri,
            skew_secs: cfg.clock_skew_seconds,
            claims: ClaimPolicy {
                provider: self.provider,
                mapping: &self.mapping,
                allowed_email_domains: &cfg.allowed_email_domains,
                issuer: &oidc.issuer,
            },
        }
    }
}

fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn binding_of(req: &HttpRequest) -> Option<String> {
    req.cookie(FLOW_COOKIE).map(|c| c.value().to_owned())
}

/// `GET /login?return_to=`: 302 to the provider with state, nonce and PKCE S256.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    if let Err(limited) = within_flow_limit(&req, &state) {
        return limited;
    }
    let (org, loaded) = match oidc_org(&state, &path).await {
        Ok(found) => found,
        Err((_, failure)) => return render(&req, &failure),
    };
    let cfg = &loaded.config;
    let Some(oidc) = cfg.oidc.as_ref() else {
        return render(&req, &not_configured());
    };
    let parts = match Parts::of(&state, &org, cfg, oidc) {
        Ok(p) => p,
        Err(failure) => return render(&req, &failure),
    };
    let return_to = query_value(&req, "return_to");
    let now = state.clock.now_ms();
    let rp = parts.party(&org, cfg, oidc);
    match begin(&state.oidc, &state.store, &rp, return_to.as_deref(), now).await {
        Ok(started) => HttpResponse::Found()
            .insert_header((
                header::LOCATION,
                crate::protocol::oidc::flow::with_hints(
                    started.authorization_url,
                    query_value(&req, "force_authn").as_deref() == Some("true"),
                    query_value(&req, "login_hint")
                        .as_deref()
                        .filter(|h| !h.is_empty() && h.len() <= 256),
                ),
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .cookie(binding_cookie(&org, started.binding, &state.settings))
            .finish(),
        Err(LoginError::Store(e)) => render(&req, &unavailable(e)),
        Err(LoginError::Refused { reason, detail }) => {
            let ip = client_ip_text(&req, &state.settings);
            let failure = failure_of(reason, &detail);
            let audit = json!({"stage": "login", "message": detail});
            let reference = record_outcome(
                &state,
                &org,
                "oidc",
                Some(failure.code),
                None,
                &ip,
                Some(audit),
            )
            .await;
            render_referenced(&req, &failure, reference.as_deref())
        }
    }
}

/// `GET /callback?code=&state=`: exchange, verify, then the shared after-login path.
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    if let Err(limited) = within_flow_limit(&req, &state) {
        return limited;
    }
    let ip = client_ip_text(&req, &state.settings);
    let (org, loaded) = match oidc_org(&state, &path).await {
        Ok(found) => found,
        Err(refusal) => return refuse(&req, &state, refusal, Protocol::Oidc, &ip).await,
    };
    match complete(&req, &state, &org, &loaded.config, &ip).await {
        Ok(response) => response,
        Err((failure, principal)) => {
            let audit = json!({"stage": "callback", "message": failure.message});
            let principal = principal.as_deref();
            let reference = record_outcome(
                &state,
                &org,
                "oidc",
                Some(failure.code),
                principal,
                &ip,
                Some(audit),
            )
            .await;
            render_referenced(&req, &failure, reference.as_deref())
        }
    }
}

async fn complete(
    req: &HttpRequest,
    state: &AppState,
    org: &OrgId,
    cfg: &SsoConfig,
    ip: &str,
) -> Result<HttpResponse, (SsoFailure, Option<String>)> {
    let query = CallbackQuery::parse(req.query_string()).map_err(|r| {
        (
            failure_of(r, "the callback's query string is malformed"),
            None,
        )
    })?;
    let oidc = cfg.oidc.as_ref().ok_or_else(|| (not_configured(), None))?;
    let parts = Parts::of(state, org, cfg, oidc).map_err(|f| (f, None))?;
    let rp = parts.party(org, cfg, oidc);
    let binding = binding_of(req);
    let now = state.clock.now_ms();
    let done = match finish(
        &state.oidc,
        &state.store,
        &rp,
        &query,
        binding.as_deref(),
        now,
    )
    .await
    {
        Ok(done) => done,
        Err(LoginError::Store(e)) => return Err((unavailable(e), None)),
        Err(LoginError::Refused { reason, detail }) => {
            return Err((failure_of(reason, &detail), None))
        }
    };
    let id = done.identity;
    let identity = FederatedIdentity {
        issuer: cfg.oidc.as_ref().map(|o| o.issuer.clone()),
        subject: id.subject.clone(),
        email: id.email,
        first_name: id.given_name,
        last_name: id.family_name,
        display_name: id.name,
        groups: id.groups,
    };
    let ctx = SignInContext {
        ip,
        detail: json!({"sub": id.subject}),
        replay: None,
        saml_name_id: None,
        saml_session_index: None,
    };
    let success = complete_login(state, org, cfg, &identity, "oidc", &done.return_to, ctx)
        .await
        .map_err(|f| (f, Some(id.subject.clone())))?;
    Ok(success.response)
}
