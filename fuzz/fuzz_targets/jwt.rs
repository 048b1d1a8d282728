//! Fuzz target for the OIDC relying party's JWS/JWT reader (RFC 7515 §7.1, checks 1–2 of
//! the ID token validation): any text is a typed refusal or a parsed token, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = axid::protocol::oidc::id_token::parse(text);
    }
});
