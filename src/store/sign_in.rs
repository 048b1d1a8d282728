//! The writes of a completed SSO sign-in, committed as one transaction: the assertion's
//! replay entry (SAML), the session with its `session.created` event, and the success audit
//! row. One transaction instead of three, written down as a plan before it starts
//! (write_plan.rs): on SQLite the writer thread commits it beside the other sign-ins
//! waiting, with no round trip back to the request in between (issue 16).

use super::audit::{audit_stmt, NewAuditEvent};
use super::events::{event_stmt, NewEvent};
use super::saml::replay_stmt;
use super::sessions::{session_stmt, NewSession};
use super::write_plan::{PlanOutcome, WritePlan};
use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

/// An assertion id to record as used, until the assertion could no longer be accepted.
#[derive(Debug)]
pub struct ReplayEntry<'a> {
    pub assertion_id: &'a str,
    pub until: Millis,
}

#[derive(Debug)]
pub struct SignInWrites<'a> {
    pub replay: Option<ReplayEntry<'a>>,
    pub session: NewSession<'a>,
    pub session_created: NewEvent<'a>,
    pub audit: NewAuditEvent<'a>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SignInCommit {
    Committed,
    /// The assertion id was already used (by any replica): nothing was written.
    Replayed,
}

impl Store {
    /// The replay entry goes first: when it is already there the transaction is rolled back,
    /// so a replayed assertion leaves no session, event or success audit behind.
    pub async fn commit_sign_in(
        &self,
        org: &OrgId,
        writes: &SignInWrites<'_>,
        now: Millis,
    ) -> StoreResult<SignInCommit> {
        let mut plan = WritePlan::default();
        if let Some(r) = &writes.replay {
            plan.push(replay_stmt(org, r.assertion_id, r.until));
        }
        plan.push(session_stmt(org, &writes.session, now));
        plan.push(event_stmt(org, &writes.session_created, now).1);
        plan.push(audit_stmt(org, &writes.audit, now));
        match self.apply(plan).await? {
            PlanOutcome::Applied => Ok(SignInCommit::Committed),
            // Only the replay entry may stop the plan.
            PlanOutcome::Stopped(_) => Ok(SignInCommit::Replayed),
        }
    }
}
