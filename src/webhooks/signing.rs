//! Standard Webhooks signatures (standardwebhooks.com spec, "Signature scheme"): secrets
//! are `whsec_` + base64 of random bytes; each signature is `v1,` + base64 of
//! HMAC-SHA256(secret bytes, "{webhook-id}.{webhook-timestamp}.{body}"); several are
//! space-separated in `webhook-signature` (one per live secret during a rotation).

use aws_lc_rs::hmac;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;

pub const SECRET_PREFIX: &str = "whsec_";
/// 32 random bytes: the spec allows 24 to 64.
const SECRET_BYTES: usize = 32;

/// A fresh secret in its shown form (`whsec_...`).
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", B64.encode(bytes))
}

/// The `webhook-signature` value for `body` under each secret (shown form).
pub fn sign(secrets: &[String], id: &str, timestamp: i64, body: &[u8]) -> Result<String, String> {
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    let mut parts = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let raw = secret
            .strip_prefix(SECRET_PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .ok_or_else(|| "stored webhook secret is malformed".to_owned())?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, &raw);
        parts.push(format!("v1,{}", B64.encode(hmac::sign(&key, &signed))));
    }
    Ok(parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification (secret, id, timestamp, body).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned();
        let sig = sign(
            &[secret],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_rotation_signs_once_per_secret() {
        let sig = sign(&[new_secret(), new_secret()], "evt_1", 1, b"{}").unwrap();
        assert_eq!(sig.split(' ').count(), 2);
        assert!(sig.split(' ').all(|s| s.starts_with("v1,")));
    }
}
