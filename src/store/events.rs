//! The events outbox (CONTRACT.md §15): events appended inside the transaction of the change
//! they record, the sequencer that numbers committed events in commit order and queues their
//! webhook deliveries, the cursor read, and retention.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::dir_query::Bind;
use super::write_plan::{run_stmt, Stmt};
use super::{new_id, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

/// Events one sequencer run numbers at most.
const SEQUENCE_BATCH: i64 = 500;

/// An event to append: `data` is the resource as the portal API shows it, never a secret.
#[derive(Debug)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub actor_type: &'a str,
    pub actor_id: Option<&'a str>,
    pub data: serde_json::Value,
}

/// An event whose `data` is built inside the transaction from the row the change wrote or
/// removed, so it shows what was committed (the ids and times the database gave) and the
/// caller never needs a second write (CONTRACT.md §15).
pub struct Outbox<'a, T: ?Sized> {
    pub kind: &'a str,
    pub actor_type: &'a str,
    pub actor_id: Option<&'a str>,
    /// The row as the portal API shows it; never a secret.
    pub data: &'a (dyn Fn(&T) -> serde_json::Value + Sync),
}

impl<T: ?Sized> Outbox<'_, T> {
    /// Appends the event for `row` on `conn`, inside the caller's transaction.
    pub(crate) async fn append(
        &self,
        conn: &mut AnyConnection,
        org: &OrgId,
        row: &T,
        now: Millis,
    ) -> StoreResult<String> {
        let event = NewEvent {
            kind: self.kind,
            actor_type: self.actor_type,
            actor_id: self.actor_id,
            data: (self.data)(row),
        };
        append_event(conn, org, &event, now).await
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRecord {
    pub seq: i64,
    pub id: String,
    pub org_id: String,
    pub kind: String,
    pub occurred_at: Millis,
    pub actor_type: String,
    pub actor_id: Option<String>,
    /// JSON text.
    pub data: String,
}

const EVENT_COLUMNS: &str =
    "seq, id, org_id, type AS kind, occurred_at, actor_type, actor_id, data";

#[derive(Debug, sqlx::FromRow)]
struct Unsequenced {
    pos: i64,
    id: String,
    org_id: String,
    kind: String,
}

#[derive(Debug, sqlx::FromRow)]
struct EndpointTypes {
    id: String,
    types: String,
}

/// Appends one event on `conn`, which the caller has inside the transaction of the change.
/// Returns the event id (`evt_` + a UUIDv7, so ids also sort by time).
/// The statement that appends `e`, and the new event's id.
pub(super) fn event_stmt(org: &OrgId, e: &NewEvent<'_>, now: Millis) -> (String, Stmt) {
    let id = format!("evt_{}", uuid::Uuid::now_v7().simple());
    let stmt = Stmt::new(
        "INSERT INTO events (id, org_id, type, occurred_at, actor_type, actor_id, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            id.as_str().into(),
            org.as_str().into(),
            e.kind.into(),
            now.into(),
            e.actor_type.into(),
            e.actor_id.into(),
            Bind::Text(e.data.to_string()),
        ],
    );
    (id, stmt)
}

pub(crate) async fn append_event(
    conn: &mut AnyConnection,
    org: &OrgId,
    e: &NewEvent<'_>,
    now: Millis,
) -> StoreResult<String> {
    let (id, stmt) = event_stmt(org, e, now);
    run_stmt(conn, stmt).await?;
    Ok(id)
}

/// Does an endpoint's `types` filter (JSON array; empty = every type) take `kind`?
pub fn types_match(types_json: &str, kind: &str) -> bool {
    let types: Vec<String> = serde_json::from_str(types_json).unwrap_or_default();
    types.is_empty() || types.iter().any(|t| t == kind)
}

impl Store {
    /// Appends one event in a transaction of its own (for changes that are one statement
    /// elsewhere, use the `_with_event` store functions instead).
    pub async fn append_event(
        &self,
        org: &OrgId,
        e: &NewEvent<'_>,
        now: Millis,
    ) -> StoreResult<String> {
        let mut conn = self.writer().acquire().await?;
        append_event(&mut conn, org, e, now).await
    }

    /// Numbers the committed events nobody has numbered yet, in commit order, and queues one
    /// delivery per matching enabled webhook endpoint. Runs are serialised by the
    /// `event_sequence` row lock, taken by the first statement; on PostgreSQL each later
    /// statement (READ COMMITTED) sees every transaction committed before it, and none still
    /// in flight, so an event of a long transaction is numbered after it commits, past every
    /// number a reader may already hold. Returns how many deliveries were queued.
    pub async fn sequence_events(&self, now: Millis) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let last: i64 = sqlx::query_scalar(
            "UPDATE event_sequence SET last = last WHERE name = 'events' RETURNING last",
        )
        .fetch_one(&mut *tx)
        .await?;
        let rows: Vec<Unsequenced> = sqlx::query_as(
            "SELECT pos, id, org_id, type AS kind FROM events WHERE seq IS NULL ORDER BY pos LIMIT $1",
        )
        .bind(SEQUENCE_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            tx.rollback().await?;
            return Ok(0);
        }
        let mut seq = last;
        for row in &rows {
            seq += 1;
            sqlx::query("UPDATE events SET seq = $1 WHERE pos = $2")
                .bind(seq)
                .bind(row.pos)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE event_sequence SET last = $1 WHERE name = 'events'")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        let queued = queue_deliveries(&mut tx, &rows, now).await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Whether any committed or pending event still lacks a number (cheap: partial index).
    pub async fn has_unsequenced_events(&self) -> StoreResult<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT pos FROM events WHERE seq IS NULL LIMIT 1")
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    /// Events of `org` numbered after `after`, oldest first; `types` empty = every type.
    pub async fn list_events(
        &self,
        org: &OrgId,
        after: i64,
        types: &[String],
        limit: i64,
    ) -> StoreResult<Vec<EventRecord>> {
        let filter = if types.is_empty() {
            String::new()
        } else {
            let marks: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 4)).collect();
            format!(" AND type IN ({})", marks.join(", "))
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE org_id = $1 AND seq > $2{filter} ORDER BY seq LIMIT $3"
        );
        let mut q = sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(after)
            .bind(limit);
        for t in types {
            q = q.bind(t);
        }
        Ok(q.fetch_all(self.pool()).await?)
    }

    /// The highest number given out so far (a reader starting "now" begins here).
    pub async fn last_event_seq(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT last FROM event_sequence WHERE name = 'events'")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Retention (EVENT_RETENTION_DAYS): numbered events older than `cutoff` go.
    pub async fn delete_events_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM events WHERE occurred_at < $1 AND seq IS NOT NULL")
            .bind(cutoff)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected())
    }
}

/// One delivery row per (event, enabled endpoint of its organization whose filter takes it).
async fn queue_deliveries(
    conn: &mut AnyConnection,
    rows: &[Unsequenced],
    now: Millis,
) -> StoreResult<u64> {
    let mut orgs: Vec<&str> = rows.iter().map(|r| r.org_id.as_str()).collect();
    orgs.sort_unstable();
    orgs.dedup();
    let mut queued = 0;
    for org in orgs {
        let endpoints: Vec<EndpointTypes> = sqlx::query_as(
            "SELECT id, types FROM webhook_endpoints WHERE org_id = $1 AND enabled = 1",
        )
        .bind(org)
        .fetch_all(&mut *conn)
        .await?;
        for ev in rows.iter().filter(|r| r.org_id == org) {
            for ep in endpoints.iter().filter(|e| types_match(&e.types, &ev.kind)) {
                queued += sqlx::query(
                    "INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, NULL, 'pending', 0, $6, $6, $6) ON CONFLICT (endpoint_id, event_id) DO NOTHING",
                )
                .bind(new_id())
                .bind(org)
                .bind(&ep.id)
                .bind(&ev.id)
                .bind(&ev.kind)
                .bind(now)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            }
        }
    }
    Ok(queued)
}
