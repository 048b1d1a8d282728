//! The rows of each organization's SP key ring (signing and encryption, states next /
//! active / retired; 0010_saml_operations.sql).

use super::{inserted_unless_conflict, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

/// What an SP key is for; the two are never the same key (SAML metadata §2.4.1.1 `use`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUse {
    Signing,
    Encryption,
}

impl KeyUse {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signing => "signing",
            Self::Encryption => "encryption",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "signing" => Some(Self::Signing),
            "encryption" => Some(Self::Encryption),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SpKeyRecord {
    pub key_id: String,
    pub org_id: String,
    pub key_use: String,
    pub state: String,
    /// PKCS#8 DER encrypted with the data key.
    pub private_key_enc: String,
    pub certificate_pem: String,
    pub not_after: Millis,
    pub created_at: Millis,
    pub activates_at: Millis,
    pub retired_at: Option<Millis>,
}

#[derive(Debug)]
pub struct NewSpKey<'a> {
    pub key_id: &'a str,
    pub key_use: KeyUse,
    /// `next` or `active`.
    pub state: &'a str,
    pub private_key_enc: &'a str,
    pub certificate_pem: &'a str,
    pub not_after: Millis,
    pub activates_at: Millis,
}

const COLUMNS: &str = "key_id, org_id, key_use, state, private_key_enc, certificate_pem, \
                       not_after, created_at, activates_at, retired_at";

impl Store {
    /// The organization's keys for `key_use`, newest first (next, active, retired).
    pub async fn list_sp_keys(
        &self,
        org: &OrgId,
        key_use: KeyUse,
    ) -> StoreResult<Vec<SpKeyRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM saml_sp_keys WHERE org_id = $1 AND key_use = $2 \
             ORDER BY CASE state WHEN 'next' THEN 0 WHEN 'active' THEN 1 ELSE 2 END, \
             activates_at DESC, key_id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(key_use.as_str())
            .fetch_all(self.pool())
            .await?)
    }

    /// Every key of every organization: the rotation and expiry job's input.
    pub async fn list_all_sp_keys(&self) -> StoreResult<Vec<SpKeyRecord>> {
        let sql =
            format!("SELECT {COLUMNS} FROM saml_sp_keys ORDER BY org_id, key_use, activates_at");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?)
    }

    /// Adds a key; false when the org already has a key of that use in that state (another
    /// replica won the race: the unique partial indexes refuse the second).
    pub async fn insert_sp_key(
        &self,
        org: &OrgId,
        k: &NewSpKey<'_>,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO saml_sp_keys (key_id, org_id, key_use, state, private_key_enc, \
             certificate_pem, not_after, created_at, activates_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(k.key_id)
        .bind(org.as_str())
        .bind(k.key_use.as_str())
        .bind(k.state)
        .bind(k.private_key_enc)
        .bind(k.certificate_pem)
        .bind(k.not_after)
        .bind(now)
        .bind(k.activates_at)
        .execute(self.writer())
        .await;
        inserted_unless_conflict(done)
    }

    /// The org's `next` key of `key_use` becomes `active` and the active one `retired`, in
    /// one transaction (retiring first, so the one-active index holds at every step).
    pub async fn promote_sp_key(
        &self,
        org: &OrgId,
        key_use: KeyUse,
        now: Millis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE saml_sp_keys SET state = 'retired', retired_at = $3 \
             WHERE org_id = $1 AND key_use = $2 AND state = 'active'",
        )
        .bind(org.as_str())
        .bind(key_use.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query(
            "UPDATE saml_sp_keys SET state = 'active', activates_at = $3 \
             WHERE org_id = $1 AND key_use = $2 AND state = 'next'",
        )
        .bind(org.as_str())
        .bind(key_use.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Retired keys past `keep_until` (their certificate about to expire, or their
    /// decryption grace over) leave the ring.
    pub async fn delete_sp_key(&self, key_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM saml_sp_keys WHERE key_id = $1 AND state = 'retired'")
            .bind(key_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
