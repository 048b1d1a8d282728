//! The token service's per-replica runtime: the signing key ring, the downstream JWT
//! cache of `/auth/verify`, the reused client credentials tokens and the access tokens
//! already verified.

use super::jwt_cache::JwtCache;
use super::keyring::KeyRing;
use super::verified_tokens::VerifiedTokens;
use crate::config::Settings;

#[derive(Debug)]
pub struct Issuer {
    pub keyring: KeyRing,
    pub jwt_cache: JwtCache,
    /// Client credentials access tokens handed out again to the same request (see
    /// issuer/access_token.rs `issue_reusable`).
    pub access_token_cache: JwtCache,
    /// Access tokens already verified here (state/verified_tokens.rs).
    pub verified_tokens: VerifiedTokens,
}

impl Issuer {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            keyring: KeyRing::from_settings(settings),
            jwt_cache: JwtCache::default(),
            access_token_cache: JwtCache::default(),
            verified_tokens: VerifiedTokens::default(),
        }
    }
}
