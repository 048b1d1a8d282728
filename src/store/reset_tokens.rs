//! Single-use password reset tokens (hashes only).

use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

impl Store {
    pub async fn insert_reset_token(
        &self,
        org: &OrgId,
        token_hash: &str,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO password_reset_tokens (token_hash, org_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(org.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Marks the token used and returns its organization, only if it was unused and unexpired.
    /// The conditional UPDATE makes "single use" hold even when two replicas race.
    pub async fn consume_reset_token(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE password_reset_tokens SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING org_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.writer())
        .await?;
        Ok(row.map(|(org,)| org))
    }

    /// Spends every outstanding link of the organization: once its password changes (by a
    /// link, by change-password or by the admin API) the other links must not set it again.
    pub async fn end_reset_tokens_of_org(&self, org: &OrgId, now: Millis) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE password_reset_tokens SET used_at = $2 WHERE org_id = $1 AND used_at IS NULL",
        )
        .bind(org.as_str())
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn delete_reset_tokens_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM password_reset_tokens WHERE expires_at < $1")
            .bind(cutoff)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected())
    }
}
