//! The setup session: opening a link exchanges its token for a cookie (HttpOnly,
//! SameSite=Strict, Path=/setup) and leaves the token out of the address bar; every setup
//! page then names the link through that cookie, may do only what the link's intents
//! allow, in its organization, and stops the moment the link is deleted or expires.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use maud::html;
use serde_json::json;

use super::links::{audit, intents_of};
use crate::console::caller::ConsoleRefusal;
use crate::console::layout::{error_page, public_page};
use crate::domain::{generate_secret, hash_secret, OrgId, SecretKind};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::SetupLinkRecord;

pub const SETUP_COOKIE: &str = "axid_setup";
/// A setup session lasts at most this long (and never past its link).
const SESSION_MS: i64 = 8 * 3_600_000;

/// A live setup session and the link it came from.
pub struct SetupCaller {
    pub org: OrgId,
    pub link: SetupLinkRecord,
    pub intents: Vec<String>,
}

impl SetupCaller {
    pub fn require(&self, intent: &str) -> Result<(), ConsoleRefusal> {
        if self.intents.iter().any(|i| i == intent) {
            return Ok(());
        }
        Err(ConsoleRefusal::Page(ApiError::forbidden(format!(
            "this setup link does not include {intent} setup"
        ))))
    }

    /// Who changes made here are: the link, never a person axid knows.
    pub fn principal(&self) -> String {
        format!("setup_link:{}", self.link.id)
    }
}

fn ended() -> ConsoleRefusal {
    ConsoleRefusal::Page(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "setup_session_ended",
        "this setup session has ended (the link was revoked or expired); ask for a new link",
    ))
}

impl FromRequest for SetupCaller {
    type Error = ConsoleRefusal;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ConsoleRefusal>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ConsoleRefusal::Page(ApiError::internal()))?;
            crate::http::request_meta::check_same_origin(&req, &state.settings)
                .map_err(ConsoleRefusal::Page)?;
            let cookie = req.cookie(SETUP_COOKIE).ok_or_else(ended)?;
            let now = state.clock.now_ms();
            let link = state
                .store
                .find_setup_session(&hash_secret(cookie.value()), now)
                .await?
                .ok_or_else(ended)?;
            let org = OrgId::parse(&link.org_id)
                .map_err(|_| ConsoleRefusal::Page(ApiError::internal()))?;
            Ok(SetupCaller {
                org,
                intents: intents_of(&link),
                link,
            })
        })
    }
}

fn setup_cookie(value: String, max_age_ms: i64, secure: bool) -> Cookie<'static> {
    Cookie::build(SETUP_COOKIE, value)
        .path("/setup")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(CookieDuration::milliseconds(max_age_ms.max(0)))
        .finish()
}

/// `GET /setup/axl_...`: the token for a session cookie, then on to `/setup/` by a page of
/// this origin (a SameSite=Strict cookie set on a navigation from a mail client is sent on
/// the next same-site request, not on a redirect of the same cross-site navigation).
pub async fn open(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let now = state.clock.now_ms();
    let link = match state.store.find_setup_link(&hash_secret(&token), now).await {
        Ok(Some(link)) => link,
        Ok(None) => {
            state
                .metrics
                .setup_links
                .with_label_values(&["refused"])
                .inc();
            return error_page(
                StatusCode::NOT_FOUND,
                "setup_link_invalid",
                "This setup link is not valid: it was revoked, it expired, or it was mistyped.",
            );
        }
        Err(e) => {
            let e = ApiError::from(e);
            return error_page(e.status, e.code, &e.message);
        }
    };
    let session = generate_secret(SecretKind::Session);
    let until = (now + SESSION_MS).min(link.expires_at);
    if let Err(e) = state
        .store
        .insert_setup_session(&hash_secret(&session), &link.id, now, until)
        .await
    {
        let e = ApiError::from(e);
        return error_page(e.status, e.code, &e.message);
    }
    if let Ok(org) = OrgId::parse(&link.org_id) {
        let detail = json!({"id": link.id});
        audit(
            &state,
            &org,
            "setup_link.opened",
            &format!("setup_link:{}", link.id),
            detail,
        )
        .await;
    }
    state
        .metrics
        .setup_links
        .with_label_values(&["opened"])
        .inc();
    let body = html! {
        meta http-equiv="refresh" content="0; url=/setup/";
        section.narrow {
            h1 { "Opening your setup" }
            p { a href="/setup/" { "Continue" } }
        }
    };
    let mut response = public_page(StatusCode::OK, "Setup", body);
    let headers = response.headers_mut();
    // The token is in this URL: it must not travel on as a Referer.
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    let cookie = setup_cookie(session, until - now, state.settings.secure_cookies());
    let _ = response.add_cookie(&cookie);
    response
}
