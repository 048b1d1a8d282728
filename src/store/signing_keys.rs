//! The signing key ring's rows (states next / active / retired) and the job lease that lets
//! one replica at a time rotate them.

use super::{inserted_unless_conflict, Store, StoreResult};
use crate::clock::Millis;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub alg: String,
    pub state: String,
    /// JSON object text of the public JWK.
    pub public_jwk: String,
    /// PKCS#8 DER encrypted with the data key.
    pub private_key: String,
    pub created_at: Millis,
    pub activates_at: Millis,
    pub retired_at: Option<Millis>,
    pub expires_at: Option<Millis>,
}

#[derive(Debug)]
pub struct NewSigningKey<'a> {
    pub kid: &'a str,
    pub alg: &'a str,
    /// `next` or `active`.
    pub state: &'a str,
    pub public_jwk: &'a str,
    pub private_key: &'a str,
    pub activates_at: Millis,
}

const KEY_COLUMNS: &str =
    "kid, alg, state, public_jwk, private_key, created_at, activates_at, retired_at, expires_at";

impl Store {
    /// Every key still published (expired retired keys excluded), oldest first.
    pub async fn list_signing_keys(&self, now: Millis) -> StoreResult<Vec<SigningKeyRecord>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM signing_keys WHERE expires_at IS NULL OR expires_at > $1 \
             ORDER BY activates_at, kid"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .fetch_all(self.pool())
            .await?)
    }

    /// Adds a key; false when the algorithm already has a key in that state (another
    /// replica won the race: the unique partial indexes of 0006_tokens.sql refuse it).
    pub async fn insert_signing_key(
        &self,
        k: &NewSigningKey<'_>,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO signing_keys (kid, alg, state, public_jwk, private_key, created_at, activates_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(k.kid)
        .bind(k.alg)
        .bind(k.state)
        .bind(k.public_jwk)
        .bind(k.private_key)
        .bind(now)
        .bind(k.activates_at)
        .execute(self.writer())
        .await;
        inserted_unless_conflict(done)
    }

    /// The algorithm's `next` key becomes `active`; the active one is retired and stays
    /// published until `retired_expires_at`. One transaction, retiring first so the
    /// one-active index holds at every step.
    pub async fn promote_signing_key(
        &self,
        alg: &str,
        next_kid: &str,
        now: Millis,
        retired_expires_at: Millis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE signing_keys SET state = 'retired', retired_at = $2, expires_at = $3 \
             WHERE alg = $1 AND state = 'active'",
        )
        .bind(alg)
        .bind(now)
        .bind(retired_expires_at)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query(
            "UPDATE signing_keys SET state = 'active' WHERE kid = $1 AND alg = $2 AND state = 'next'",
        )
        .bind(next_kid)
        .bind(alg)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Retired keys whose last token has expired leave the JWKS and the database.
    pub async fn delete_expired_signing_keys(&self, now: Millis) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM signing_keys WHERE state = 'retired' AND expires_at IS NOT NULL AND expires_at <= $1",
        )
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }

    /// Takes (or renews) the lease `name` for `holder` until `until`; false while another
    /// holder's lease is unexpired. One conditional upsert, atomic on both databases.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: Millis,
        until: Millis,
    ) -> StoreResult<bool> {
        let row: Option<(String,)> = sqlx::query_as(
            "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE job_leases.expires_at <= $4 OR job_leases.holder = excluded.holder \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(until)
        .bind(now)
        .fetch_optional(self.writer())
        .await?;
        Ok(row.is_some_and(|(h,)| h == holder))
    }

    /// Gives the lease back early (the job finished), if `holder` still has it.
    pub async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM job_leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
