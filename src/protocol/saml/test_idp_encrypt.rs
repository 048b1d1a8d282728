//! The scripted IdP's assertion encryption (XML Encryption 1.1, as Entra ID, Okta and AD FS
//! lay it out): a fresh AES key wrapped with the SP's certificate, the assertion's bytes
//! encrypted with it. Only tests and the benchmark use it; attack shapes (RSA 1.5, 3DES,
//! altered bytes) are options so the suite can build them.

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{self, EncryptingKey, EncryptionContext, UnboundCipherKey};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rsa::{
    OaepPublicEncryptingKey, Pkcs1PublicEncryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1,
    OAEP_SHA256_MGF1SHA256,
};
use base64::Engine;
use rand::RngCore;
use x509_cert::der::{Decode, Encode};

use crate::protocol::certs::pem_to_der;

pub const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
pub const RSA_OAEP_SHA256: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
pub const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
pub const AES256_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
pub const AES128_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
pub const AES256_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
pub const TRIPLEDES_CBC: &str = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc";

/// How the IdP encrypts: for which SP certificate, with which algorithms.
#[derive(Clone, Debug)]
pub struct Encryption {
    /// The SP encryption certificate (PEM) the content key is wrapped for.
    pub cert_pem: String,
    pub key_transport: &'static str,
    pub content: &'static str,
    /// EncryptedKey inside EncryptedData's KeyInfo (true) or as its sibling (false).
    pub key_inside: bool,
}

impl Encryption {
    /// What most IdPs send: RSA-OAEP (SHA-1) wrapping an AES-256-GCM key.
    pub fn new(cert_pem: &str) -> Self {
        Self {
            cert_pem: cert_pem.into(),
            key_transport: RSA_OAEP_MGF1P,
            content: AES256_GCM,
            key_inside: true,
        }
    }
}

fn public_key(cert_pem: &str) -> Result<PublicEncryptingKey, String> {
    let der = pem_to_der(cert_pem)?;
    let cert = x509_cert::Certificate::from_der(&der).map_err(|e| e.to_string())?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    PublicEncryptingKey::from_der(&spki).map_err(|e| e.to_string())
}

fn wrap(enc: &Encryption, cek: &[u8]) -> Result<Vec<u8>, String> {
    let key = public_key(&enc.cert_pem)?;
    let fail = |_| "key wrap failed".to_owned();
    if enc.key_transport == RSA_1_5 {
        let key = Pkcs1PublicEncryptingKey::new(key).map_err(fail)?;
        let mut out = vec![0u8; key.ciphertext_size()];
        return Ok(key.encrypt(cek, &mut out).map_err(fail)?.to_vec());
    }
    let alg = if enc.key_transport == RSA_OAEP_SHA256 {
        &OAEP_SHA256_MGF1SHA256
    } else {
        &OAEP_SHA1_MGF1SHA1
    };
    let key = OaepPublicEncryptingKey::new(key).map_err(fail)?;
    let mut out = vec![0u8; key.ciphertext_size()];
    Ok(key
        .encrypt(alg, cek, &mut out, None)
        .map_err(fail)?
        .to_vec())
}

fn seal(content: &str, cek: &[u8], plain: &[u8]) -> Result<Vec<u8>, String> {
    let fail = |_| "content encryption failed".to_owned();
    if content.ends_with("-gcm") {
        let alg = if cek.len() == 16 {
            &aead::AES_128_GCM
        } else {
            &aead::AES_256_GCM
        };
        let key = LessSafeKey::new(UnboundKey::new(alg, cek).map_err(fail)?);
        let mut iv = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut iv);
        let mut data = plain.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut data)
            .map_err(fail)?;
        return Ok([iv.as_slice(), &data].concat());
    }
    if content == TRIPLEDES_CBC {
        // Refused by algorithm before any decryption: the bytes only need to look right.
        let mut junk = vec![0u8; plain.len() + 16];
        rand::rngs::OsRng.fill_bytes(&mut junk);
        return Ok(junk);
    }
    let key = EncryptingKey::cbc(UnboundCipherKey::new(&cipher::AES_256, cek).map_err(fail)?)
        .map_err(fail)?;
    let mut iv = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut iv);
    let pad = 16 - plain.len() % 16;
    let mut data = plain.to_vec();
    data.extend(std::iter::repeat_n(pad as u8, pad));
    key.less_safe_encrypt(&mut data, EncryptionContext::Iv128(FixedLength::from(iv)))
        .map_err(fail)?;
    Ok([iv.as_slice(), &data].concat())
}

/// `plaintext` (an Assertion element) as a `saml:EncryptedAssertion` element.
pub fn encrypt_assertion(plaintext: &str, enc: &Encryption) -> Result<String, String> {
    let key_len = if enc.content == AES128_GCM { 16 } else { 32 };
    let mut cek = vec![0u8; key_len];
    rand::rngs::OsRng.fill_bytes(&mut cek);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let wrapped = b64(&wrap(enc, &cek)?);
    let data = b64(&seal(enc.content, &cek, plaintext.as_bytes())?);
    let digest = if enc.key_transport == RSA_OAEP_SHA256 {
        r#"<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><xenc11:MGF xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" Algorithm="http://www.w3.org/2009/xmlenc11#mgf1sha256"/>"#
    } else {
        ""
    };
    let encrypted_key = format!(
        concat!(
            r#"<xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="_k{id}">"#,
            r#"<xenc:EncryptionMethod Algorithm="{kt}">{digest}</xenc:EncryptionMethod>"#,
            r#"<xenc:CipherData><xenc:CipherValue>{wrapped}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>"#
        ),
        id = uuid::Uuid::new_v4().simple(),
        kt = enc.key_transport,
        digest = digest,
        wrapped = wrapped
    );
    let (inside, beside) = if enc.key_inside {
        (encrypted_key, String::new())
    } else {
        (String::new(), encrypted_key)
    };
    Ok(format!(
        concat!(
            r#"<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" "#,
            r#"xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Type="http://www.w3.org/2001/04/xmlenc#Element">"#,
            r#"<xenc:EncryptionMethod Algorithm="{content}"/><ds:KeyInfo>{inside}</ds:KeyInfo>"#,
            r#"<xenc:CipherData><xenc:CipherValue>{data}</xenc:CipherValue></xenc:CipherData>"#,
            r#"</xenc:EncryptedData>{beside}</saml:EncryptedAssertion>"#
        ),
        content = enc.content,
        inside = inside,
        data = data,
        beside = beside
    ))
}
