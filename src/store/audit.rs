//! Audit events per organization (logins, password changes, SSO outcomes with typed reasons).

use super::write_plan::{run_stmt, Stmt};
use super::{new_id, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditEvent {
    pub id: String,
    pub at: Millis,
    pub event: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub principal: Option<String>,
    pub ip: Option<String>,
    /// JSON object text.
    pub detail: Option<String>,
}

#[derive(Debug, Default)]
pub struct NewAuditEvent<'a> {
    pub event: &'a str,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub principal: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: Option<String>,
}

impl Store {
    pub async fn insert_audit_event(
        &self,
        org: &OrgId,
        e: &NewAuditEvent<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        self.insert_audit_event_with(org, e, None, now).await
    }

    /// An audit event and, in the same transaction, the outbox event it implies (a failed
    /// sign-in is `login.failed`, CONTRACT.md §15).
    pub async fn insert_audit_event_with(
        &self,
        org: &OrgId,
        e: &NewAuditEvent<'_>,
        outbox: Option<&super::NewEvent<'_>>,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_audit_row(&mut tx, org, e, now).await?;
        if let Some(event) = outbox {
            super::events::append_event(&mut tx, org, event, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Newest first; `before` is the (at, id) of the last event of the previous page.
    pub async fn list_audit_events(
        &self,
        org: &OrgId,
        before: Option<(Millis, &str)>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let unbounded = before.is_none();
        Ok(sqlx::query_as(
            "SELECT id, at, event, outcome, reason, principal, ip, detail FROM audit_events \
             WHERE org_id = $1 AND ($2 OR at < $3 OR (at = $3 AND id < $4)) \
             ORDER BY at DESC, id DESC LIMIT $5",
        )
        .bind(org.as_str())
        .bind(unbounded)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Retention (AUDIT_RETENTION_DAYS): events older than `cutoff` go.
    pub async fn delete_audit_events_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM audit_events WHERE at < $1")
            .bind(cutoff)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected())
    }
}

/// One audit row, inside the caller's transaction.
pub(super) fn audit_stmt(org: &OrgId, e: &NewAuditEvent<'_>, now: Millis) -> Stmt {
    Stmt::new(
        "INSERT INTO audit_events (id, org_id, at, event, outcome, reason, principal, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            new_id().as_str().into(),
            org.as_str().into(),
            now.into(),
            e.event.into(),
            e.outcome.into(),
            e.reason.into(),
            e.principal.into(),
            e.ip.into(),
            e.detail.as_deref().into(),
        ],
    )
}

pub(super) async fn insert_audit_row(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    e: &NewAuditEvent<'_>,
    now: Millis,
) -> StoreResult<()> {
    run_stmt(conn, audit_stmt(org, e, now)).await?;
    Ok(())
}
