//! The writes of a completed SSO sign-in, committed as one transaction: the assertion's
//! replay entry (SAML), the session with its `session.created` event, and the success audit
//! row. One transaction instead of three: on SQLite every write waits in the one writer's
//! queue (pools.rs), so a sign-in's cost there is its number of transactions (issue 16).

use super::audit::{insert_audit_row, NewAuditEvent};
use super::events::{append_event, NewEvent};
use super::saml::insert_replay_row;
use super::sessions::{insert_session_row, NewSession};
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
        let mut tx = self.begin_write().await?;
        if let Some(r) = &writes.replay {
            if !insert_replay_row(&mut tx, org, r.assertion_id, r.until).await? {
                tx.rollback().await?;
                return Ok(SignInCommit::Replayed);
            }
        }
        insert_session_row(&mut tx, org, &writes.session, now).await?;
        append_event(&mut tx, org, &writes.session_created, now).await?;
        insert_audit_row(&mut tx, org, &writes.audit, now).await?;
        tx.commit().await?;
        Ok(SignInCommit::Committed)
    }
}
