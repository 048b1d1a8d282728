//! The signing key ring (CONTRACT.md §12): keys in the database shared by every replica,
//! private halves encrypted with the data key, cached here per replica and refreshed.
//!
//! Lifecycle per algorithm: `active` signs; one rotation period after it started, the
//! rotation job (one replica at a time, under a lease) adds a `next` key whose
//! `activates_at` lies at least one publish lead ahead (two JWKS cache lifetimes plus a
//! refresh), so every verifier has it before it signs. From `activates_at` every replica
//! signs with it (chosen by time, not by who saw the promotion first); the job then marks
//! it `active` and the old key `retired`, which stays published until every token it
//! signed has expired.

use std::sync::{Arc, RwLock};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::clock::Millis;
use crate::config::Settings;
use crate::data_key::DataKeyring;
use crate::jose::{self, Alg, JwsError, SigningKey, VerifyingKey};
use crate::store::{NewSigningKey, SigningKeyRecord, Store};

/// The longest any token signed by the ring lives (access tokens, CONTRACT.md §12).
pub const MAX_TOKEN_TTL_SECS: i64 = 3_600;
const LEASE: &str = "signing_key_rotation";

struct LoadedKey {
    kid: String,
    alg: Alg,
    state: String,
    activates_at: Millis,
    signer: Arc<SigningKey>,
    verifier: Arc<VerifyingKey>,
    jwk: Value,
}

#[derive(Default)]
struct Loaded {
    keys: Vec<LoadedKey>,
    jwks: Arc<Jwks>,
    loaded_at: Option<std::time::Instant>,
}

/// The rendered JWKS document and its entity tag.
#[derive(Debug, Default)]
pub struct Jwks {
    pub body: String,
    pub etag: String,
}

/// What the key ring decided in one rotation pass (for tests and logs).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RotationReport {
    pub created_next: Vec<&'static str>,
    pub promoted: Vec<&'static str>,
    pub deleted: u64,
}

pub struct KeyRing {
    data_key: DataKeyring,
    loaded: RwLock<Arc<Loaded>>,
    refreshing: tokio::sync::Mutex<()>,
    holder: String,
    rotation_ms: i64,
    publish_lead_ms: i64,
    retire_keep_ms: i64,
    refresh_secs: u64,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyRing(<keys redacted>)")
    }
}

impl KeyRing {
    pub fn from_settings(settings: &Settings) -> Self {
        let refresh_secs = settings.signing_key_refresh_secs();
        Self {
            data_key: DataKeyring::from_settings(settings),
            loaded: RwLock::new(Arc::new(Loaded::default())),
            refreshing: tokio::sync::Mutex::new(()),
            holder: uuid::Uuid::new_v4().to_string(),
            rotation_ms: settings.signing_key_rotation_secs * 1000,
            publish_lead_ms: settings.signing_key_publish_lead_secs() * 1000,
            // A replica may sign with a key up to one refresh after another retired it.
            retire_keep_ms: (MAX_TOKEN_TTL_SECS + 2 * refresh_secs + 60) * 1000,
            refresh_secs: refresh_secs as u64,
        }
    }

    /// How often replicas reload the ring and the rotation job runs.
    pub fn refresh_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.refresh_secs)
    }

    fn snapshot(&self) -> Arc<Loaded> {
        self.loaded
            .read()
            .map(|l| l.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Reloads every published key from the database, reusing keys already parsed.
    pub async fn refresh(&self, store: &Store, now: Millis) -> Result<(), String> {
        let _one_at_a_time = self.refreshing.lock().await;
        let rows = store
            .list_signing_keys(now)
            .await
            .map_err(|e| e.to_string())?;
        let previous = self.snapshot();
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows {
            match self.load_key(&previous, row) {
                Ok(key) => keys.push(key),
                Err(e) => tracing::error!(error = %e, "signing key skipped"),
            }
        }
        let jwks = render(&keys);
        let loaded = Arc::new(Loaded {
            keys,
            jwks: Arc::new(jwks),
            loaded_at: Some(std::time::Instant::now()),
        });
        if let Ok(mut slot) = self.loaded.write() {
            *slot = loaded;
        }
        Ok(())
    }

    fn load_key(&self, previous: &Loaded, row: SigningKeyRecord) -> Result<LoadedKey, String> {
        let alg = Alg::parse(&row.alg).ok_or_else(|| format!("unknown alg {}", row.alg))?;
        let (signer, verifier) = match previous.keys.iter().find(|k| k.kid == row.kid) {
            Some(k) => (k.signer.clone(), k.verifier.clone()),
            None => {
                let der = self.data_key.decrypt(&row.private_key)?;
                let signer = SigningKey::from_pkcs8(alg, &der)?;
                let verifier = signer.verifying_key()?;
                (Arc::new(signer), Arc::new(verifier))
            }
        };
        let jwk = serde_json::from_str(&row.public_jwk).map_err(|e| e.to_string())?;
        Ok(LoadedKey {
            kid: row.kid,
            alg,
            state: row.state,
            activates_at: row.activates_at,
            signer,
            verifier,
            jwk,
        })
    }

    /// The key that signs `alg` at `now`: the latest active-or-next key whose time came.
    fn current(loaded: &Loaded, alg: Alg, now: Millis) -> Option<(String, Arc<SigningKey>)> {
        loaded
            .keys
            .iter()
            .filter(|k| k.alg == alg && k.state != "retired" && k.activates_at <= now)
            .max_by_key(|k| k.activates_at)
            .map(|k| (k.kid.clone(), k.signer.clone()))
    }

    /// The `kid` that signs `alg` at `now`, if the ring has one (a token cached under another
    /// kid was signed before a rotation and is not handed out again).
    pub fn signing_kid(&self, alg: Alg, now: Millis) -> Option<String> {
        Self::current(&self.snapshot(), alg, now).map(|(kid, _)| kid)
    }

    /// Signs `claims` as a compact JWS with `typ`, creating the algorithm's first key when
    /// the ring has none (first start, or the first client choosing ES256/EdDSA).
    pub async fn sign(
        &self,
        store: &Store,
        now: Millis,
        alg: Alg,
        typ: &str,
        claims: &Value,
    ) -> Result<String, String> {
        let (kid, key) = match Self::current(&self.snapshot(), alg, now) {
            Some(found) => found,
            None => self.bootstrap(store, now, alg).await?,
        };
        jose::sign_compact(&key, &kid, typ, claims)
    }

    async fn bootstrap(
        &self,
        store: &Store,
        now: Millis,
        alg: Alg,
    ) -> Result<(String, Arc<SigningKey>), String> {
        self.refresh(store, now).await?;
        if let Some(found) = Self::current(&self.snapshot(), alg, now) {
            return Ok(found);
        }
        // Every algorithm gets its first key at once, so a client that later chooses ES256
        // or EdDSA signs with a key verifiers have already seen in the JWKS. The one-active
        // index lets exactly one replica's insert win; the others reload.
        let loaded = self.snapshot();
        for missing in Alg::ALL
            .into_iter()
            .filter(|a| Self::current(&loaded, *a, now).is_none())
        {
            self.create_key(store, now, missing, "active", now).await?;
        }
        self.refresh(store, now).await?;
        // A concurrent first sign (this replica or another) may have won the insert with
        // its own `now`, a few ms after ours: its key is the active one all the same.
        let loaded = self.snapshot();
        Self::current(&loaded, alg, now)
            .or_else(|| {
                loaded
                    .keys
                    .iter()
                    .find(|k| k.alg == alg && k.state == "active")
                    .map(|k| (k.kid.clone(), k.signer.clone()))
            })
            .ok_or_else(|| format!("no {} signing key", alg.as_str()))
    }

    async fn create_key(
        &self,
        store: &Store,
        now: Millis,
        alg: Alg,
        state: &str,
        activates_at: Millis,
    ) -> Result<bool, String> {
        // RSA key generation takes tens of milliseconds: off the async workers.
        let (key, der) = tokio::task::spawn_blocking(move || SigningKey::generate(alg))
            .await
            .map_err(|e| e.to_string())??;
        let kid = new_kid();
        let jwk = key.public_jwk(&kid).to_string();
        let private_key = self.data_key.encrypt(&der)?;
        let record = NewSigningKey {
            kid: &kid,
            alg: alg.as_str(),
            state,
            public_jwk: &jwk,
            private_key: &private_key,
            activates_at,
        };
        store
            .insert_signing_key(&record, now)
            .await
            .map_err(|e| e.to_string())
    }

    /// Verifies a token signed by the ring; an unknown `kid` reloads the ring once (at most
    /// once per second per replica) in case another replica just created the key.
    pub async fn verify(
        &self,
        store: &Store,
        now: Millis,
        token: &str,
    ) -> Result<(jose::Header, serde_json::Map<String, Value>), JwsError> {
        let loaded = self.snapshot();
        let find = |kid: &str| {
            loaded
                .keys
                .iter()
                .find(|k| k.kid == kid)
                .map(|k| &*k.verifier)
        };
        match jose::verify_compact(token, find) {
            Err(JwsError::UnknownKey) if self.may_reload(&loaded) => {
                let header = jose::decode_header(token)?;
                if self.refresh(store, now).await.is_err() {
                    return Err(JwsError::UnknownKey);
                }
                let loaded = self.snapshot();
                let key = loaded
                    .keys
                    .iter()
                    .find(|k| k.kid == header.kid)
                    .map(|k| k.verifier.clone());
                jose::verify_compact(token, |_| key.as_deref())
            }
            other => other,
        }
    }

    fn may_reload(&self, loaded: &Loaded) -> bool {
        loaded
            .loaded_at
            .is_none_or(|at| at.elapsed() >= std::time::Duration::from_secs(1))
    }

    /// The JWKS of every published key (loaded on first use).
    pub async fn jwks(&self, store: &Store, now: Millis) -> Result<Arc<Jwks>, String> {
        if self.snapshot().loaded_at.is_none() {
            self.refresh(store, now).await?;
        }
        let loaded = self.snapshot();
        if loaded.keys.iter().all(|k| k.alg != Alg::Rs256) {
            // A fresh install publishes its RS256 key before anything asks for a token.
            self.bootstrap(store, now, Alg::Rs256).await?;
            return Ok(self.snapshot().jwks.clone());
        }
        Ok(loaded.jwks.clone())
    }

    /// One pass of the rotation job under the lease: publish next keys that are due,
    /// promote next keys whose time came, delete retired keys whose tokens all expired;
    /// then reload the ring. While another replica holds the lease this only reloads.
    pub async fn rotate(&self, store: &Store, now: Millis) -> Result<RotationReport, String> {
        let err = |e: crate::store::StoreError| e.to_string();
        let lease_until = now + 5 * 60_000;
        if !store
            .take_lease(LEASE, &self.holder, now, lease_until)
            .await
            .map_err(err)?
        {
            return Ok(RotationReport::default());
        }
        let result = self.rotate_locked(store, now).await;
        let _ = store.release_lease(LEASE, &self.holder).await;
        self.refresh(store, now).await?;
        result
    }

    async fn rotate_locked(&self, store: &Store, now: Millis) -> Result<RotationReport, String> {
        let rows = store
            .list_signing_keys(now)
            .await
            .map_err(|e| e.to_string())?;
        let mut report = RotationReport::default();
        for alg in Alg::ALL {
            let of = |state: &str| {
                rows.iter()
                    .find(|r| r.alg == alg.as_str() && r.state == state)
            };
            let Some(active) = of("active") else { continue };
            match of("next") {
                None if now >= active.activates_at + self.rotation_ms - self.publish_lead_ms => {
                    let at =
                        (now + self.publish_lead_ms).max(active.activates_at + self.rotation_ms);
                    if self.create_key(store, now, alg, "next", at).await? {
                        report.created_next.push(alg.as_str());
                    }
                }
                Some(next) if now >= next.activates_at => {
                    let keep_until = now + self.retire_keep_ms;
                    if store
                        .promote_signing_key(alg.as_str(), &next.kid, now, keep_until)
                        .await
                        .map_err(|e| e.to_string())?
                    {
                        report.promoted.push(alg.as_str());
                    }
                }
                _ => {}
            }
        }
        report.deleted = store
            .delete_expired_signing_keys(now)
            .await
            .map_err(|e| e.to_string())?;
        Ok(report)
    }

    /// Secrets rotated out this long ago minted no token that is still valid.
    pub fn secret_keep_ms(&self) -> i64 {
        self.retire_keep_ms
    }
}

fn render(keys: &[LoadedKey]) -> Jwks {
    let body = jose::render_jwks(keys.iter().map(|k| &k.jwk));
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(body.as_bytes()))[..32]
    );
    Jwks { body, etag }
}

/// 128 random bits: kids are public, but unguessable ones say nothing about key counts.
fn new_kid() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    jose::b64(&bytes)
}
