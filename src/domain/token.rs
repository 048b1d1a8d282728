//! Random secrets axid hands out (session ids, API keys, SCIM tokens, reset tokens) and
//! the SHA-256 hashes that are all the database ever stores of them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What a secret is for; the prefix lets secret scanners recognise leaks (CONTRACT.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    PortalApiKey,
    ScimToken,
    Session,
    PasswordReset,
    /// A setup link's token (CONTRACT.md §16).
    SetupLink,
}

impl SecretKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::PortalApiKey => "axk_",
            Self::ScimToken => "axs_",
            Self::SetupLink => "axl_",
            Self::Session | Self::PasswordReset => "",
        }
    }
}

/// 256 random bits, base64url, behind the kind's prefix.
pub fn generate_secret(kind: SecretKind) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(bytes))
}

/// Hex SHA-256: random 256-bit secrets need no salt or slow hash.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_carry_their_scanner_prefix_and_differ_every_time() {
        let a = generate_secret(SecretKind::PortalApiKey);
        let b = generate_secret(SecretKind::PortalApiKey);
        assert!(a.starts_with("axk_") && a.len() == 4 + 43);
        assert_ne!(a, b);
        assert!(generate_secret(SecretKind::ScimToken).starts_with("axs_"));
    }

    #[test]
    fn hashes_are_stable_hex_sha256() {
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
