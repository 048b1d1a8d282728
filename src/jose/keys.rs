//! Key pairs (generated here, stored as PKCS#8 DER) and parsed public keys.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey, RsaKeyPair, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use serde_json::{json, Value};

use super::{b64, Alg};

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

/// A private key of the key ring, ready to sign.
pub struct SigningKey {
    alg: Alg,
    pair: Pair,
    rng: SystemRandom,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, <redacted>)", self.alg.as_str())
    }
}

impl SigningKey {
    /// A new key (RSA 2048, P-256 or Ed25519) and its PKCS#8 DER, to be stored encrypted.
    pub fn generate(alg: Alg) -> Result<(Self, Vec<u8>), String> {
        let fail = |_| format!("{} key generation failed", alg.as_str());
        let der = match alg {
            Alg::Rs256 => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(fail)?;
                AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
                    .map_err(fail)?
                    .as_ref()
                    .to_vec()
            }
            Alg::Es256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                    .map_err(fail)?
                    .as_ref()
                    .to_vec()
            }
            Alg::EdDsa => Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
                .map_err(fail)?
                .as_ref()
                .to_vec(),
        };
        Ok((Self::from_pkcs8(alg, &der)?, der))
    }

    pub fn from_pkcs8(alg: Alg, der: &[u8]) -> Result<Self, String> {
        let bad = |_| format!("stored {} key does not parse", alg.as_str());
        let pair = match alg {
            Alg::Rs256 => Pair::Rsa(RsaKeyPair::from_pkcs8(der).map_err(bad)?),
            Alg::Es256 => Pair::Ec(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).map_err(bad)?,
            ),
            Alg::EdDsa => Pair::Ed(Ed25519KeyPair::from_pkcs8(der).map_err(bad)?),
        };
        Ok(Self {
            alg,
            pair,
            rng: SystemRandom::new(),
        })
    }

    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The JWS signature of `message` (RFC 7518 §3.3, §3.4 fixed r||s; RFC 8037 §3.1).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let fail = |_| "signing failed".to_owned();
        match &self.pair {
            Pair::Rsa(pair) => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut sig)
                    .map_err(fail)?;
                Ok(sig)
            }
            Pair::Ec(pair) => Ok(pair
                .sign(&self.rng, message)
                .map_err(fail)?
                .as_ref()
                .to_vec()),
            Pair::Ed(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }

    /// The public JWK with `kid`, `alg` and `use: sig`.
    pub fn public_jwk(&self, kid: &str) -> Value {
        let mut jwk = match &self.pair {
            Pair::Rsa(pair) => {
                let public = pair.public_key();
                json!({"kty": "RSA",
                       "n": b64(public.modulus().big_endian_without_leading_zero()),
                       "e": b64(public.exponent().big_endian_without_leading_zero())})
            }
            Pair::Ec(pair) => {
                // Uncompressed SEC1 point: 0x04 || x (32) || y (32).
                let point = pair.public_key().as_ref();
                let (x, y) = point
                    .get(1..)
                    .unwrap_or_default()
                    .split_at(32.min(point.len().saturating_sub(1)));
                json!({"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y)})
            }
            Pair::Ed(pair) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref())})
            }
        };
        if let Some(map) = jwk.as_object_mut() {
            map.insert("kid".into(), json!(kid));
            map.insert("alg".into(), json!(self.alg.as_str()));
            map.insert("use".into(), json!("sig"));
        }
        jwk
    }

    /// The public half, parsed once for fast verification.
    pub fn verifying_key(&self) -> Result<VerifyingKey, String> {
        let (algorithm, bytes): (
            &'static dyn aws_lc_rs::signature::VerificationAlgorithm,
            &[u8],
        ) = match &self.pair {
            Pair::Rsa(pair) => (&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref()),
            Pair::Ec(pair) => (&ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref()),
            Pair::Ed(pair) => (&ED25519, pair.public_key().as_ref()),
        };
        let key = ParsedPublicKey::new(algorithm, bytes).map_err(|_| "public key rejected")?;
        Ok(VerifyingKey { alg: self.alg, key })
    }
}

/// A public key of the ring, parsed once (aws-lc-rs `ParsedPublicKey` skips the per-call
/// key parsing of `UnparsedPublicKey`).
pub struct VerifyingKey {
    alg: Alg,
    key: ParsedPublicKey,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifyingKey({})", self.alg.as_str())
    }
}

impl VerifyingKey {
    pub fn alg(&self) -> Alg {
        self.alg
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }
}
