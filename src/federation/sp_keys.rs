//! Each organization's SP key ring (CONTRACT.md §17): an RSA-2048 signing key for
//! AuthnRequests (SAML bindings §3.4.4.1, RSA-SHA256) and, apart from it, an encryption key
//! for EncryptedAssertions, each with a self-signed certificate published in the SP
//! metadata. Keys are generated at first need (race-safe across replicas) and stored
//! encrypted with the data key; the rotation itself lives in `sp_key_rotation`.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use sha2::Sha256;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::Encode;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

use crate::clock::Millis;
use crate::domain::OrgId;
use crate::protocol::certs::der_to_pem;
use crate::protocol::saml::xmlenc::{DecryptionKey, DecryptionKeys};
use crate::state::AppState;
use crate::store::{KeyUse, NewSpKey, SpKeyRecord};

/// SAML bindings §3.4.4.1 SigAlg for RSA-SHA256.
pub const SIG_ALG: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// How long a new SP certificate is valid; the ring rotates it well before the end.
pub const CERT_LIFETIME_DAYS: i64 = 3 * 365;
const DAY_MS: i64 = 86_400_000;

/// The active signing key of an organization.
pub struct SpKey {
    key: RsaPrivateKey,
    pub certificate_pem: String,
}

impl SpKey {
    /// RSASSA-PKCS1-v1_5 with SHA-256 over the exact query octets.
    pub fn sign(&self, octets: &[u8]) -> Vec<u8> {
        SigningKey::<Sha256>::new(self.key.clone())
            .sign(octets)
            .to_vec()
    }
}

/// A certificate as bare base64 DER, as metadata carries it.
pub fn certificate_b64(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// A new RSA-2048 key and its self-signed certificate: PKCS#8 DER, PEM, not-after.
fn generate(
    org: &OrgId,
    key_use: KeyUse,
    now: Millis,
) -> Result<(Vec<u8>, String, Millis), String> {
    let mut rng = rand::rngs::OsRng;
    let key = RsaPrivateKey::new(&mut rng, 2048).map_err(|e| format!("key generation: {e}"))?;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key())
        .map_err(|e| format!("spki: {e}"))?;
    let mut serial = [0u8; 16];
    rng.fill_bytes(&mut serial);
    serial[0] &= 0x7f;
    let serial = SerialNumber::new(&serial).map_err(|e| format!("serial: {e}"))?;
    let subject = Name::from_str(&format!("CN=axid SAML SP {} {org}", key_use.as_str()))
        .map_err(|e| format!("name: {e}"))?;
    let lifetime = Duration::from_secs(CERT_LIFETIME_DAYS as u64 * 86_400);
    let validity = Validity::from_now(lifetime).map_err(|e| format!("validity: {e}"))?;
    let cert = CertificateBuilder::new(Profile::Root, serial, validity, subject, spki, &signer)
        .map_err(|e| format!("certificate: {e}"))?
        .build::<rsa::pkcs1v15::Signature>()
        .map_err(|e| format!("certificate: {e}"))?;
    let cert_der = cert.to_der().map_err(|e| format!("certificate: {e}"))?;
    let key_der = key
        .to_pkcs8_der()
        .map_err(|e| format!("key: {e}"))?
        .as_bytes()
        .to_vec();
    Ok((
        key_der,
        der_to_pem(&cert_der),
        now + CERT_LIFETIME_DAYS * DAY_MS,
    ))
}

/// Generates and stores a key in `state` (`active` at once, or `next` from `activates_at`);
/// false when another replica stored one in that state first.
pub async fn add_key(
    state: &AppState,
    org: &OrgId,
    key_use: KeyUse,
    key_state: &'static str,
    activates_at: Millis,
) -> Result<bool, String> {
    let now = state.clock.now_ms();
    let owned = org.clone();
    let (key_der, cert_pem, not_after) =
        actix_web::web::block(move || generate(&owned, key_use, now))
            .await
            .map_err(|_| "key generation was interrupted".to_owned())??;
    let sealed = state.sso.keyring.encrypt(&key_der)?;
    let key_id = format!("spk_{}", uuid::Uuid::new_v4().simple());
    let new = NewSpKey {
        key_id: &key_id,
        key_use,
        state: key_state,
        private_key_enc: &sealed,
        certificate_pem: &cert_pem,
        not_after,
        activates_at,
    };
    state
        .store
        .insert_sp_key(org, &new, now)
        .await
        .map_err(|e| e.to_string())
}

/// The org's keys of `key_use`, newest first, with an active one created if there was none.
pub async fn ring(
    state: &AppState,
    org: &OrgId,
    key_use: KeyUse,
) -> Result<Vec<SpKeyRecord>, String> {
    let keys = state
        .store
        .list_sp_keys(org, key_use)
        .await
        .map_err(|e| e.to_string())?;
    if keys.iter().any(|k| k.state == "active") {
        return Ok(keys);
    }
    add_key(state, org, key_use, "active", state.clock.now_ms()).await?;
    state
        .store
        .list_sp_keys(org, key_use)
        .await
        .map_err(|e| e.to_string())
}

/// The certificates an IdP should know: the active key and the next one (published before
/// it is used), as bare base64.
pub async fn published_certificates(
    state: &AppState,
    org: &OrgId,
    key_use: KeyUse,
) -> Result<Vec<String>, String> {
    Ok(ring(state, org, key_use)
        .await?
        .iter()
        .filter(|k| k.state != "retired")
        .map(|k| certificate_b64(&k.certificate_pem))
        .collect())
}

/// The org's active signing key.
pub async fn signing_key(state: &AppState, org: &OrgId) -> Result<SpKey, String> {
    let keys = ring(state, org, KeyUse::Signing).await?;
    let record = keys
        .into_iter()
        .find(|k| k.state == "active")
        .ok_or("no active SP signing key")?;
    let der = state.sso.keyring.decrypt(&record.private_key_enc)?;
    let key = RsaPrivateKey::from_pkcs8_der(&der)
        .map_err(|_| "the stored SP key does not parse".to_owned())?;
    Ok(SpKey {
        key,
        certificate_pem: record.certificate_pem,
    })
}

/// Every encryption key of the org (next, active, retired: an IdP may use any of them
/// during a rotation), parsed once per replica and ring version.
pub async fn decryption_keys(state: &AppState, org: &OrgId) -> Result<Arc<DecryptionKeys>, String> {
    let records = ring(state, org, KeyUse::Encryption).await?;
    let ids: Vec<String> = records.iter().map(|r| r.key_id.clone()).collect();
    if let Some(cached) = state.sso.cached_decryption_keys(org.as_str(), &ids) {
        return Ok(cached);
    }
    let mut keys = Vec::with_capacity(records.len());
    for r in &records {
        let der = state.sso.keyring.decrypt(&r.private_key_enc)?;
        keys.push(Arc::new(DecryptionKey::from_pkcs8(&r.key_id, &der)?));
    }
    let keys = Arc::new(DecryptionKeys(keys));
    state
        .sso
        .cache_decryption_keys(org.as_str(), ids, keys.clone());
    Ok(keys)
}
