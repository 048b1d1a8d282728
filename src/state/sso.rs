//! Per-replica SSO runtime: the data key, the parsed IdP signing keys of each
//! organization's SAML configuration (cached per configuration version) and its parsed SP
//! decryption keys (cached per key ring version).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::clock::Millis;
use crate::config::Settings;
use crate::data_key::DataKeyring;
use crate::protocol::certs;
use crate::protocol::saml::response::TrustedKeys;
use crate::protocol::saml::xmlenc::DecryptionKeys;

type DecryptionCache = HashMap<String, (Vec<String>, Arc<DecryptionKeys>)>;

/// Per-replica SSO state: the data key and a cache of parsed IdP keys per organization,
/// refreshed whenever the stored configuration changes (its `updated_at`).
#[derive(Debug)]
pub struct SsoRuntime {
    pub keyring: DataKeyring,
    /// SAML validations running at once on the blocking pool (one per core).
    pub validation_slots: tokio::sync::Semaphore,
    trusted: Mutex<HashMap<String, (Millis, Arc<TrustedKeys>)>>,
    /// Parsed SP decryption keys per organization, by the key ids they were parsed from.
    decryption: Mutex<DecryptionCache>,
}

impl SsoRuntime {
    pub fn new(settings: &Settings) -> Result<Self, String> {
        let keyring = DataKeyring::from_settings(settings);
        keyring.check()?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            keyring,
            validation_slots: tokio::sync::Semaphore::new(cores),
            trusted: Mutex::new(HashMap::new()),
            decryption: Mutex::new(HashMap::new()),
        })
    }

    /// The parsed signing keys of an organization's SAML certificates, cached per
    /// configuration version (`updated_at`).
    pub fn trusted_keys(
        &self,
        org: &str,
        version: Millis,
        pem_certificates: &[String],
    ) -> Result<Arc<TrustedKeys>, String> {
        if let Ok(cache) = self.trusted.lock() {
            if let Some((cached, keys)) = cache.get(org) {
                if *cached == version {
                    return Ok(keys.clone());
                }
            }
        }
        let ders = pem_certificates
            .iter()
            .map(|p| certs::pem_to_der(p))
            .collect::<Result<Vec<_>, _>>()?;
        let keys = Arc::new(TrustedKeys::from_der_certs(&ders)?);
        if let Ok(mut cache) = self.trusted.lock() {
            cache.insert(org.to_owned(), (version, keys.clone()));
        }
        Ok(keys)
    }

    /// The org's parsed decryption keys, if parsed from exactly these key ids.
    pub fn cached_decryption_keys(&self, org: &str, ids: &[String]) -> Option<Arc<DecryptionKeys>> {
        let cache = self.decryption.lock().ok()?;
        cache
            .get(org)
            .filter(|(cached, _)| cached.as_slice() == ids)
            .map(|(_, keys)| keys.clone())
    }

    pub fn cache_decryption_keys(&self, org: &str, ids: Vec<String>, keys: Arc<DecryptionKeys>) {
        if let Ok(mut cache) = self.decryption.lock() {
            cache.insert(org.to_owned(), (ids, keys));
        }
    }
}
