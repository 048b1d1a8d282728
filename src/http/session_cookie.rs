//! The `axonflow_session` cookie: HttpOnly, SameSite=Lax, Path=/, Secure on https.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::HttpRequest;

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

pub fn session_cookie_value(req: &HttpRequest) -> Option<String> {
    req.cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}
