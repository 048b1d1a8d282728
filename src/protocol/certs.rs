//! IdP signing certificates: PEM (or bare base64, as metadata carries them) to DER, their
//! validity window and fingerprint, so a configuration is checked for expiry when saved.

use base64::Engine;
use sha2::{Digest, Sha256};
use x509_cert::der::Decode;
use x509_cert::Certificate;

use crate::clock::Millis;

/// A parsed certificate as the configuration API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    pub der: Vec<u8>,
    pub subject: String,
    pub not_before: Millis,
    pub not_after: Millis,
    pub sha256_fingerprint: String,
}

/// The DER bytes of a PEM certificate or of bare base64 DER.
pub fn pem_to_der(text: &str) -> Result<Vec<u8>, String> {
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    if text.contains("-----BEGIN") && !text.contains("-----BEGIN CERTIFICATE-----") {
        return Err("expected a CERTIFICATE PEM block".into());
    }
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| "the certificate is not valid PEM or base64".to_owned())
}

/// The DER of a `PRIVATE KEY` (PKCS#8) PEM block.
pub fn private_key_pem_to_der(text: &str) -> Result<Vec<u8>, String> {
    if !text.contains("-----BEGIN PRIVATE KEY-----") {
        return Err("expected a PRIVATE KEY (PKCS#8) PEM block".into());
    }
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| "the private key is not valid PEM".to_owned())
}

fn millis(t: x509_cert::time::Time) -> Millis {
    i64::try_from(t.to_unix_duration().as_millis()).unwrap_or(Millis::MAX)
}

/// Parses one certificate; the error says what is wrong in a sentence.
pub fn parse_certificate(text: &str) -> Result<CertInfo, String> {
    let der = pem_to_der(text)?;
    let cert = Certificate::from_der(&der)
        .map_err(|_| "the certificate is not a valid X.509 certificate".to_owned())?;
    let validity = &cert.tbs_certificate.validity;
    Ok(CertInfo {
        subject: cert.tbs_certificate.subject.to_string(),
        not_before: millis(validity.not_before),
        not_after: millis(validity.not_after),
        sha256_fingerprint: hex::encode(Sha256::digest(&der)),
        der,
    })
}

/// PEM text of DER bytes, 64 characters a line.
pub fn der_to_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../tests/fixtures/saml/idp.crt");

    #[test]
    fn a_pem_certificate_parses_with_its_validity_window() {
        let info = parse_certificate(CERT).unwrap();
        assert!(info.subject.contains("axid test idp"), "{}", info.subject);
        assert!(info.not_after > info.not_before);
        assert_eq!(parse_certificate(&der_to_pem(&info.der)).unwrap(), info);
    }

    #[test]
    fn garbage_is_refused_with_a_sentence() {
        assert!(parse_certificate("hello").is_err());
        assert!(
            parse_certificate("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
    }
}
