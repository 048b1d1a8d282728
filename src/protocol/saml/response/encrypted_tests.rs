//! Unit tests of encrypted assertions (CONTRACT.md §17): every allowed combination opens and
//! then passes every check of §7; each attack shape is refused with its own reason.

use super::*;
use crate::protocol::saml::test_idp::{ResponseSpec, SignMode, TestIdp};
use crate::protocol::saml::test_idp_encrypt::{self as enc, Encryption};
use crate::protocol::saml::xmlenc::{DecryptionKey, DecryptionKeys};

const KEY: &str = include_str!("../../../../tests/fixtures/saml/idp.key");
const CERT: &str = include_str!("../../../../tests/fixtures/saml/idp.crt");
/// The SP's encryption key pair in these tests, and another organization's.
const SP_KEY: &str = include_str!("../../../../tests/fixtures/saml/idp2.key");
const SP_CERT: &str = include_str!("../../../../tests/fixtures/saml/idp2.crt");
const OTHER_SP_KEY: &str = include_str!("../../../../tests/fixtures/saml/attacker.key");
const OTHER_SP_CERT: &str = include_str!("../../../../tests/fixtures/saml/attacker.crt");
const IDP: &str = "https://idp.example.test/";
const SP: &str = "http://sp.test/auth/saml/acme/metadata";
const ACS: &str = "http://sp.test/auth/saml/acme/callback";
const NOW: i64 = 1_790_000_000_000;

fn decryption_key(id: &str, pem: &str) -> std::sync::Arc<DecryptionKey> {
    let der = crate::protocol::certs::private_key_pem_to_der(pem).expect("pem");
    std::sync::Arc::new(DecryptionKey::from_pkcs8(id, &der).expect("key"))
}

fn ring(pems: &[(&str, &str)]) -> DecryptionKeys {
    DecryptionKeys(pems.iter().map(|(id, p)| decryption_key(id, p)).collect())
}

fn run(xml: &str, decryption: Option<&DecryptionKeys>) -> Result<ValidatedResponse, Rejection> {
    use base64::Engine;
    let ders = vec![crate::protocol::certs::pem_to_der(CERT).expect("pem")];
    let keys = TrustedKeys::from_der_certs(&ders).expect("keys");
    let ctx = ValidationContext {
        sp_entity_id: SP,
        acs_url: ACS,
        idp_entity_id: IDP,
        keys: &keys,
        expected_request_id: None,
        allow_unsolicited: true,
        clock_skew_ms: 60_000,
        now: NOW,
        decryption_keys: decryption,
    };
    validate(&base64::engine::general_purpose::STANDARD.encode(xml), &ctx)
}

fn encrypted(sign: SignMode, e: Encryption) -> String {
    let mut s = ResponseSpec::new(IDP, SP, ACS, "alice@acme.com", NOW);
    s.sign = sign;
    s.encryption = Some(e);
    TestIdp::new(KEY, CERT).response_xml(&s).expect("response")
}

fn with(transport: &'static str, content: &'static str, inside: bool) -> Encryption {
    Encryption {
        cert_pem: SP_CERT.into(),
        key_transport: transport,
        content,
        key_inside: inside,
    }
}

#[test]
fn every_allowed_combination_opens_and_passes_every_check() {
    let keys = ring(&[("spk_1", SP_KEY)]);
    let cases = [
        (
            SignMode::Assertion,
            enc::RSA_OAEP_MGF1P,
            enc::AES256_GCM,
            true,
        ),
        (
            SignMode::Assertion,
            enc::RSA_OAEP_SHA256,
            enc::AES128_GCM,
            false,
        ),
        (
            SignMode::Response,
            enc::RSA_OAEP_MGF1P,
            enc::AES256_GCM,
            true,
        ),
        (
            SignMode::Response,
            enc::RSA_OAEP_MGF1P,
            enc::AES256_CBC,
            false,
        ),
        (SignMode::Both, enc::RSA_OAEP_SHA256, enc::AES256_CBC, true),
    ];
    for (sign, transport, content, inside) in cases {
        let xml = encrypted(sign, with(transport, content, inside));
        assert!(xml.contains("EncryptedAssertion") && !xml.contains("alice@"));
        let got = run(&xml, Some(&keys))
            .unwrap_or_else(|e| panic!("{sign:?} {transport} {content}: {e}"));
        assert_eq!(got.identity.name_id, "alice@acme.com");
        assert_eq!(got.decrypted_with.as_deref(), Some("spk_1"));
    }
}

#[test]
fn every_key_of_the_ring_is_tried_during_a_rotation() {
    let xml = encrypted(SignMode::Assertion, Encryption::new(SP_CERT));
    let keys = ring(&[("spk_next", OTHER_SP_KEY), ("spk_old", SP_KEY)]);
    let got = run(&xml, Some(&keys)).expect("the retired key still decrypts");
    assert_eq!(got.decrypted_with.as_deref(), Some("spk_old"));
}

#[test]
fn an_organization_that_does_not_accept_encryption_says_so() {
    let xml = encrypted(SignMode::Assertion, Encryption::new(SP_CERT));
    assert_eq!(run(&xml, None).unwrap_err(), Rejection::EncryptedAssertion);
}

#[test]
fn an_assertion_for_another_organizations_key_does_not_decrypt() {
    let xml = encrypted(SignMode::Assertion, Encryption::new(OTHER_SP_CERT));
    let keys = ring(&[("spk_1", SP_KEY)]);
    assert_eq!(
        run(&xml, Some(&keys)).unwrap_err(),
        Rejection::DecryptionFailed
    );
}

#[test]
fn rsa_1_5_key_transport_and_3des_content_are_weak() {
    let keys = ring(&[("spk_1", SP_KEY)]);
    let rsa15 = encrypted(
        SignMode::Response,
        with(enc::RSA_1_5, enc::AES256_GCM, true),
    );
    assert_eq!(
        run(&rsa15, Some(&keys)).unwrap_err(),
        Rejection::WeakAlgorithm
    );
    let des = encrypted(
        SignMode::Response,
        with(enc::RSA_OAEP_MGF1P, enc::TRIPLEDES_CBC, true),
    );
    assert_eq!(
        run(&des, Some(&keys)).unwrap_err(),
        Rejection::WeakAlgorithm
    );
}

#[test]
fn cbc_content_needs_a_signed_response_around_it() {
    let keys = ring(&[("spk_1", SP_KEY)]);
    let xml = encrypted(
        SignMode::Assertion,
        with(enc::RSA_OAEP_MGF1P, enc::AES256_CBC, true),
    );
    assert_eq!(
        run(&xml, Some(&keys)).unwrap_err(),
        Rejection::UnprotectedCbc
    );
}

fn flip_one_cipher_byte(xml: &str, which: usize) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let open = "<xenc:CipherValue>";
    let start = xml.match_indices(open).nth(which).expect("cipher value").0 + open.len();
    let end = start + xml[start..].find('<').expect("end");
    let mut bytes = b64.decode(&xml[start..end]).expect("base64");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    format!("{}{}{}", &xml[..start], b64.encode(bytes), &xml[end..])
}

#[test]
fn a_ciphertext_altered_in_one_byte_fails_with_one_reason() {
    let keys = ring(&[("spk_1", SP_KEY)]);
    let xml = encrypted(SignMode::Assertion, Encryption::new(SP_CERT));
    // CipherValue 0 is the wrapped key (inside KeyInfo), 1 the content.
    for which in [0, 1] {
        assert_eq!(
            run(&flip_one_cipher_byte(&xml, which), Some(&keys)).unwrap_err(),
            Rejection::DecryptionFailed,
            "cipher value {which}"
        );
    }
    // Under a Response signature, the altered ciphertext is caught by the signature first.
    let signed = encrypted(SignMode::Response, Encryption::new(SP_CERT));
    assert_eq!(
        run(&flip_one_cipher_byte(&signed, 1), Some(&keys)).unwrap_err(),
        Rejection::DigestMismatch
    );
}

#[test]
fn an_encrypted_assertion_neither_signed_inside_nor_covered_outside_is_refused() {
    let keys = ring(&[("spk_1", SP_KEY)]);
    let xml = encrypted(SignMode::Unsigned, Encryption::new(SP_CERT));
    assert_eq!(
        run(&xml, Some(&keys)).unwrap_err(),
        Rejection::SignatureMissing
    );
}

#[test]
fn a_signed_plain_assertion_beside_an_encrypted_one_is_refused() {
    let keys = ring(&[("spk_1", SP_KEY)]);
    let plain = TestIdp::new(KEY, CERT)
        .response_xml(&ResponseSpec::new(IDP, SP, ACS, "alice@acme.com", NOW))
        .expect("plain");
    let start = plain.find("<saml:Assertion ").expect("assertion");
    let end = plain.find("</saml:Assertion>").expect("end") + "</saml:Assertion>".len();
    let xml = encrypted(SignMode::Unsigned, Encryption::new(SP_CERT));
    let at = xml.find("<saml:EncryptedAssertion>").expect("encrypted");
    let wrapped = format!("{}{}{}", &xml[..at], &plain[start..end], &xml[at..]);
    assert_eq!(
        run(&wrapped, Some(&keys)).unwrap_err(),
        Rejection::AssertionCount
    );
}

#[test]
fn a_plaintext_that_is_no_single_assertion_is_refused_after_decryption() {
    let keys = ring(&[("spk_1", SP_KEY)]);
    let response = |inner: &str| {
        let e = enc::encrypt_assertion(inner, &Encryption::new(SP_CERT)).expect("encrypt");
        format!(
            concat!(
                r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" "#,
                r#"xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0" IssueInstant="2026-09-21T12:00:00Z">"#,
                r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{}</samlp:Response>"#
            ),
            e
        )
    };
    // A decryption bomb: entity expansion in the plaintext is refused before any parse.
    let laughs = r#"<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><saml:Assertion>&b;</saml:Assertion>"#;
    assert_eq!(
        run(&response(laughs), Some(&keys)).unwrap_err(),
        Rejection::DtdForbidden
    );
    // A plaintext nested deeper than any real assertion is malformed.
    let deep = format!(
        "{}{}",
        "<saml:Assertion>".repeat(200),
        "</saml:Assertion>".repeat(200)
    );
    assert_eq!(
        run(&response(&deep), Some(&keys)).unwrap_err(),
        Rejection::MalformedXml
    );
    // Two assertions in one ciphertext, or text that closes the Response early.
    let two = "<saml:Assertion ID=\"a\"/><saml:Assertion ID=\"b\"/>";
    assert_eq!(
        run(&response(two), Some(&keys)).unwrap_err(),
        Rejection::AssertionCount
    );
    let escape = "</samlp:Response><samlp:Response>";
    assert_eq!(
        run(&response(escape), Some(&keys)).unwrap_err(),
        Rejection::MalformedXml
    );
}

#[test]
fn a_cipher_reference_is_never_followed() {
    let keys = ring(&[("spk_1", SP_KEY)]);
    let xml = encrypted(SignMode::Assertion, Encryption::new(SP_CERT));
    let start = xml.rfind("<xenc:CipherData>").expect("content");
    let end = xml[start..].find("</xenc:CipherData>").expect("end") + start;
    let referenced = format!(
        "{}<xenc:CipherData><xenc:CipherReference URI=\"http://169.254.169.254/\"/>{}",
        &xml[..start],
        &xml[end..]
    );
    assert_eq!(
        run(&referenced, Some(&keys)).unwrap_err(),
        Rejection::DisallowedAlgorithm
    );
}
