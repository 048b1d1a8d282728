//! Webhook endpoints, their signing secrets (encrypted by the caller with the data key), and
//! the delivery queue: claiming due rows under a lease, recording each attempt's outcome.

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

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeliveryRecord {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A delivery a replica has claimed: where it goes and what it carries.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: String,
    pub org_id: String,
    pub endpoint_id: String,
    pub url: String,
    pub event_id: String,
    pub attempts: i64,
    /// Test deliveries carry their body; event deliveries read it from the event row.
    pub payload: Option<String>,
    pub event_type: String,
    pub occurred_at: Option<Millis>,
    pub actor_type: Option<String>,
    pub actor_id: Option<String>,
    pub data: Option<String>,
}

/// What an attempt came to.
#[derive(Debug)]
pub enum AttemptOutcome {
    Delivered,
    /// Try again at this time.
    Retry(Millis),
    /// Retries are exhausted.
    GaveUp,
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
        let mut tx = self.pool().begin().await?;
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
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn delete_endpoint(&self, org: &OrgId, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(self.pool())
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
        let mut tx = self.pool().begin().await?;
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

    pub async fn list_deliveries(
        &self,
        org: &OrgId,
        endpoint_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<DeliveryRecord>> {
        Ok(sqlx::query_as(
            "SELECT id, event_id, event_type, status, attempts, next_attempt_at, last_status, last_error, created_at, updated_at \
             FROM webhook_deliveries WHERE org_id = $1 AND endpoint_id = $2 ORDER BY created_at DESC, id LIMIT $3",
        )
        .bind(org.as_str())
        .bind(endpoint_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// A test delivery: a queued row with its own body, due at once.
    pub async fn queue_test_delivery(
        &self,
        org: &OrgId,
        endpoint_id: &str,
        event_id: &str,
        payload: &str,
        now: Millis,
    ) -> StoreResult<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'webhook.test', $5, 'pending', 0, $6, $6, $6)",
        )
        .bind(&id)
        .bind(org.as_str())
        .bind(endpoint_id)
        .bind(event_id)
        .bind(payload)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// Whether a delivery is due (a read, so idle replicas never take SQLite's write lock).
    pub async fn has_due_deliveries(&self, now: Millis) -> StoreResult<bool> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until < $1) LIMIT 1",
        )
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Claims up to `limit` due deliveries of enabled endpoints until `lease_until`. On
    /// PostgreSQL a row two replicas both select is taken by one: the second UPDATE waits
    /// for the first's row lock, re-checks the lease condition on the new row version and
    /// skips it; SQLite runs one writer at a time.
    pub async fn claim_deliveries(
        &self,
        now: Millis,
        lease_until: Millis,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "UPDATE webhook_deliveries SET lease_until = $2 WHERE id IN ( \
               SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
               WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.enabled = 1 \
               AND (d.lease_until IS NULL OR d.lease_until < $1) ORDER BY d.next_attempt_at LIMIT $3) \
             AND status = 'pending' AND (lease_until IS NULL OR lease_until < $1) RETURNING id",
        )
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<ClaimedDelivery> = sqlx::query_as(
                "SELECT d.id, d.org_id, d.endpoint_id, w.url, d.event_id, d.attempts, d.payload, d.event_type, \
                 e.occurred_at, e.actor_type, e.actor_id, e.data \
                 FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
                 LEFT JOIN events e ON e.id = d.event_id WHERE d.id = $1",
            )
            .bind(&id)
            .fetch_optional(self.pool())
            .await?;
            claimed.extend(row);
        }
        Ok(claimed)
    }

    /// Records one attempt of a claimed delivery (only while this claim still holds it).
    pub async fn finish_attempt(
        &self,
        id: &str,
        lease_until: Millis,
        outcome: &AttemptOutcome,
        answer: Option<i64>,
        error: Option<&str>,
        now: Millis,
    ) -> StoreResult<()> {
        let (status, next) = match outcome {
            AttemptOutcome::Delivered => ("delivered", now),
            AttemptOutcome::Retry(at) => ("pending", *at),
            AttemptOutcome::GaveUp => ("failed", now),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, next_attempt_at = $4, \
             last_status = $5, last_error = $6, lease_until = NULL, updated_at = $7 \
             WHERE id = $1 AND lease_until = $2",
        )
        .bind(id)
        .bind(lease_until)
        .bind(status)
        .bind(next)
        .bind(answer)
        .bind(error)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
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
        let mut tx = self.pool().begin().await?;
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
