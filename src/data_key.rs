//! Encryption at rest of SSO secrets (OIDC client secrets, SP private keys): AES-256-GCM
//! under one data key, from `SSO_DATA_KEY`, or in community mode a key file generated
//! beside the SQLite database (`SSO_DATA_KEY_FILE` overrides the path).

use std::path::PathBuf;
use std::sync::OnceLock;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;

use crate::config::Settings;

/// Stored form: `v1:` then base64 of a 12-byte nonce followed by the ciphertext.
const PREFIX: &str = "v1:";

/// The data key, resolved on first use so services that never store a secret never
/// create a key file.
pub struct DataKeyring {
    source: KeySource,
    cipher: OnceLock<Result<Aes256Gcm, String>>,
}

enum KeySource {
    Inline(String),
    File(PathBuf),
}

impl std::fmt::Debug for DataKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKeyring(<redacted>)")
    }
}

fn default_key_file(settings: &Settings) -> PathBuf {
    if settings.is_sqlite() {
        let rest = settings
            .database_url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let path = rest.split('?').next().unwrap_or_default();
        if let Some(parent) = std::path::Path::new(path).parent() {
            if path != ":memory:" && !path.is_empty() {
                return parent.join("sso-data.key");
            }
        }
    }
    PathBuf::from("./data/sso-data.key")
}

fn decode_key(text: &str) -> Result<Aes256Gcm, String> {
    let bytes = B64
        .decode(text.trim())
        .map_err(|_| "the SSO data key is not base64".to_owned())?;
    Aes256Gcm::new_from_slice(&bytes).map_err(|_| "the SSO data key must be 32 bytes".to_owned())
}

fn load_or_create(path: &PathBuf) -> Result<Aes256Gcm, String> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return decode_key(&text);
    }
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    // Write a private temporary file, then link it into place: the link either creates the
    // complete key file or fails because another process already did (then use theirs).
    let tmp = path.with_extension(format!("tmp{}", hex::encode(&key[..4])));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&tmp)
        .map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    std::io::Write::write_all(&mut file, B64.encode(key).as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            tracing::warn!(path = %path.display(), "generated the SSO data key file; back it up with the database");
            decode_key(&B64.encode(key))
        }
        Err(_) => decode_key(
            &std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        ),
    }
}

impl DataKeyring {
    pub fn from_settings(settings: &Settings) -> Self {
        let source = match (&settings.sso_data_key, &settings.sso_data_key_file) {
            (Some(key), _) => KeySource::Inline(key.expose().to_owned()),
            (None, Some(file)) => KeySource::File(PathBuf::from(file)),
            (None, None) => KeySource::File(default_key_file(settings)),
        };
        Self {
            source,
            cipher: OnceLock::new(),
        }
    }

    /// Fails at start when an inline key is malformed (a file key is checked on first use).
    pub fn check(&self) -> Result<(), String> {
        match &self.source {
            KeySource::Inline(text) => decode_key(text).map(|_| ()),
            KeySource::File(_) => Ok(()),
        }
    }

    fn cipher(&self) -> Result<&Aes256Gcm, String> {
        self.cipher
            .get_or_init(|| match &self.source {
                KeySource::Inline(text) => decode_key(text),
                KeySource::File(path) => load_or_create(path),
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn encrypt(&self, plaintext: &[u8]) -> Result<String, String> {
        let cipher = self.cipher()?;
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .map_err(|_| "encryption failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", B64.encode(out)))
    }

    pub fn decrypt(&self, stored: &str) -> Result<Vec<u8>, String> {
        let cipher = self.cipher()?;
        let bytes = stored
            .strip_prefix(PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or_else(|| "stored secret is malformed".to_owned())?;
        let (nonce, sealed) = bytes.split_at(12);
        cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| "stored secret does not decrypt with the SSO data key".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_map(&vars).unwrap()
    }

    #[test]
    fn secrets_round_trip_and_never_appear_in_the_stored_form() {
        let key = B64.encode([7u8; 32]);
        let ring = DataKeyring::from_settings(&settings(&[("SSO_DATA_KEY", &key)]));
        let stored = ring.encrypt(b"client-secret-value").unwrap();
        assert!(stored.starts_with("v1:") && !stored.contains("client-secret"));
        assert_eq!(ring.decrypt(&stored).unwrap(), b"client-secret-value");
        let other =
            DataKeyring::from_settings(&settings(&[("SSO_DATA_KEY", &B64.encode([8u8; 32]))]));
        assert!(other.decrypt(&stored).is_err());
    }

    #[test]
    fn community_mode_generates_a_key_file_beside_the_sqlite_database() {
        let dir = std::env::temp_dir().join(format!("axid-key-{}", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}/axid.db", dir.display());
        let ring = DataKeyring::from_settings(&settings(&[("DATABASE_URL", &url)]));
        let stored = ring.encrypt(b"x").unwrap();
        assert!(dir.join("sso-data.key").exists());
        let again = DataKeyring::from_settings(&settings(&[("DATABASE_URL", &url)]));
        assert_eq!(again.decrypt(&stored).unwrap(), b"x");
        let _ = std::fs::remove_dir_all(dir);
    }
}
