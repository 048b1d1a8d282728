//! Unit-test helpers: signing keys generated in the test and a minimal JWS minter.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

use super::keys::KeySet;

pub fn rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("rsa key"))
}

pub fn ec_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[42u8; 32]).expect("ec key")
}

pub fn rsa_jwk(kid: &str) -> Value {
    let public = rsa_key().to_public_key();
    json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())})
}

pub fn ec_jwk(kid: &str) -> Value {
    let point = ec_key().verifying_key().to_sec1_point(false);
    let b = point.as_bytes();
    json!({"kty": "EC", "crv": "P-256", "kid": kid,
        "x": URL_SAFE_NO_PAD.encode(&b[1..33]), "y": URL_SAFE_NO_PAD.encode(&b[33..])})
}

pub fn key_set(jwks: &[Value]) -> KeySet {
    KeySet::parse(json!({ "keys": jwks }).to_string().as_bytes()).expect("jwks")
}

fn encode(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// Signs `claims` with `header.alg` using the test keys; `HS256` uses `hmac_secret`.
pub fn mint(header: &Value, claims: &Value, hmac_secret: &[u8]) -> String {
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
    let input = format!("{}.{}", encode(header), encode(claims));
    let sig: Vec<u8> = match header["alg"].as_str().unwrap_or("none") {
        "RS256" => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa_key().clone())
            .sign(input.as_bytes())
            .to_vec(),
        "PS256" => rsa::pss::SigningKey::<sha2::Sha256>::new(rsa_key().clone())
            .sign_with_rng(&mut rand::rngs::OsRng, input.as_bytes())
            .to_vec(),
        "ES256" => {
            let s: p256::ecdsa::Signature =
                p256::ecdsa::signature::Signer::sign(&ec_key(), input.as_bytes());
            s.to_bytes().to_vec()
        }
        "HS256" => {
            use hmac::Mac;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(hmac_secret).expect("hmac");
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        _ => Vec::new(),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}
