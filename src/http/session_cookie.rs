//! The `axonflow_session` cookie: HttpOnly, SameSite=Lax, Path=/, Secure on https.
//!
//! The name keeps the seed's `axonflow_session` (AxonFlow clients look for it) rather than
//! a `__Host-` name (RFC 6265bis §4.1.3.2), so a sibling subdomain or a plain-http page on
//! the same host could set a second cookie of that name beside ours ("cookie tossing").
//! A request carrying more than one is therefore refused, never resolved by order.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::HttpRequest;

use super::error::ApiError;
use crate::config::Settings;

pub const SESSION_COOKIE: &str = "axonflow_session";

pub fn session_cookie(value: String, max_age_secs: i64, settings: &Settings) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies())
        .max_age(CookieDuration::seconds(max_age_secs))
        .finish()
}

pub fn cleared_session_cookie(settings: &Settings) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), 0, settings);
    cookie.make_removal();
    cookie
}

/// Every `axonflow_session` value the request carries, in order, empty ones included
/// (browsers send same-named cookies of different domains or paths side by side).
pub fn session_cookie_values(req: &HttpRequest) -> Vec<String> {
    req.cookies()
        .map(|jar| {
            jar.iter()
                .filter(|c| c.name() == SESSION_COOKIE)
                .map(|c| c.value().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The one session the request names, None without one, and 401 `ambiguous_session` when
/// it carries more than one: which of them the user meant cannot be known, and taking
/// either would let a planted cookie decide (RFC 6265 §5.4 leaves the order to paths and
/// creation times an attacker can arrange).
pub fn session_cookie_value(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let mut values = session_cookie_values(req);
    if values.len() > 1 {
        return Err(ambiguous_session());
    }
    Ok(values.pop().filter(|v| !v.is_empty()))
}

pub fn ambiguous_session() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "ambiguous_session",
        "the request carries more than one axonflow_session cookie; sign out (or clear this \
         site's cookies) and sign in again",
    )
}
