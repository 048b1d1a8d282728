//! The algorithm allow-list of XML Encryption (CONTRACT.md §17).

use super::*;

#[test]
fn only_rsa_oaep_with_a_matched_hash_pair_transports_keys() {
    assert!(key_transport(RSA_OAEP_MGF1P, None, None).is_ok());
    assert!(key_transport(RSA_OAEP_MGF1P, Some(SHA1), None).is_ok());
    assert!(key_transport(RSA_OAEP_11, Some(SHA256), Some(MGF1_SHA256)).is_ok());
    assert!(key_transport(RSA_OAEP_11, None, None).is_ok());
    assert_eq!(
        key_transport(RSA_1_5, None, None).unwrap_err(),
        AlgorithmRefusal::Weak
    );
    // rsa-oaep-mgf1p fixes MGF1-SHA1 (XML Encryption §5.5.2): a SHA-256 digest beside it is a
    // mixed pair, which aws-lc does not do; refused rather than guessed.
    assert_eq!(
        key_transport(RSA_OAEP_MGF1P, Some(SHA256), None).unwrap_err(),
        AlgorithmRefusal::Disallowed
    );
    assert_eq!(
        key_transport("urn:nope", None, None).unwrap_err(),
        AlgorithmRefusal::Disallowed
    );
}

#[test]
fn content_ciphers_are_aes_gcm_and_aes_cbc_only() {
    assert_eq!(
        ContentCipher::parse("http://www.w3.org/2009/xmlenc11#aes256-gcm"),
        Ok(ContentCipher::Gcm(32))
    );
    assert_eq!(
        ContentCipher::parse("http://www.w3.org/2001/04/xmlenc#aes128-cbc"),
        Ok(ContentCipher::Cbc(16))
    );
    assert_eq!(ContentCipher::parse(TRIPLEDES), Err(AlgorithmRefusal::Weak));
    assert_eq!(
        ContentCipher::parse("http://www.w3.org/2009/xmlenc11#aes256-ctr"),
        Err(AlgorithmRefusal::Disallowed)
    );
}

#[test]
fn short_or_misaligned_ciphertexts_fail_without_panicking() {
    let key = [7u8; 32];
    for len in [0, 1, 15, 16, 27, 33] {
        let data = vec![0u8; len];
        assert_eq!(
            ContentCipher::Gcm(32).decrypt(&key, &data),
            None,
            "gcm {len}"
        );
        assert_eq!(
            ContentCipher::Cbc(32).decrypt(&key, &data),
            None,
            "cbc {len}"
        );
    }
    assert_eq!(ContentCipher::Gcm(32).decrypt(&[1u8; 5], &[0u8; 64]), None);
}
