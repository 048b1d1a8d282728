//! `GET /oauth2/authorize` (CONTRACT.md §13, RFC 6749 §4.1, OIDC Core §3.1.2): trust the
//! client and its exact redirect URI first (else a page, never a redirect), check the rest
//! (else `error=` back to the redirect URI with `state`), then answer with a code when the
//! browser holds a live session of the client's organization, or send it through that
//! organization's SSO, which returns here when the sign-in is done.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::request::{check, Checked, Params, Refusal};
use crate::federation::config::Protocol;
use crate::federation::failure::{render, FixSide, SsoFailure};
use crate::federation::load_org_config;
use crate::http::caller::live_session;
use crate::http::request_meta::client_ip_text;
use crate::http::session_cookie::session_cookie_value;
use crate::issuer::audit::{record, Stage};
use crate::issuer::auth_code::{issue_code, CodeRequest};
use crate::issuer::client_auth::CLIENT_ID_PREFIX;
use crate::state::AppState;
use crate::store::{ClientAuthRecord, SessionRecord};

/// `safe_return_to` keeps paths of at most this length (login/federated.rs).
const MAX_RETURN_TO: usize = 1024;

/// The client and redirect URI, once trusted.
struct Trusted {
    org: crate::domain::OrgId,
    client: ClientAuthRecord,
    redirect_uri: String,
}

pub async fn authorize(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let ip = client_ip_text(&req, &state.settings);
    let params = match Params::parse(req.query_string()) {
        Ok(p) => p,
        Err(refusal) => {
            count_refusal(&state, refusal);
            return page(&req, refusal);
        }
    };
    let trusted = match trust(&state, &params).await {
        Ok(t) => t,
        Err((refusal, org)) => {
            match org {
                Some(org) => {
                    audit_refusal(&state, &org, refusal, params.get("client_id"), &ip).await
                }
                None => count_refusal(&state, refusal),
            }
            return page(&req, refusal);
        }
    };
    match serve(&req, &state, &params, &trusted, &ip).await {
        Ok(response) => response,
        Err(Failure::Refused(refusal)) => {
            let client_id = Some(trusted.client.client.client_id.as_str());
            audit_refusal(&state, &trusted.org, refusal, client_id, &ip).await;
            error_redirect(&state, &trusted.redirect_uri, &params, refusal)
        }
        Err(Failure::Unavailable) => render(&req, &SsoFailure::service_unavailable()),
    }
}

enum Failure {
    Refused(Refusal),
    Unavailable,
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::warn!(error = %e, "authorize: database error");
        Self::Unavailable
    }
}

/// RFC 6749 §4.1.2.1: the client must be known and the redirect URI registered, character
/// for character, before anything is sent to it.
async fn trust(
    state: &AppState,
    p: &Params,
) -> Result<Trusted, (Refusal, Option<crate::domain::OrgId>)> {
    let client_id = p.get("client_id").ok_or((Refusal::MissingClientId, None))?;
    if !client_id.starts_with(CLIENT_ID_PREFIX) || client_id.len() > 64 {
        return Err((Refusal::UnknownClient, None));
    }
    let found = state
        .store
        .find_client_for_auth(client_id, None, state.clock.now_ms())
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "authorize: database error");
            (Refusal::Unavailable, None)
        })?
        .ok_or((Refusal::UnknownClient, None))?;
    let org = crate::domain::OrgId::parse(&found.client.org_id)
        .map_err(|_| (Refusal::UnknownClient, None))?;
    let refusal = if found.org_status != "active" {
        Some(Refusal::OrgSuspended)
    } else if found.client.disabled {
        Some(Refusal::ClientDisabled)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        return Err((refusal, Some(org)));
    }
    let redirect_uri = p
        .get("redirect_uri")
        .ok_or((Refusal::MissingRedirectUri, Some(org.clone())))?;
    let registered: Vec<String> =
        serde_json::from_str(&found.client.redirect_uris).unwrap_or_default();
    if !registered.iter().any(|r| r == redirect_uri) {
        return Err((Refusal::RedirectUriMismatch, Some(org)));
    }
    Ok(Trusted {
        redirect_uri: redirect_uri.to_owned(),
        org,
        client: found,
    })
}

async fn serve(
    req: &HttpRequest,
    state: &AppState,
    p: &Params,
    t: &Trusted,
    ip: &str,
) -> Result<HttpResponse, Failure> {
    if t.client.client.client_type != "web" {
        return Err(Failure::Refused(Refusal::NotWebClient));
    }
    let checked = check(p).map_err(Failure::Refused)?;
    if let Some(session) = usable_session(req, state, t, &checked).await? {
        return answer_with_code(state, p, t, &checked, &session, ip).await;
    }
    if checked.prompt_none {
        return Err(Failure::Refused(Refusal::LoginRequired));
    }
    sign_in_first(state, p, t, &checked).await
}

/// A live session of the client's organization that this request may use: not when
/// `prompt=login` asks for a fresh sign-in, nor when it is older than `max_age`.
async fn usable_session(
    req: &HttpRequest,
    state: &AppState,
    t: &Trusted,
    c: &Checked<'_>,
) -> Result<Option<SessionRecord>, Failure> {
    if c.prompt_login {
        return Ok(None);
    }
    // Several session cookies: which one the user meant cannot be known (session_cookie.rs).
    let Ok(Some(cookie)) = session_cookie_value(req) else {
        return Ok(None);
    };
    let found = live_session(state, &cookie)
        .await
        .map_err(|_| Failure::Unavailable)?;
    let Some((_, record)) = found else {
        return Ok(None);
    };
    if record.org_id != t.org.as_str() {
        return Ok(None);
    }
    let now = state.clock.now_ms();
    if c.max_age_secs
        .is_some_and(|max| now - record.created_at > max.saturating_mul(1000))
    {
        return Ok(None);
    }
    Ok(Some(record))
}

async fn answer_with_code(
    state: &AppState,
    p: &Params,
    t: &Trusted,
    c: &Checked<'_>,
    session: &SessionRecord,
    ip: &str,
) -> Result<HttpResponse, Failure> {
    let client_id = &t.client.client.client_id;
    let request = CodeRequest {
        client_id,
        redirect_uri: &t.redirect_uri,
        code_challenge: c.code_challenge,
        nonce: c.nonce,
        scope: &c.scope,
    };
    let code = issue_code(state, &t.org, session, &request).await?;
    let detail = json!({"client_id": client_id, "auth_method": session.auth_method});
    record(
        state,
        &t.org,
        Stage::Authorize,
        None,
        Some(&session.principal_id),
        Some(ip),
        detail,
    )
    .await;
    Ok(redirect_with(
        state,
        &t.redirect_uri,
        &[("code", &code)],
        p.get("state"),
    ))
}

/// No usable session: through the organization's enabled SSO, back to this request after.
async fn sign_in_first(
    state: &AppState,
    p: &Params,
    t: &Trusted,
    c: &Checked<'_>,
) -> Result<HttpResponse, Failure> {
    let protocol = match load_org_config(&state.store, &t.org).await? {
        Some((_, Some(l))) if l.config.enabled => l.config.protocol,
        _ => return Err(Failure::Refused(Refusal::NoSso)),
    };
    let resume = format!("/oauth2/authorize?{}", p.to_query(c.prompt_login));
    if resume.len() > MAX_RETURN_TO {
        return Err(Failure::Refused(Refusal::RequestTooLong));
    }
    let path = match protocol {
        Protocol::Saml => "saml",
        Protocol::Oidc => "oidc",
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("return_to", &resume);
    if let Some(hint) = p.get("login_hint").filter(|h| h.len() <= 256) {
        query.append_pair("login_hint", hint);
    }
    if c.prompt_login {
        query.append_pair("force_authn", "true");
    }
    let location = format!("/auth/{path}/{}/login?{}", t.org, query.finish());
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// 302 to the redirect URI with `params`, `state` and RFC 9207 `iss` added to its query.
fn redirect_with(
    state: &AppState,
    redirect_uri: &str,
    params: &[(&str, &str)],
    client_state: Option<&str>,
) -> HttpResponse {
    // The URI is one the client registered, validated as absolute when it was saved.
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return HttpResponse::build(StatusCode::BAD_REQUEST).finish();
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        if let Some(s) = client_state {
            q.append_pair("state", s);
        }
        q.append_pair("iss", &state.settings.public_url);
    }
    HttpResponse::Found()
        .insert_header((header::LOCATION, url.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn error_redirect(
    state: &AppState,
    redirect_uri: &str,
    p: &Params,
    refusal: Refusal,
) -> HttpResponse {
    let params = [
        ("error", refusal.error()),
        ("error_description", refusal.description()),
    ];
    redirect_with(state, redirect_uri, &params, p.get("state"))
}

/// The error page (CONTRACT.md §2 browser flows): the code, who must fix it, no redirect.
fn page(req: &HttpRequest, refusal: Refusal) -> HttpResponse {
    if refusal == Refusal::Unavailable {
        return render(req, &SsoFailure::service_unavailable());
    }
    let status = match refusal {
        Refusal::UnknownClient | Refusal::ClientDisabled | Refusal::OrgSuspended => {
            StatusCode::UNAUTHORIZED
        }
        _ => StatusCode::BAD_REQUEST,
    };
    let failure = SsoFailure::new(
        status,
        refusal.reason(),
        FixSide::ServiceConfiguration,
        format!(
            "{}: the application sent an authorization request axid cannot answer; its \
             administrator must fix the client registration or the request.",
            refusal.description()
        ),
    );
    render(req, &failure)
}

/// A refusal with no organization to audit it in (an unknown client): the metric only.
fn count_refusal(state: &AppState, refusal: Refusal) {
    state
        .metrics
        .op_outcomes
        .with_label_values(&["authorize", "failure", refusal.reason()])
        .inc();
}

async fn audit_refusal(
    state: &AppState,
    org: &crate::domain::OrgId,
    refusal: Refusal,
    client_id: Option<&str>,
    ip: &str,
) {
    let detail = json!({"client_id": client_id, "error": refusal.error(),
                        "message": refusal.description()});
    record(
        state,
        org,
        Stage::Authorize,
        Some(refusal.reason()),
        None,
        Some(ip),
        detail,
    )
    .await;
}
