//! Checks 1–4: from the posted form value to one parsed DOM. Size first (CONTRACT.md §7:
//! at most 256 KiB), then base64 (SAML bindings §3.5.4), then no DTD, then parse once.

use base64::Engine;
use bergshamra::xml::uppsala::{Document, Parser};

use super::reason::Rejection;

/// Largest accepted decoded response (CONTRACT.md §7).
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// Real responses nest a dozen levels; this bounds parser recursion.
const MAX_DEPTH: u32 = 48;

/// Check 1: the encoded form value cannot decode to more than the limit.
pub fn check_1_size(encoded: &str) -> Result<(), Rejection> {
    // base64 is 4 characters per 3 bytes; allow line breaks some IdPs insert.
    if encoded.len() > MAX_RESPONSE_BYTES / 3 * 4 + MAX_RESPONSE_BYTES / 64 + 16 {
        return Err(Rejection::Oversized);
    }
    Ok(())
}

/// Check 2: base64 (whitespace tolerated, as the POST binding allows line wrapping) of
/// UTF-8 text no larger than the limit.
pub fn check_2_base64(encoded: &str) -> Result<String, Rejection> {
    let compact: Vec<u8> = encoded
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|_| Rejection::MalformedEncoding)?;
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(Rejection::Oversized);
    }
    String::from_utf8(bytes).map_err(|_| Rejection::MalformedEncoding)
}

/// Check 3: no document type declaration at all (DTDs carry XXE and entity expansion;
/// SAML core §1.3 messages never need one). The parser below refuses them too.
pub fn check_3_no_dtd(xml: &str) -> Result<(), Rejection> {
    let has_doctype = xml
        .as_bytes()
        .windows(9)
        .any(|w| w.eq_ignore_ascii_case(b"<!DOCTYPE"));
    if has_doctype || xml.contains("<!ENTITY") {
        return Err(Rejection::DtdForbidden);
    }
    Ok(())
}

/// Check 4: parse once; every later check and the signature verification read this DOM.
pub fn check_4_parse(xml: &str) -> Result<Document<'_>, Rejection> {
    Parser::new()
        .with_forbid_dtd(true)
        .with_forbid_entities(true)
        .with_max_depth(MAX_DEPTH)
        .with_max_entity_expansion(0)
        .parse(xml)
        .map_err(|_| Rejection::MalformedXml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doctype_in_any_case_is_refused_before_parsing() {
        assert_eq!(
            check_3_no_dtd("<!doctype r [<!ENTITY x 'y'>]><r/>"),
            Err(Rejection::DtdForbidden)
        );
        assert_eq!(check_3_no_dtd("<r>ok</r>"), Ok(()));
    }

    #[test]
    fn oversized_input_is_refused_before_decoding() {
        let big = "A".repeat(400 * 1024);
        assert_eq!(check_1_size(&big), Err(Rejection::Oversized));
    }

    #[test]
    fn non_base64_and_non_utf8_are_malformed_encoding() {
        assert_eq!(check_2_base64("@@@"), Err(Rejection::MalformedEncoding));
        assert_eq!(check_2_base64("/w=="), Err(Rejection::MalformedEncoding));
        assert_eq!(check_2_base64("PHIv\nPg==").as_deref(), Ok("<r/>"));
    }
}
