//! Fuzz target for IdP metadata parsing (SAML metadata §2.4.3): any text an admin pastes or
//! a metadata URL answers is parsed or refused with a message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = axid::protocol::saml::idp_metadata::parse_idp_metadata(text);
    }
});
