//! Fuzz target for the SAML response parser and validator: any bytes, posted raw (as the
//! base64 form value) or as XML text, must return a typed rejection, never panic.
#![no_main]

use std::sync::OnceLock;

use axid::protocol::saml::response::{validate, TrustedKeys, ValidationContext};
use base64::Engine;
use libfuzzer_sys::fuzz_target;

const CERT: &str = include_str!("../../tests/fixtures/saml/idp.crt");

fn keys() -> &'static TrustedKeys {
    static KEYS: OnceLock<TrustedKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let der = axid::protocol::certs::pem_to_der(CERT).expect("fixture certificate");
        TrustedKeys::from_der_certs(&[der]).expect("fixture key")
    })
}

fuzz_target!(|data: &[u8]| {
    let ctx = ValidationContext {
        sp_entity_id: "http://sp.test/auth/saml/acme/metadata",
        acs_url: "http://sp.test/auth/saml/acme/callback",
        idp_entity_id: "https://idp.example.test/",
        keys: keys(),
        expected_request_id: Some("_req1"),
        allow_unsolicited: false,
        clock_skew_ms: 60_000,
        now: 1_790_000_000_000,
        decryption_keys: None,
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = validate(text, &ctx);
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let _ = validate(&encoded, &ctx);
});
