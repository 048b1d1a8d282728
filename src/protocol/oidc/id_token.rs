//! ID token verification (OIDC Core 1.0 §3.1.3.7) as a numbered sequence of small checks,
//! each failing with its own typed reason. The payload is decoded only after the signature
//! verified; time comes in as a parameter.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::keys::{Alg, KeySet, PublicKey};
use super::reason::OidcReason;

/// Tokens longer than this are refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// A compact JWS whose header passed checks 1 and 2; not yet trusted.
#[derive(Debug)]
pub struct ParsedToken<'a> {
    pub alg: Alg,
    pub kid: Option<String>,
    signing_input: &'a str,
    payload: &'a str,
    signature: Vec<u8>,
}

/// What the relying party expects of the token.
#[derive(Debug)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now_secs: i64,
    pub skew_secs: i64,
}

/// Claims of a verified token.
pub type Claims = Map<String, Value>;

fn decode(part: &str) -> Result<Vec<u8>, OidcReason> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| OidcReason::MalformedToken)
}

/// Check 1, shape: three base64url parts (RFC 7515 §7.1; a five-part JWE is refused), a JSON
/// header with no `crit` extension we would have to understand (RFC 7515 §4.1.11).
/// Check 2, algorithm: `alg` is on the asymmetric allow-list (never `none`, never HS*).
pub fn parse(token: &str) -> Result<ParsedToken<'_>, OidcReason> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(OidcReason::MalformedToken);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(OidcReason::MalformedToken);
    };
    let header: Value =
        serde_json::from_slice(&decode(header)?).map_err(|_| OidcReason::MalformedToken)?;
    let header = header.as_object().ok_or(OidcReason::MalformedToken)?;
    if header.contains_key("crit") {
        return Err(OidcReason::MalformedToken);
    }
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(Alg::parse)
        .ok_or(OidcReason::AlgNotAllowed)?;
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => return Err(OidcReason::MalformedToken),
    };
    let signing_input = &token[..token.len() - signature.len() - 1];
    Ok(ParsedToken {
        alg,
        kid,
        signing_input,
        payload,
        signature: decode(signature)?,
    })
}

/// Check 3, key: a key of the JWKS with the header's `kid` that fits the algorithm.
pub fn select_key<'k>(
    token: &ParsedToken<'_>,
    keys: &'k KeySet,
) -> Result<&'k PublicKey, OidcReason> {
    keys.find(token.kid.as_deref(), token.alg)
        .map(|jwk| &jwk.key)
        .ok_or(OidcReason::KidUnknown)
}

/// Check 4, signature (OIDC Core §3.1.3.7 item 6); then the payload is decoded as a JSON
/// object (RFC 7519 §7.2 steps 9-10).
pub fn verify_signature(token: &ParsedToken<'_>, key: &PublicKey) -> Result<Claims, OidcReason> {
    if !key.verify(token.alg, token.signing_input.as_bytes(), &token.signature) {
        return Err(OidcReason::SignatureInvalid);
    }
    match serde_json::from_slice(&decode(token.payload)?) {
        Ok(Value::Object(claims)) => Ok(claims),
        _ => Err(OidcReason::MalformedToken),
    }
}

/// Checks 5 to 11 on the claims of a token whose signature verified.
pub fn check_claims(claims: &Claims, want: &Expected<'_>) -> Result<(), OidcReason> {
    check_issuer(claims, want)?;
    check_audience(claims, want)?;
    check_azp(claims, want)?;
    check_expiry(claims, want)?;
    check_not_before(claims, want)?;
    check_issued_at(claims, want)?;
    check_nonce(claims, want)
}

/// Check 5 (§3.1.3.7 item 2): `iss` is exactly the configured issuer.
fn check_issuer(claims: &Claims, want: &Expected<'_>) -> Result<(), OidcReason> {
    match claims.get("iss").and_then(Value::as_str) {
        Some(iss) if iss == want.issuer => Ok(()),
        _ => Err(OidcReason::IssuerMismatch),
    }
}

fn audiences(claims: &Claims) -> Result<Vec<&str>, OidcReason> {
    match claims.get("aud") {
        Some(Value::String(one)) => Ok(vec![one.as_str()]),
        Some(Value::Array(many)) if !many.is_empty() => many
            .iter()
            .map(|a| a.as_str().ok_or(OidcReason::AudienceMismatch))
            .collect(),
        _ => Err(OidcReason::AudienceMismatch),
    }
}

/// Check 6 (item 3): `aud` contains our client_id (a string or an array, RFC 7519 §4.1.3).
fn check_audience(claims: &Claims, want: &Expected<'_>) -> Result<(), OidcReason> {
    if audiences(claims)?.contains(&want.client_id) {
        Ok(())
    } else {
        Err(OidcReason::AudienceMismatch)
    }
}

/// Check 7 (items 4-5): with several audiences `azp` must be present; when present it must
/// be our client_id.
fn check_azp(claims: &Claims, want: &Expected<'_>) -> Result<(), OidcReason> {
    let several = audiences(claims)?.len() > 1;
    match claims.get("azp") {
        None if !several => Ok(()),
        Some(Value::String(azp)) if azp == want.client_id => Ok(()),
        _ => Err(OidcReason::AzpMismatch),
    }
}

/// A NumericDate (RFC 7519 §2): seconds, possibly fractional.
fn numeric_date(claims: &Claims, name: &str) -> Result<Option<i64>, OidcReason> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| {
                v.as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| f.floor() as i64)
            })
            .map(Some)
            .ok_or(OidcReason::MalformedToken),
    }
}

/// Check 8 (item 9): `exp` is required and not passed, within the skew.
fn check_expiry(claims: &Claims, want: &Expected<'_>) -> Result<(), OidcReason> {
    match numeric_date(claims, "exp")? {
        Some(exp) if want.now_secs < exp.saturating_add(want.skew_secs) => Ok(()),
        _ => Err(OidcReason::TokenExpired),
    }
}

/// Check 9 (RFC 7519 §4.1.5): `nbf`, when sent, has been reached, within the skew.
fn check_not_before(claims: &Claims, want: &Expected<'_>) -> Result<(), OidcReason> {
    match numeric_date(claims, "nbf")? {
        Some(nbf) if nbf > want.now_secs.saturating_add(want.skew_secs) => {
            Err(OidcReason::TokenNotYetValid)
        }
        _ => Ok(()),
    }
}

/// Check 10 (item 10): `iat` is required and not in the future, within the skew.
fn check_issued_at(claims: &Claims, want: &Expected<'_>) -> Result<(), OidcReason> {
    match numeric_date(claims, "iat")? {
        Some(iat) if iat <= want.now_secs.saturating_add(want.skew_secs) => Ok(()),
        Some(_) => Err(OidcReason::IssuedInFuture),
        None => Err(OidcReason::MalformedToken),
    }
}

/// Check 11 (item 11, §15.5.2): `nonce` equals the one this flow sent, compared in
/// constant time.
fn check_nonce(claims: &Claims, want: &Expected<'_>) -> Result<(), OidcReason> {
    match claims.get("nonce").and_then(Value::as_str) {
        Some(n) if bool::from(n.as_bytes().ct_eq(want.nonce.as_bytes())) => Ok(()),
        _ => Err(OidcReason::NonceMismatch),
    }
}

/// Every check in order against a key set already in hand.
pub fn verify(token: &str, keys: &KeySet, want: &Expected<'_>) -> Result<Claims, OidcReason> {
    let parsed = parse(token)?;
    let key = select_key(&parsed, keys)?;
    let claims = verify_signature(&parsed, key)?;
    check_claims(&claims, want)?;
    Ok(claims)
}

#[cfg(test)]
#[path = "id_token_tests.rs"]
mod tests;
