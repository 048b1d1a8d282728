//! A user created as one write plan (write_plan.rs): the row, its index values and the
//! event of the change. Every column of the new row is known before the insert (version
//! 1, created and updated now), so the plan needs no RETURNING and no round trip back to
//! the request; on SQLite the writer thread commits it beside the other writes waiting.

use super::dir_tx::values_stmts;
use super::directory::{UserRecord, UserWrite};
use super::events::{event_stmt, NewEvent};
use super::write_plan::{PlanOutcome, Stmt, WritePlan};
use super::{Store, StoreError, StoreResult};
use crate::clock::Millis;
use crate::domain::{fold_identity, OrgId};

impl Store {
    /// Creates the user `id` with the event `event_of` makes from its record, in one
    /// transaction. `Conflict` when a unique index (userName, externalId) refuses it.
    pub async fn create_user(
        &self,
        org: &OrgId,
        id: &str,
        w: &UserWrite,
        source: &str,
        now: Millis,
        event_of: impl FnOnce(&UserRecord) -> NewEvent<'static>,
    ) -> StoreResult<UserRecord> {
        let record = UserRecord {
            id: id.to_owned(),
            user_name: w.user_name.clone(),
            external_id: w.external_id.clone(),
            display_name: w.display_name.clone(),
            email_lc: w.email_lc.clone(),
            active_flag: i64::from(w.active),
            source: source.to_owned(),
            resource: w.resource.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let mut plan = WritePlan(vec![user_stmt(org, &record, w)]);
        for stmt in values_stmts(org, id, &w.values) {
            plan.push(stmt);
        }
        plan.push(event_stmt(org, &event_of(&record), now).1);
        match self.apply(plan).await? {
            PlanOutcome::Applied => Ok(record),
            PlanOutcome::Stopped(_) => Err(StoreError::Other("a user plan stopped".into())),
        }
    }
}

fn user_stmt(org: &OrgId, r: &UserRecord, w: &UserWrite) -> Stmt {
    Stmt::new(
        "INSERT INTO users (id, org_id, user_name, user_name_lc, external_id, email_lc, display_name, \
         active, source, resource, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
        vec![
            r.id.as_str().into(),
            org.as_str().into(),
            r.user_name.as_str().into(),
            fold_identity(&r.user_name).as_str().into(),
            r.external_id.as_deref().into(),
            r.email_lc.as_deref().into(),
            r.display_name.as_deref().into(),
            w.active.into(),
            r.source.as_str().into(),
            r.resource.as_str().into(),
            r.created_at.into(),
        ],
    )
}
