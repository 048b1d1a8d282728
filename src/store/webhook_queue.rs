//! The webhook delivery queue: claiming due rows under a lease, recording each attempt's
//! outcome. A claim and its results are each one round of statements, so a batch of
//! deliveries costs two write transactions, not one per delivery.

use super::{new_id, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

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

/// The result of one attempt of a claimed delivery.
#[derive(Debug)]
pub struct FinishedAttempt {
    pub id: String,
    pub outcome: AttemptOutcome,
    /// The receiver's HTTP status, when it answered.
    pub answer: Option<i64>,
    pub error: Option<String>,
}

impl Store {
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
        .execute(self.writer())
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
        .fetch_all(self.writer())
        .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // One read for the whole claim; the ids are bound, never spliced into the SQL.
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT d.id, d.org_id, d.endpoint_id, w.url, d.event_id, d.attempts, d.payload, d.event_type, \
             e.occurred_at, e.actor_type, e.actor_id, e.data \
             FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
             LEFT JOIN events e ON e.id = d.event_id WHERE d.id IN ({}) ORDER BY d.next_attempt_at, d.id",
            marks.join(", ")
        );
        // Only numbered placeholders are formatted into the text.
        let mut query = sqlx::query_as::<_, ClaimedDelivery>(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// Records the attempts of one claim in one transaction (each only while this claim
    /// still holds its row).
    pub async fn finish_attempts(
        &self,
        lease_until: Millis,
        attempts: &[FinishedAttempt],
        now: Millis,
    ) -> StoreResult<()> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for a in attempts {
            let (status, next) = match a.outcome {
                AttemptOutcome::Delivered => ("delivered", now),
                AttemptOutcome::Retry(at) => ("pending", at),
                AttemptOutcome::GaveUp => ("failed", now),
            };
            sqlx::query(
                "UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, next_attempt_at = $4, \
                 last_status = $5, last_error = $6, lease_until = NULL, updated_at = $7 \
                 WHERE id = $1 AND lease_until = $2",
            )
            .bind(&a.id)
            .bind(lease_until)
            .bind(status)
            .bind(next)
            .bind(a.answer)
            .bind(a.error.as_deref())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
