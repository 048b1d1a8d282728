//! The token service's per-replica runtime: the signing key ring and the downstream JWT
//! cache of `/auth/verify`.

use super::jwt_cache::JwtCache;
use super::keyring::KeyRing;
use crate::config::Settings;

#[derive(Debug)]
pub struct Issuer {
    pub keyring: KeyRing,
    pub jwt_cache: JwtCache,
}

impl Issuer {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            keyring: KeyRing::from_settings(settings),
            jwt_cache: JwtCache::default(),
        }
    }
}
