//! Unit tests of the validator: valid responses in every signing mode pass, and each
//! check refuses its own shape with its own reason.

use super::*;
use crate::protocol::saml::test_idp::{ResponseSpec, SignMode, TestIdp};

const KEY: &str = include_str!("../../../../tests/fixtures/saml/idp.key");
const CERT: &str = include_str!("../../../../tests/fixtures/saml/idp.crt");
const OTHER_CERT: &str = include_str!("../../../../tests/fixtures/saml/idp2.crt");
const IDP: &str = "https://idp.example.test/";
const SP: &str = "http://sp.test/auth/saml/acme/metadata";
const ACS: &str = "http://sp.test/auth/saml/acme/callback";
const NOW: i64 = 1_790_000_000_000;

fn keys(pems: &[&str]) -> TrustedKeys {
    let ders: Vec<Vec<u8>> = pems
        .iter()
        .map(|p| crate::protocol::certs::pem_to_der(p).expect("pem"))
        .collect();
    TrustedKeys::from_der_certs(&ders).expect("keys")
}

fn spec(sign: SignMode) -> ResponseSpec {
    let mut s = ResponseSpec::new(IDP, SP, ACS, "alice@acme.com", NOW);
    s.in_response_to = Some("_req1".into());
    s.sign = sign;
    s
}

fn run(b64: &str, keys: &TrustedKeys, now: i64) -> Result<ValidatedResponse, Rejection> {
    let ctx = ValidationContext {
        sp_entity_id: SP,
        acs_url: ACS,
        idp_entity_id: IDP,
        keys,
        expected_request_id: Some("_req1"),
        allow_unsolicited: false,
        clock_skew_ms: 60_000,
        now,
        decryption_keys: None,
    };
    validate(b64, &ctx)
}

fn b64(xml: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(xml)
}

#[test]
fn responses_signed_on_the_assertion_the_response_or_both_are_accepted() {
    let idp = TestIdp::new(KEY, CERT);
    for mode in [SignMode::Assertion, SignMode::Response, SignMode::Both] {
        let s = spec(mode);
        let got = run(&idp.response_b64(&s).unwrap(), &keys(&[CERT]), NOW)
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert_eq!(got.identity.name_id, "alice@acme.com");
        assert_eq!(got.identity.assertion_id, s.assertion_id);
        assert_eq!(
            got.identity.values("email"),
            Some(&["alice@acme.com".to_owned()][..])
        );
    }
}

#[test]
fn a_rotated_certificate_list_accepts_either_signer() {
    let idp = TestIdp::new(KEY, CERT);
    let b = idp.response_b64(&spec(SignMode::Assertion)).unwrap();
    assert!(run(&b, &keys(&[OTHER_CERT, CERT]), NOW).is_ok());
    assert_eq!(
        run(&b, &keys(&[OTHER_CERT]), NOW).unwrap_err(),
        Rejection::UntrustedSignature
    );
}

#[test]
fn unsigned_responses_are_refused() {
    let idp = TestIdp::new(KEY, CERT);
    let b = idp.response_b64(&spec(SignMode::Unsigned)).unwrap();
    assert_eq!(
        run(&b, &keys(&[CERT]), NOW).unwrap_err(),
        Rejection::SignatureMissing
    );
}

#[test]
fn content_changed_after_signing_is_a_digest_mismatch() {
    let idp = TestIdp::new(KEY, CERT);
    let xml = idp.response_xml(&spec(SignMode::Assertion)).unwrap();
    let changed = xml.replacen(">alice@acme.com<", ">mallory@acme.com<", 1);
    assert_eq!(
        run(&b64(&changed), &keys(&[CERT]), NOW).unwrap_err(),
        Rejection::DigestMismatch
    );
}

#[test]
fn time_windows_hold_within_the_skew_only() {
    let idp = TestIdp::new(KEY, CERT);
    let b = idp.response_b64(&spec(SignMode::Assertion)).unwrap();
    assert!(run(&b, &keys(&[CERT]), NOW + 330_000).is_ok());
    assert_eq!(
        run(&b, &keys(&[CERT]), NOW + 361_000).unwrap_err(),
        Rejection::Expired
    );
    assert_eq!(
        run(&b, &keys(&[CERT]), NOW - 61_000).unwrap_err(),
        Rejection::IssuedInFuture
    );
}

#[test]
fn comment_injection_in_the_name_id_is_refused() {
    let idp = TestIdp::new(KEY, CERT);
    // The attacker owns "alice@acme.com.evil.test" at the IdP and splits the signed text
    // with a comment, which exclusive c14n ignores, so the signature still verifies.
    let mut s = spec(SignMode::Assertion);
    s.name_id = "alice@acme.com.evil.test".into();
    let xml = idp.response_xml(&s).unwrap();
    let injected = xml.replacen(
        ">alice@acme.com.evil.test</saml:NameID>",
        ">alice@acme.com<!---->.evil.test</saml:NameID>",
        1,
    );
    assert_eq!(
        run(&b64(&injected), &keys(&[CERT]), NOW).unwrap_err(),
        Rejection::IdentityNotPlainText
    );
}

/// Property-style: mutations of a valid signed response (byte flips, truncations, spliced
/// XML fragments) and random bytes never panic the validator and never validate.
#[test]
fn mutated_and_random_inputs_never_panic_nor_pass() {
    use rand::{Rng, SeedableRng};
    let idp = TestIdp::new(KEY, CERT);
    let xml = idp.response_xml(&spec(SignMode::Both)).unwrap();
    let keys = keys(&[CERT]);
    let fragments = [
        "<",
        ">",
        "</saml:Assertion>",
        "<!--",
        "-->",
        "&amp;",
        "&x;",
        "<![CDATA[",
        "]]>",
        "\"",
        "<ds:Signature>",
        "xmlns:saml=\"x\"",
        "\u{0}",
        "\u{feff}",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5a31);
    for i in 0..1500 {
        let mut bytes = xml.clone().into_bytes();
        match i % 4 {
            0 => {
                for _ in 0..rng.gen_range(1..4) {
                    let at = rng.gen_range(0..bytes.len());
                    bytes[at] = rng.gen();
                }
            }
            1 => bytes.truncate(rng.gen_range(0..bytes.len())),
            2 => {
                let at = rng.gen_range(0..bytes.len());
                let frag = fragments[rng.gen_range(0..fragments.len())];
                bytes.splice(at..at, frag.bytes());
            }
            _ => bytes = (0..rng.gen_range(0..512)).map(|_| rng.gen()).collect(),
        }
        let encoded = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        };
        if let Ok(v) = run(&encoded, &keys, NOW) {
            // Only a flip inside insignificant whitespace or an ignored attribute value
            // may still verify; the identity must then be the signed one.
            assert_eq!(
                v.identity.name_id, "alice@acme.com",
                "mutation {i} changed the identity"
            );
        }
    }
}
