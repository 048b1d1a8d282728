//! The per-organization SP signing key for AuthnRequests (SAML bindings §3.4.4.1 detached
//! query-string signature, RSA-SHA256): generated at first need, stored encrypted with the
//! SSO data key, its self-signed certificate published in the SP metadata.

use std::str::FromStr;
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

use crate::domain::OrgId;
use crate::protocol::certs::der_to_pem;
use crate::state::AppState;

/// SAML bindings §3.4.4.1 SigAlg for RSA-SHA256.
pub const SIG_ALG: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const CERT_LIFETIME: Duration = Duration::from_secs(10 * 366 * 86_400);

pub struct SpKey {
    key: RsaPrivateKey,
    pub certificate_pem: String,
}

impl SpKey {
    /// The certificate as bare base64 DER, as metadata carries it.
    pub fn certificate_b64(&self) -> String {
        self.certificate_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect()
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over the exact query octets.
    pub fn sign(&self, octets: &[u8]) -> Vec<u8> {
        SigningKey::<Sha256>::new(self.key.clone())
            .sign(octets)
            .to_vec()
    }
}

/// A new RSA-2048 key and its self-signed certificate (PKCS#8 DER, PEM).
fn generate(org: &OrgId) -> Result<(Vec<u8>, String), String> {
    let mut rng = rand::rngs::OsRng;
    let key = RsaPrivateKey::new(&mut rng, 2048).map_err(|e| format!("key generation: {e}"))?;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key())
        .map_err(|e| format!("spki: {e}"))?;
    let mut serial = [0u8; 16];
    rng.fill_bytes(&mut serial);
    serial[0] &= 0x7f;
    let serial = SerialNumber::new(&serial).map_err(|e| format!("serial: {e}"))?;
    let subject =
        Name::from_str(&format!("CN=axid SAML SP {org}")).map_err(|e| format!("name: {e}"))?;
    let validity = Validity::from_now(CERT_LIFETIME).map_err(|e| format!("validity: {e}"))?;
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
    Ok((key_der, der_to_pem(&cert_der)))
}

/// The org's SP key, generated and stored on first need (race-safe across replicas).
pub async fn sp_key(state: &AppState, org: &OrgId) -> Result<SpKey, String> {
    let record = match state
        .store
        .get_sp_key(org)
        .await
        .map_err(|e| e.to_string())?
    {
        Some(record) => record,
        None => {
            let owned = org.clone();
            let (key_der, cert_pem) = actix_web::web::block(move || generate(&owned))
                .await
                .map_err(|_| "key generation was interrupted".to_owned())??;
            let sealed = state.sso.keyring.encrypt(&key_der)?;
            state
                .store
                .put_sp_key_once(org, &sealed, &cert_pem, state.clock.now_ms())
                .await
                .map_err(|e| e.to_string())?
                .ok_or("the SP key was not stored")?
        }
    };
    let der = state.sso.keyring.decrypt(&record.private_key_enc)?;
    let key = RsaPrivateKey::from_pkcs8_der(&der)
        .map_err(|_| "the stored SP key does not parse".to_owned())?;
    Ok(SpKey {
        key,
        certificate_pem: record.certificate_pem,
    })
}
