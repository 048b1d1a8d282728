//! Browser binding of a sign-in flow (login CSRF): a fresh random value in a short-lived
//! HttpOnly cookie, whose SHA-256 is stored with the flow, so a flow completes only in the
//! browser that started it. A value the browser already holds is never adopted: a planted
//! cookie must not become the key of a victim's flow.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use subtle::ConstantTimeEq;

use crate::config::Settings;
use crate::domain::{generate_secret, hash_secret, SecretKind};

/// 256 random bits, base64url.
pub fn new_binding() -> String {
    generate_secret(SecretKind::Session)
}

/// True when the browser's cookie is the one the flow was started with.
pub fn binding_matches(cookie: Option<&str>, stored_hash: &str) -> bool {
    cookie.is_some_and(|c| bool::from(hash_secret(c).as_bytes().ct_eq(stored_hash.as_bytes())))
}

/// How the flow comes back to this service, which decides the cookie's SameSite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Return {
    /// A top-level GET redirect (OIDC): SameSite=Lax cookies accompany it.
    TopLevelGet,
    /// A cross-site form POST (SAML HTTP-POST binding): Lax cookies do not. On https the
    /// cookie is `SameSite=None; Secure`; on plain http (where browsers refuse `None`
    /// without `Secure`) it carries no SameSite attribute, as Keycloak's fallback cookie
    /// does: Firefox and Safari send it with the POST, Chromium within two minutes of
    /// setting it (its Lax-by-default allowance for top-level POSTs).
    CrossSitePost,
}

/// The binding cookie, scoped to `path` and alive as long as the flow.
pub fn binding_cookie(
    name: &'static str,
    path: String,
    value: String,
    ttl_secs: i64,
    back: Return,
    settings: &Settings,
) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, value)
        .path(path)
        .http_only(true)
        .secure(settings.secure_cookies())
        .max_age(CookieDuration::seconds(ttl_secs))
        .finish();
    match (back, settings.secure_cookies()) {
        (Return::TopLevelGet, _) => cookie.set_same_site(SameSite::Lax),
        (Return::CrossSitePost, true) => cookie.set_same_site(SameSite::None),
        (Return::CrossSitePost, false) => cookie.set_same_site(None),
    }
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_binding_is_fresh_and_compared_by_hash() {
        let first = new_binding();
        assert_ne!(first, new_binding());
        let stored = hash_secret(&first);
        assert!(binding_matches(Some(&first), &stored));
        assert!(!binding_matches(Some(&new_binding()), &stored));
        assert!(!binding_matches(None, &stored));
    }
}
