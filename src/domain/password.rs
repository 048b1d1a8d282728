//! Passwords: the length rule of CONTRACT.md §4 and Argon2id hashing.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_BYTES: usize = 1024;

/// A hash of a password nobody has, verified when the organization is unknown so that
/// "unknown org" and "wrong password" take the same time (CONTRACT.md §4).
pub const DUMMY_PASSWORD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Kd5fkfOvkHgmJ7gbFnIOTY+r5TVOQ6bbS3VSKzDvmY";

#[derive(Debug, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
}

impl PasswordError {
    pub fn message(&self) -> String {
        match self {
            Self::TooShort => format!("password must be at least {MIN_PASSWORD_CHARS} characters"),
            Self::TooLong => format!("password must be at most {MAX_PASSWORD_BYTES} bytes"),
        }
    }
}

/// A password that meets the policy, ready to be hashed.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(text: &str) -> Result<Self, PasswordError> {
        if text.chars().count() < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if text.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Argon2id with the crate's defaults (m=19 MiB, t=2, p=1: OWASP's minimum).
pub fn hash_password(password: &NewPassword) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_str().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("argon2 hashing failed: {e}"))
}

/// Constant-time verification of `candidate` against a stored PHC hash string.
pub fn verify_password(candidate: &str, stored_hash: &str) -> bool {
    if candidate.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("elevenchars").err(),
            Some(PasswordError::TooShort)
        );
        assert!(NewPassword::parse("twelve-chars").is_ok());
    }

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash_password(&NewPassword::parse("correct horse battery").unwrap()).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_orgs_cost_a_full_verification() {
        assert!(PasswordHash::new(DUMMY_PASSWORD_HASH).is_ok());
        assert!(!verify_password("anything at all", DUMMY_PASSWORD_HASH));
    }
}
