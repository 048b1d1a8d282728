//! Per-replica SSO runtime: the data key, and the parsed IdP signing keys of each
//! organization's SAML configuration, cached per configuration version.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::clock::Millis;
use crate::config::Settings;
use crate::data_key::DataKeyring;
use crate::protocol::certs;
use crate::protocol::saml::response::TrustedKeys;

/// Per-replica SSO state: the data key and a cache of parsed IdP keys per organization,
/// refreshed whenever the stored configuration changes (its `updated_at`).
#[derive(Debug)]
pub struct SsoRuntime {
    pub keyring: DataKeyring,
    /// SAML validations running at once on the blocking pool (one per core).
    pub validation_slots: tokio::sync::Semaphore,
    trusted: Mutex<HashMap<String, (Millis, Arc<TrustedKeys>)>>,
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
}
