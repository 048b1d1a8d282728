//! JOSE for the token service: JWS compact signing and verification (RFC 7515) with RS256,
//! ES256 and EdDSA, and JWK / JWKS rendering (RFC 7517). Built on aws-lc-rs, chosen by
//! measurement (Cargo.toml, bench/tokens/sign-bench): the fastest signer of the three
//! candidates, and the token endpoint signs on every request.

mod jws;
mod keys;

pub use jws::{decode_header, sign_compact, verify_compact, Header, JwsError};
pub use keys::{SigningKey, VerifyingKey};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The algorithms axid signs with: a closed set, so `alg` in a header is never trusted to
/// pick anything else (RFC 8725 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    Rs256,
    Es256,
    EdDsa,
}

impl Alg {
    pub const ALL: [Alg; 3] = [Alg::Rs256, Alg::Es256, Alg::EdDsa];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            "EdDSA" => Some(Self::EdDsa),
            _ => None,
        }
    }
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// `{"keys":[...]}` of the given public JWKs.
pub fn render_jwks<'a>(jwks: impl IntoIterator<Item = &'a serde_json::Value>) -> String {
    let keys: Vec<&serde_json::Value> = jwks.into_iter().collect();
    serde_json::json!({ "keys": keys }).to_string()
}
