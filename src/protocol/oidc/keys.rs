//! JSON Web Keys (RFC 7517) and JWS signature verification (RFC 7515, algorithms of RFC
//! 7518 §3 and RFC 8037), asymmetric algorithms only.
//!
//! Crate choice: RustCrypto (`rsa`, `p256`, `p384`, `ed25519-dalek`) directly rather than
//! `openidconnect` or `jsonwebtoken`. The allow-list is an enum that cannot name `none` or
//! an HMAC algorithm, so a symmetric key in a JWKS or the client secret can never verify a
//! token; each step fails with its own typed reason; time is always a parameter (nothing
//! here reads the clock); and the HTTP side stays under our SSRF guard. The same RustCrypto
//! crates are already compiled for the SAML verifier.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::traits::PublicKeyParts;
use serde_json::Value;

/// The only signature algorithms accepted on an ID token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    EdDsa,
}

impl Alg {
    /// `None` for everything off the allow-list: `none`, `HS256`/`HS384`/`HS512`, `ES512`,
    /// typos and case variants (JWA names are case-sensitive, RFC 7518 §3.1).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "RS256" => Self::Rs256,
            "RS384" => Self::Rs384,
            "RS512" => Self::Rs512,
            "PS256" => Self::Ps256,
            "PS384" => Self::Ps384,
            "PS512" => Self::Ps512,
            "ES256" => Self::Es256,
            "ES384" => Self::Es384,
            "EdDSA" => Self::EdDsa,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::EdDsa => "EdDSA",
        }
    }
}

/// RSA keys shorter than this are ignored (NIST SP 800-131A).
pub const MIN_RSA_BITS: usize = 2048;

#[derive(Clone, Debug)]
pub enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl PublicKey {
    fn fits(&self, alg: Alg) -> bool {
        use Alg::*;
        matches!(
            (self, alg),
            (Self::Rsa(_), Rs256 | Rs384 | Rs512 | Ps256 | Ps384 | Ps512)
                | (Self::P256(_), Es256)
                | (Self::P384(_), Es384)
                | (Self::Ed25519(_), EdDsa)
        )
    }

    /// Verifies a JWS signature over `input` (RFC 7515 §5.2 step 8). ECDSA signatures are
    /// the raw `R || S` form of RFC 7518 §3.4, never DER.
    pub fn verify(&self, alg: Alg, input: &[u8], sig: &[u8]) -> bool {
        use rsa::signature::Verifier as _;
        use sha2::{Sha256, Sha384, Sha512};
        match (self, alg) {
            (Self::Rsa(k), Alg::Rs256) => pkcs1::<Sha256>(k, input, sig),
            (Self::Rsa(k), Alg::Rs384) => pkcs1::<Sha384>(k, input, sig),
            (Self::Rsa(k), Alg::Rs512) => pkcs1::<Sha512>(k, input, sig),
            (Self::Rsa(k), Alg::Ps256) => pss::<Sha256>(k, input, sig),
            (Self::Rsa(k), Alg::Ps384) => pss::<Sha384>(k, input, sig),
            (Self::Rsa(k), Alg::Ps512) => pss::<Sha512>(k, input, sig),
            (Self::P256(k), Alg::Es256) => p256::ecdsa::Signature::from_slice(sig)
                .is_ok_and(|s| p256::ecdsa::signature::Verifier::verify(k, input, &s).is_ok()),
            (Self::P384(k), Alg::Es384) => p384::ecdsa::Signature::from_slice(sig)
                .is_ok_and(|s| p384::ecdsa::signature::Verifier::verify(k, input, &s).is_ok()),
            (Self::Ed25519(k), Alg::EdDsa) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify_strict(input, &s).is_ok() && k.verify(input, &s).is_ok()),
            _ => false,
        }
    }
}

fn pkcs1<D>(key: &rsa::RsaPublicKey, input: &[u8], sig: &[u8]) -> bool
where
    D: sha2::Digest + rsa::pkcs8::AssociatedOid,
{
    use rsa::signature::Verifier as _;
    let Ok(sig) = rsa::pkcs1v15::Signature::try_from(sig) else {
        return false;
    };
    rsa::pkcs1v15::VerifyingKey::<D>::new(key.clone())
        .verify(input, &sig)
        .is_ok()
}

fn pss<D>(key: &rsa::RsaPublicKey, input: &[u8], sig: &[u8]) -> bool
where
    D: sha2::Digest + sha2::digest::FixedOutputReset,
{
    use rsa::signature::Verifier as _;
    let Ok(sig) = rsa::pss::Signature::try_from(sig) else {
        return false;
    };
    // RFC 7518 §3.5: the salt is as long as the hash output.
    rsa::pss::VerifyingKey::<D>::new(key.clone())
        .verify(input, &sig)
        .is_ok()
}

/// One usable signing key from a JWKS.
#[derive(Clone, Debug)]
pub struct Jwk {
    pub kid: Option<String>,
    /// The key's own `alg`, when the provider pins one (RFC 7517 §4.4).
    pub alg: Option<String>,
    pub key: PublicKey,
}

/// The usable keys of a JWKS document. Symmetric (`oct`), encryption-only, undersized and
/// unknown keys are dropped at parse time, so they can never be chosen.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    pub keys: Vec<Jwk>,
}

impl KeySet {
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let doc: Value =
            serde_json::from_slice(body).map_err(|_| "the JWKS is not JSON".to_owned())?;
        let list = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| "the JWKS has no \"keys\" array".to_owned())?;
        let keys = list.iter().filter_map(parse_jwk).collect();
        Ok(Self { keys })
    }

    /// The key for a token header: the one with this `kid`, or with no `kid` in the header
    /// the only key that fits the algorithm. The key must fit `alg` and, when it names an
    /// `alg` itself, name the same one.
    pub fn find(&self, kid: Option<&str>, alg: Alg) -> Option<&Jwk> {
        let mut fitting = self
            .keys
            .iter()
            .filter(|k| k.key.fits(alg) && k.alg.as_deref().is_none_or(|a| a == alg.name()));
        match kid {
            Some(kid) => fitting.find(|k| k.kid.as_deref() == Some(kid)),
            None => {
                let first = fitting.next()?;
                fitting.next().is_none().then_some(first)
            }
        }
    }

    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }
}

fn b64(v: &Value, field: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(v.get(field)?.as_str()?.trim_end_matches('='))
        .ok()
}

fn parse_jwk(v: &Value) -> Option<Jwk> {
    let text = |f: &str| v.get(f).and_then(Value::as_str).map(str::to_owned);
    if text("use").is_some_and(|u| u != "sig") {
        return None;
    }
    if let Some(ops) = v.get("key_ops").and_then(Value::as_array) {
        if !ops.iter().any(|o| o.as_str() == Some("verify")) {
            return None;
        }
    }
    let key = match (text("kty")?.as_str(), text("crv").as_deref()) {
        ("RSA", _) => {
            let n = rsa::BigUint::from_bytes_be(&b64(v, "n")?);
            let e = rsa::BigUint::from_bytes_be(&b64(v, "e")?);
            let key = rsa::RsaPublicKey::new_with_max_size(n, e, 8192).ok()?;
            if key.n().bits() < MIN_RSA_BITS {
                return None;
            }
            PublicKey::Rsa(key)
        }
        ("EC", Some("P-256")) => {
            PublicKey::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1(v, 32)?).ok()?)
        }
        ("EC", Some("P-384")) => {
            PublicKey::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1(v, 48)?).ok()?)
        }
        ("OKP", Some("Ed25519")) => {
            let x: [u8; 32] = b64(v, "x")?.try_into().ok()?;
            PublicKey::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&x).ok()?)
        }
        _ => return None,
    };
    Some(Jwk {
        kid: text("kid"),
        alg: text("alg"),
        key,
    })
}

/// Uncompressed SEC1 point `04 || x || y` from a JWK's coordinates (RFC 7518 §6.2.1).
fn sec1(v: &Value, len: usize) -> Option<Vec<u8>> {
    let (x, y) = (b64(v, "x")?, b64(v, "y")?);
    if x.len() != len || y.len() != len {
        return None;
    }
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(4);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    Some(point)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_allow_list_names_no_symmetric_or_none_algorithm() {
        for bad in [
            "none", "None", "HS256", "HS384", "HS512", "rs256", "ES512", "",
        ] {
            assert_eq!(Alg::parse(bad), None, "{bad}");
        }
        assert_eq!(Alg::parse("RS256"), Some(Alg::Rs256));
        assert_eq!(Alg::parse("EdDSA").map(Alg::name), Some("EdDSA"));
    }

    #[test]
    fn symmetric_encryption_and_malformed_keys_are_dropped() {
        let doc = json!({"keys": [
            {"kty": "oct", "kid": "h", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "tiny", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "kid": "bad", "crv": "P-256", "x": "AA", "y": "AA"}
        ]});
        let set = KeySet::parse(doc.to_string().as_bytes()).unwrap();
        assert!(set.keys.is_empty());
        assert!(KeySet::parse(b"{}").is_err());
    }

    #[test]
    fn ecdsa_signatures_verify_in_raw_form_only() {
        use p256::ecdsa::signature::Signer;
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let point = sk.verifying_key().to_sec1_point(false);
        let bytes = point.as_bytes();
        let jwk = json!({"kty": "EC", "crv": "P-256", "kid": "e1",
            "x": URL_SAFE_NO_PAD.encode(&bytes[1..33]), "y": URL_SAFE_NO_PAD.encode(&bytes[33..])});
        let set = KeySet::parse(json!({"keys": [jwk]}).to_string().as_bytes()).unwrap();
        let key = set.find(Some("e1"), Alg::Es256).expect("key");
        let sig: p256::ecdsa::Signature = sk.sign(b"payload");
        assert!(key.key.verify(Alg::Es256, b"payload", &sig.to_bytes()));
        assert!(!key.key.verify(Alg::Es256, b"payload!", &sig.to_bytes()));
        assert!(!key.key.verify(Alg::Rs256, b"payload", &sig.to_bytes()));
        assert!(set.find(Some("e1"), Alg::Rs256).is_none());
    }
}
