//! The draft SSO configuration of an organization (CONTRACT.md §16), beside the live one in
//! `sso_configs`, and the result of its last test sign-in.

use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SsoDraftRecord {
    /// JSON text of the prepared configuration (secrets encrypted inside).
    pub config: String,
    pub updated_by: String,
    pub updated_at: Millis,
    /// JSON text of the last test sign-in's result, and the draft version it tested.
    pub test_result: Option<String>,
    pub tested_version: Option<Millis>,
}

impl Store {
    pub async fn get_sso_draft(&self, org: &OrgId) -> StoreResult<Option<SsoDraftRecord>> {
        Ok(sqlx::query_as(
            "SELECT config, updated_by, updated_at, test_result, tested_version \
             FROM sso_drafts WHERE org_id = $1",
        )
        .bind(org.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Creates or replaces the draft; a changed draft has no test result yet. The version
    /// (`updated_at`) only grows, so a result is never shown for a draft it did not test.
    pub async fn put_sso_draft(
        &self,
        org: &OrgId,
        config: &str,
        updated_by: &str,
        now: Millis,
    ) -> StoreResult<Millis> {
        let (version,): (Millis,) = sqlx::query_as(
            "INSERT INTO sso_drafts (org_id, config, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id) DO UPDATE SET config = excluded.config, \
             updated_by = excluded.updated_by, \
             updated_at = CASE WHEN excluded.updated_at > sso_drafts.updated_at \
                 THEN excluded.updated_at ELSE sso_drafts.updated_at + 1 END, \
             test_result = NULL, tested_version = NULL \
             RETURNING updated_at",
        )
        .bind(org.as_str())
        .bind(config)
        .bind(updated_by)
        .bind(now)
        .fetch_one(self.writer())
        .await?;
        Ok(version)
    }

    /// Keeps a test's result, only while the draft is still the version that was tested.
    pub async fn record_sso_draft_test(
        &self,
        org: &OrgId,
        version: Millis,
        result: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sso_drafts SET test_result = $1, tested_version = $2 \
             WHERE org_id = $3 AND updated_at = $2",
        )
        .bind(result)
        .bind(version)
        .bind(org.as_str())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_sso_draft(&self, org: &OrgId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sso_drafts WHERE org_id = $1")
            .bind(org.as_str())
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
