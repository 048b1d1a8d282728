//! XML Encryption primitives for a SAML EncryptedAssertion (XML Encryption 1.1 §5): which
//! algorithms are allowed, the RSA-OAEP key unwrap and the AES-GCM / AES-CBC content
//! decryption. aws-lc does the cryptography: its RSA is constant-time, which matters here
//! because anyone may post a ciphertext (RustCrypto's `rsa` has the Marvin timing leak,
//! RUSTSEC-2023-0071).

use std::sync::Arc;

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{self, DecryptingKey, DecryptionContext, UnboundCipherKey};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rsa::{self as awsrsa, OaepAlgorithm, OaepPrivateDecryptingKey};

/// XML Encryption 1.0 namespace (EncryptedData, EncryptedKey, CipherValue).
pub const XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
/// XML Encryption 1.1 namespace (MGF).
pub const XENC11: &str = "http://www.w3.org/2009/xmlenc11#";

const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const RSA_OAEP_11: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
const TRIPLEDES: &str = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";
const MGF1_SHA1: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha1";
const MGF1_SHA256: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha256";
const MGF1_SHA384: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha384";
const MGF1_SHA512: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha512";

/// Why an algorithm is refused: known-broken (RSA 1.5, 3DES) or simply not allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlgorithmRefusal {
    Weak,
    Disallowed,
}

/// The key transport of an EncryptedKey: RSA-OAEP with one hash for the label digest and
/// MGF1 (aws-lc supports matched pairs only; a mixed pair is refused, never guessed).
pub fn key_transport(
    method: &str,
    digest: Option<&str>,
    mgf: Option<&str>,
) -> Result<&'static OaepAlgorithm, AlgorithmRefusal> {
    let digest = digest.unwrap_or(SHA1);
    let mgf = match method {
        // §5.5.2: rsa-oaep-mgf1p always uses MGF1 with SHA-1.
        RSA_OAEP_MGF1P if mgf.is_none() => MGF1_SHA1,
        RSA_OAEP_11 => mgf.unwrap_or(MGF1_SHA1),
        RSA_1_5 => return Err(AlgorithmRefusal::Weak),
        _ => return Err(AlgorithmRefusal::Disallowed),
    };
    match (digest, mgf) {
        (SHA1, MGF1_SHA1) => Ok(&awsrsa::OAEP_SHA1_MGF1SHA1),
        (SHA256, MGF1_SHA256) => Ok(&awsrsa::OAEP_SHA256_MGF1SHA256),
        (SHA384, MGF1_SHA384) => Ok(&awsrsa::OAEP_SHA384_MGF1SHA384),
        (SHA512, MGF1_SHA512) => Ok(&awsrsa::OAEP_SHA512_MGF1SHA512),
        _ => Err(AlgorithmRefusal::Disallowed),
    }
}

/// The content encryption of an EncryptedData (XML Encryption 1.1 §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentCipher {
    /// AES-GCM: 96-bit IV, ciphertext, 128-bit tag (§5.2.4). Authenticated.
    Gcm(usize),
    /// AES-CBC: 128-bit IV, ciphertext with ISO 10126 padding (§5.2.2). Not authenticated.
    Cbc(usize),
}

impl ContentCipher {
    pub fn parse(uri: &str) -> Result<Self, AlgorithmRefusal> {
        Ok(match uri {
            "http://www.w3.org/2009/xmlenc11#aes128-gcm" => Self::Gcm(16),
            "http://www.w3.org/2009/xmlenc11#aes192-gcm" => Self::Gcm(24),
            "http://www.w3.org/2009/xmlenc11#aes256-gcm" => Self::Gcm(32),
            "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => Self::Cbc(16),
            "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => Self::Cbc(24),
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => Self::Cbc(32),
            TRIPLEDES => return Err(AlgorithmRefusal::Weak),
            _ => return Err(AlgorithmRefusal::Disallowed),
        })
    }

    pub fn key_len(self) -> usize {
        match self {
            Self::Gcm(n) | Self::Cbc(n) => n,
        }
    }

    /// The plaintext, or None for any failure (wrong key, altered bytes, bad padding).
    pub fn decrypt(self, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        match self {
            Self::Gcm(_) => gcm_open(key, data),
            Self::Cbc(_) => cbc_open(key, data),
        }
    }
}

fn gcm_open(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let algorithm = match key.len() {
        16 => &aead::AES_128_GCM,
        24 => &aead::AES_192_GCM,
        32 => &aead::AES_256_GCM,
        _ => return None,
    };
    if data.len() < aead::NONCE_LEN + algorithm.tag_len() {
        return None;
    }
    let (iv, sealed) = data.split_at(aead::NONCE_LEN);
    let key = LessSafeKey::new(UnboundKey::new(algorithm, key).ok()?);
    let nonce = Nonce::try_assume_unique_for_key(iv).ok()?;
    let mut in_out = sealed.to_vec();
    let plain_len = key
        .open_in_place(nonce, Aad::empty(), &mut in_out)
        .ok()?
        .len();
    in_out.truncate(plain_len);
    Some(in_out)
}

fn cbc_open(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let algorithm = match key.len() {
        16 => &cipher::AES_128,
        24 => &cipher::AES_192,
        32 => &cipher::AES_256,
        _ => return None,
    };
    if data.len() < 32 || data.len() % 16 != 0 {
        return None;
    }
    let (iv, ciphertext) = data.split_at(16);
    let iv: [u8; 16] = iv.try_into().ok()?;
    let key = DecryptingKey::cbc(UnboundCipherKey::new(algorithm, key).ok()?).ok()?;
    let mut in_out = ciphertext.to_vec();
    let len = key
        .decrypt(&mut in_out, DecryptionContext::Iv128(FixedLength::from(iv)))
        .ok()?
        .len();
    // ISO 10126 padding: the last byte says how many bytes to drop (1..=16); the others
    // are arbitrary, so only the count is checked.
    let pad = usize::from(*in_out.get(len.checked_sub(1)?)?);
    if pad == 0 || pad > 16 || pad > len {
        return None;
    }
    in_out.truncate(len - pad);
    Some(in_out)
}

/// One SP decryption key of an organization (a private key of its encryption key ring).
pub struct DecryptionKey {
    pub key_id: String,
    key: OaepPrivateDecryptingKey,
}

impl std::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DecryptionKey({}, <redacted>)", self.key_id)
    }
}

impl DecryptionKey {
    /// From an RSA private key in PKCS#8 DER.
    pub fn from_pkcs8(key_id: &str, der: &[u8]) -> Result<Self, String> {
        let private = awsrsa::PrivateDecryptingKey::from_pkcs8(der)
            .map_err(|_| "the SP encryption key does not parse".to_owned())?;
        let key = OaepPrivateDecryptingKey::new(private)
            .map_err(|_| "the SP encryption key is not usable for RSA-OAEP".to_owned())?;
        Ok(Self {
            key_id: key_id.to_owned(),
            key,
        })
    }
}

/// Every key an organization decrypts with (active, next and retired: an IdP may hold any
/// of them during a rotation).
#[derive(Debug, Default, Clone)]
pub struct DecryptionKeys(pub Vec<Arc<DecryptionKey>>);

/// One wrapped content key as an EncryptedKey carries it.
#[derive(Debug)]
pub struct WrappedKey {
    pub algorithm: &'static OaepAlgorithm,
    pub label: Option<Vec<u8>>,
    pub cipher: Vec<u8>,
}

/// Unwraps with every key and every EncryptedKey, always all of them, so the time taken
/// does not say which (if any) matched. The first unwrap of the right length wins.
pub fn unwrap_content_key(
    keys: &DecryptionKeys,
    wrapped: &[WrappedKey],
    key_len: usize,
) -> Option<(Vec<u8>, String)> {
    let mut found = None;
    for w in wrapped {
        for k in &keys.0 {
            let mut out = vec![0u8; k.key.min_output_size()];
            let unwrapped = k
                .key
                .decrypt(w.algorithm, &w.cipher, &mut out, w.label.as_deref());
            if let Ok(plain) = unwrapped {
                if found.is_none() && plain.len() == key_len {
                    found = Some((plain.to_vec(), k.key_id.clone()));
                }
            }
        }
    }
    found
}

#[cfg(test)]
#[path = "xmlenc_tests.rs"]
mod tests;
