//! AuthnRequest over the HTTP-Redirect binding (SAML core §3.4.1, bindings §3.4.4): an ID
//! of 160 random bits remembered server-side with the flow, DEFLATE + base64 + URL
//! encoding, an opaque RelayState (bindings §3.4.3, at most 80 bytes).

use std::io::Write;

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use base64::Engine;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use quick_xml::escape::escape;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::clock::{rfc3339, Millis};

/// How long a login flow waits for the IdP's answer.
pub const FLOW_TTL_MS: Millis = 15 * 60 * 1000;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

/// A new request id: `_` (IDs are xs:ID, which may not start with a digit) then 160 bits.
pub fn new_request_id() -> String {
    format!("_{}", hex::encode(random_bytes::<20>()))
}

/// A new RelayState: 256 random bits, base64url (43 characters).
pub fn new_relay_state() -> String {
    B64URL.encode(random_bytes::<32>())
}

/// What the flows table stores instead of the RelayState itself.
pub fn relay_state_hash(relay_state: &str) -> String {
    hex::encode(Sha256::digest(relay_state.as_bytes()))
}

pub fn authn_request_xml(
    id: &str,
    now: Millis,
    destination: &str,
    acs_url: &str,
    sp_entity_id: &str,
) -> String {
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" \
         IssueInstant=\"{now}\" Destination=\"{dest}\" AssertionConsumerServiceURL=\"{acs}\" \
         ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\">\
         <saml:Issuer>{issuer}</saml:Issuer><samlp:NameIDPolicy AllowCreate=\"true\"/></samlp:AuthnRequest>",
        id = escape(id),
        now = rfc3339(now),
        dest = escape(destination),
        acs = escape(acs_url),
        issuer = escape(sp_entity_id),
    )
}

/// The hints an OpenID provider request passes on (CONTRACT.md §13): `ForceAuthn` for
/// `prompt=login` (SAML core §3.4.1), and the login hint as the requested Subject's NameID
/// (§3.4.1: the IdP authenticates that principal), on the request `authn_request_xml` made.
pub fn with_hints(xml: String, force_authn: bool, login_hint: Option<&str>) -> String {
    let mut xml = xml;
    if force_authn {
        xml = xml.replacen(
            "<samlp:AuthnRequest ",
            "<samlp:AuthnRequest ForceAuthn=\"true\" ",
            1,
        );
    }
    if let Some(hint) = login_hint {
        let subject = format!(
            "<saml:Subject><saml:NameID>{}</saml:NameID></saml:Subject><samlp:NameIDPolicy",
            escape(hint)
        );
        xml = xml.replacen("<samlp:NameIDPolicy", &subject, 1);
    }
    xml
}

/// DEFLATE (RFC 1951, no zlib header) then base64 (bindings §3.4.4.1).
pub fn deflate_base64(xml: &str) -> String {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(xml.as_bytes());
    B64.encode(encoder.finish().unwrap_or_default())
}

fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The query string to sign or send: `SAMLRequest=..&RelayState=..[&SigAlg=..]`, each value
/// URL-encoded, in the order bindings §3.4.4.1 prescribes for the signature.
pub fn redirect_query(saml_request_b64: &str, relay_state: &str, sig_alg: Option<&str>) -> String {
    let mut query = format!(
        "SAMLRequest={}&RelayState={}",
        form_encode(saml_request_b64),
        form_encode(relay_state)
    );
    if let Some(alg) = sig_alg {
        query.push_str(&format!("&SigAlg={}", form_encode(alg)));
    }
    query
}

/// Appends a signature value to a signed query.
pub fn with_signature(query: String, signature: &[u8]) -> String {
    format!("{query}&Signature={}", form_encode(&B64.encode(signature)))
}

/// The IdP SSO URL with the query appended (the URL may already carry one).
pub fn redirect_url(idp_sso_url: &str, query: &str) -> String {
    let sep = if idp_sso_url.contains('?') { '&' } else { '?' };
    format!("{idp_sso_url}{sep}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::DeflateDecoder;
    use std::io::Read;

    #[test]
    fn request_ids_carry_at_least_128_random_bits_and_differ() {
        let a = new_request_id();
        assert_eq!(a.len(), 41);
        assert_ne!(a, new_request_id());
        assert!(new_relay_state().len() <= 80);
    }

    #[test]
    fn the_request_inflates_back_to_the_xml() {
        let xml = authn_request_xml(
            "_abc",
            0,
            "https://idp/sso",
            "https://sp/acs",
            "https://sp/md",
        );
        let b64 = deflate_base64(&xml);
        let mut out = String::new();
        DeflateDecoder::new(&B64.decode(b64).unwrap()[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, xml);
        assert!(redirect_url("https://idp/sso?app=1", "a=b").ends_with("sso?app=1&a=b"));
    }
}
