//! Certificate expiry warnings sent (0010_saml_operations.sql): one row per certificate and
//! threshold, written in the transaction of its `sso.certificate_expiring` event, so the
//! event goes out once whichever replica gets there first.

use super::events::append_event;
use super::{NewEvent, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

impl Store {
    /// Records the warning and appends its event, unless it was recorded before; true
    /// when this call recorded it.
    pub async fn warn_certificate_once(
        &self,
        org: &OrgId,
        fingerprint: &str,
        threshold_days: i64,
        event: &NewEvent<'_>,
        now: Millis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO certificate_warnings (org_id, fingerprint, threshold_days, sent_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(org.as_str())
        .bind(fingerprint)
        .bind(threshold_days)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        append_event(&mut tx, org, event, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every stored SSO configuration (org id, JSON): the certificate watch's input.
    pub async fn list_sso_config_json(&self) -> StoreResult<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT org_id, config FROM sso_configs ORDER BY org_id")
                .fetch_all(self.pool())
                .await?,
        )
    }
}
