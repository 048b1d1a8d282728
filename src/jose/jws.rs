//! JWS compact serialization (RFC 7515 §7.1): sign, and verify against the key ring's own
//! keys only. The header never chooses the key or algorithm beyond naming a known `kid`
//! whose algorithm it must repeat (RFC 8725 §3.1, §3.10).

use serde_json::Value;

use super::{b64, unb64, Alg, SigningKey, VerifyingKey};

/// Longer tokens are refused before any decoding.
const MAX_TOKEN_LEN: usize = 16 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub alg: Alg,
    pub kid: String,
    pub typ: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("not a JWS compact token")]
    Malformed,
    #[error("algorithm not accepted")]
    UnsupportedAlg,
    #[error("no such key")]
    UnknownKey,
    #[error("signature does not verify")]
    BadSignature,
}

/// `header.payload.signature` with header `{"alg","kid","typ"}`.
pub fn sign_compact(
    key: &SigningKey,
    kid: &str,
    typ: &str,
    claims: &Value,
) -> Result<String, String> {
    let header = serde_json::json!({"alg": key.alg().as_str(), "kid": kid, "typ": typ});
    let mut out = b64(header.to_string().as_bytes());
    out.push('.');
    out.push_str(&b64(claims.to_string().as_bytes()));
    let signature = key.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64(&signature));
    Ok(out)
}

/// Reads the protected header without verifying anything (to pick the key by `kid`).
pub fn decode_header(token: &str) -> Result<Header, JwsError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwsError::Malformed);
    }
    let encoded = token.split('.').next().ok_or(JwsError::Malformed)?;
    let bytes = unb64(encoded).ok_or(JwsError::Malformed)?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| JwsError::Malformed)?;
    let map = value.as_object().ok_or(JwsError::Malformed)?;
    // RFC 7515 §4.1.11: extensions we do not understand make the token unacceptable.
    if map.contains_key("crit") {
        return Err(JwsError::UnsupportedAlg);
    }
    let alg = map
        .get("alg")
        .and_then(Value::as_str)
        .and_then(Alg::parse)
        .ok_or(JwsError::UnsupportedAlg)?;
    let kid = map
        .get("kid")
        .and_then(Value::as_str)
        .ok_or(JwsError::UnknownKey)?
        .to_owned();
    let typ = map.get("typ").and_then(Value::as_str).map(str::to_owned);
    Ok(Header { alg, kid, typ })
}

/// Verifies the signature with the key `find` returns for the header's `kid` and returns the
/// header and the claims object.
pub fn verify_compact<'k>(
    token: &str,
    find: impl FnOnce(&str) -> Option<&'k VerifyingKey>,
) -> Result<(Header, serde_json::Map<String, Value>), JwsError> {
    let header = decode_header(token)?;
    let mut parts = token.splitn(4, '.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed);
    };
    let key = find(&header.kid).ok_or(JwsError::UnknownKey)?;
    if key.alg() != header.alg {
        return Err(JwsError::UnsupportedAlg);
    }
    let signature = unb64(s).ok_or(JwsError::Malformed)?;
    let signed_len = h.len() + 1 + p.len();
    if !key.verify(&token.as_bytes()[..signed_len], &signature) {
        return Err(JwsError::BadSignature);
    }
    let payload = unb64(p).ok_or(JwsError::Malformed)?;
    match serde_json::from_slice(&payload) {
        Ok(Value::Object(claims)) => Ok((header, claims)),
        _ => Err(JwsError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(alg: Alg) -> (SigningKey, VerifyingKey) {
        let (key, der) = SigningKey::generate(alg).unwrap();
        let again = SigningKey::from_pkcs8(alg, &der).unwrap();
        (key, again.verifying_key().unwrap())
    }

    #[test]
    fn every_algorithm_signs_tokens_its_public_key_verifies() {
        for alg in Alg::ALL {
            let (signer, verifier) = key(alg);
            let token = sign_compact(&signer, "k1", "at+jwt", &json!({"sub": "x"})).unwrap();
            let (header, claims) =
                verify_compact(&token, |kid| (kid == "k1").then_some(&verifier)).unwrap();
            assert_eq!(header.alg, alg);
            assert_eq!(header.typ.as_deref(), Some("at+jwt"));
            assert_eq!(claims["sub"], "x");
            let jwk = signer.public_jwk("k1");
            assert_eq!(jwk["alg"], alg.as_str());
            assert_eq!(jwk["kid"], "k1");
        }
    }

    #[test]
    fn tampered_tokens_unknown_kids_and_swapped_algorithms_are_refused() {
        let (signer, verifier) = key(Alg::Rs256);
        let (_, ec_verifier) = key(Alg::Es256);
        let token = sign_compact(&signer, "k1", "at+jwt", &json!({"sub": "x"})).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = b64(json!({"sub": "admin"}).to_string().as_bytes());
        parts[1] = &forged;
        let tampered = parts.join(".");
        assert_eq!(
            verify_compact(&tampered, |_| Some(&verifier)).unwrap_err(),
            JwsError::BadSignature
        );
        assert_eq!(
            verify_compact(&token, |_| None).unwrap_err(),
            JwsError::UnknownKey
        );
        assert_eq!(
            verify_compact(&token, |_| Some(&ec_verifier)).unwrap_err(),
            JwsError::UnsupportedAlg
        );
        let none = format!("{}.{}.", b64(br#"{"alg":"none","kid":"k1"}"#), parts[1]);
        assert_eq!(
            verify_compact(&none, |_| Some(&verifier)).unwrap_err(),
            JwsError::UnsupportedAlg
        );
        assert_eq!(
            verify_compact("a.b", |_| Some(&verifier)).unwrap_err(),
            JwsError::Malformed
        );
        assert_eq!(
            verify_compact(&format!("{token}.x"), |_| Some(&verifier)).unwrap_err(),
            JwsError::Malformed
        );
    }
}
