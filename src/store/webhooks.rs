//! Webhook endpoints and their signing secrets (encrypted by the caller with the data key);
//! the delivery queue is in `webhook_queue.rs`.

use super::events::{append_event, NewEvent};
use super::{new_id, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EndpointRecord {
    pub id: String,
    pub org_id: String,
    pub url: String,
    /// JSON array of event types; empty = every type.
    pub types: String,
    pub enabled: i64,
    pub disabled_reason: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

const ENDPOINT_COLUMNS: &str =
    "id, org_id, url, types, enabled, disabled_reason, created_at, updated_at";

/// Changes of PATCH /webhooks/{id}; None leaves a field as it is.
#[derive(Debug, Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub types_json: Option<String>,
    pub enabled: Option<bool>,
}

impl Store {
    pub async fn insert_endpoint(
        &self,
        org: &OrgId,
        id: &str,
        url: &str,
        types_json: &str,
        secret_sealed: &str,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, org_id, url, types, enabled, disabled_reason, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 1, NULL, $5, $5)",
        )
        .bind(id)
        .bind(org.as_str())
        .bind(url)
        .bind(types_json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_secret(&mut tx, id, secret_sealed, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_endpoints(&self, org: &OrgId) -> StoreResult<Vec<EndpointRecord>> {
        let sql = format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 ORDER BY created_at, id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.as_str())
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn get_endpoint(&self, org: &OrgId, id: &str) -> StoreResult<Option<EndpointRecord>> {
        let sql = format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 AND id = $2"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Applies a patch; enabling an endpoint clears its disabled reason. False when unknown.
    pub async fn patch_endpoint(
        &self,
        org: &OrgId,
        id: &str,
        p: &EndpointPatch,
        now: Millis,
    ) -> StoreResult<bool> {
        let enabled = p.enabled.map(i64::from);
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET url = COALESCE($3, url), types = COALESCE($4, types), \
             enabled = COALESCE($5, enabled), \
             disabled_reason = CASE WHEN $5 = 1 THEN NULL WHEN $5 = 0 THEN 'disabled by an admin' ELSE disabled_reason END, \
             updated_at = $6 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.as_str())
        .bind(id)
        .bind(p.url.as_deref())
        .bind(p.types_json.as_deref())
        .bind(enabled)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn delete_endpoint(&self, org: &OrgId, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Rotation: the new secret signs from now on; live earlier ones stop at `previous_until`.
    pub async fn rotate_endpoint_secret(
        &self,
        endpoint_id: &str,
        secret_sealed: &str,
        previous_until: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE webhook_secrets SET expires_at = $2 WHERE endpoint_id = $1 \
             AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(endpoint_id)
        .bind(previous_until)
        .execute(&mut *tx)
        .await?;
        insert_secret(&mut tx, endpoint_id, secret_sealed, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The sealed secrets that sign a delivery made at `now`, newest first.
    pub async fn live_endpoint_secrets(
        &self,
        endpoint_id: &str,
        now: Millis,
    ) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT secret FROM webhook_secrets WHERE endpoint_id = $1 \
             AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at DESC, id",
        )
        .bind(endpoint_id)
        .bind(now)
        .fetch_all(self.pool())
        .await?)
    }

    /// 410 Gone: the endpoint is disabled with its reason, and the event saying so is
    /// written in the same transaction.
    pub async fn disable_endpoint(
        &self,
        org: &OrgId,
        endpoint_id: &str,
        reason: &str,
        event: &NewEvent<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $3, updated_at = $4 \
             WHERE org_id = $1 AND id = $2 AND enabled = 1",
        )
        .bind(org.as_str())
        .bind(endpoint_id)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            append_event(&mut tx, org, event, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_secret(
    conn: &mut sqlx::AnyConnection,
    endpoint_id: &str,
    sealed: &str,
    now: Millis,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO webhook_secrets (id, endpoint_id, secret, created_at, expires_at) VALUES ($1, $2, $3, $4, NULL)",
    )
    .bind(new_id())
    .bind(endpoint_id)
    .bind(sealed)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
