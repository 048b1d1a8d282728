//! SAML flows (outstanding AuthnRequest ids), the assertion replay store and the SSO audit
//! feed.

use super::write_plan::Stmt;
use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SamlFlow {
    pub request_id: String,
    pub return_to: String,
    pub expires_at: Millis,
    /// SHA-256 of the browser binding cookie set when the flow started (None: a flow
    /// stored before flows were bound, kept at most its 10-minute life after an upgrade).
    pub binding_hash: Option<String>,
    /// 'login', or 'test' for a draft's test sign-in (CONTRACT.md §16).
    pub purpose: String,
}

impl SamlFlow {
    pub fn is_test(&self) -> bool {
        self.purpose == FlowPurpose::Test.as_str()
    }
}

/// What a flow is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowPurpose {
    Login,
    /// The test sign-in of a draft configuration: validated, recorded, nothing else.
    Test,
}

impl FlowPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowPurpose::Login => "login",
            FlowPurpose::Test => "test",
        }
    }
}

/// A flow to store when /login redirects to the IdP.
#[derive(Debug)]
pub struct NewSamlFlow<'a> {
    pub relay_state_hash: &'a str,
    pub request_id: &'a str,
    pub return_to: &'a str,
    pub binding_hash: &'a str,
    pub purpose: FlowPurpose,
}

impl Store {
    pub async fn insert_saml_flow(
        &self,
        org: &OrgId,
        flow: &NewSamlFlow<'_>,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO saml_flows (relay_state_hash, org_id, request_id, return_to, created_at, \
             expires_at, binding_hash, purpose) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(flow.relay_state_hash)
        .bind(org.as_str())
        .bind(flow.request_id)
        .bind(flow.return_to)
        .bind(now)
        .bind(expires_at)
        .bind(flow.binding_hash)
        .bind(flow.purpose.as_str())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Removes and returns the flow: a RelayState answers at most one response.
    pub async fn take_saml_flow(
        &self,
        org: &OrgId,
        relay_state_hash: &str,
    ) -> StoreResult<Option<SamlFlow>> {
        Ok(sqlx::query_as(
            "DELETE FROM saml_flows WHERE relay_state_hash = $1 AND org_id = $2 \
             RETURNING request_id, return_to, expires_at, binding_hash, purpose",
        )
        .bind(relay_state_hash)
        .bind(org.as_str())
        .fetch_optional(self.writer())
        .await?)
    }

    /// Whether the assertion id is in the replay store: the test sign-in's check, which
    /// reads and never writes (CONTRACT.md §16).
    pub async fn replay_seen(
        &self,
        org: &OrgId,
        assertion_id: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT expires_at FROM assertion_replay WHERE org_id = $1 AND assertion_id = $2 \
             AND expires_at >= $3",
        )
        .bind(org.as_str())
        .bind(assertion_id)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Housekeeping: expired flows and replay entries that can no longer matter.
    pub async fn delete_expired_saml_state(&self, now: Millis) -> StoreResult<()> {
        sqlx::query("DELETE FROM saml_flows WHERE expires_at < $1")
            .bind(now)
            .execute(self.writer())
            .await?;
        sqlx::query("DELETE FROM assertion_replay WHERE expires_at < $1")
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

/// Events the SSO audit feed shows: SSO's, and the portal's credential and password events
/// (portal/audit.rs).
const SSO_EVENTS: &str = "('saml_login', 'oidc_login', 'sso_config', 'sso_sp_key', \
    'sso_metadata_refresh', 'password.login', \
    'password.changed', 'password.reset', 'password.set_by_admin', 'api_key.created', \
    'api_key.revoked', 'scim_token.created', 'scim_token.revoked', 'session.revoked', \
    'session.created', 'login.failed', 'setup_link.created', 'setup_link.opened', \
    'setup_link.deleted', 'sso_draft', 'sso_test')";

/// Narrows the SSO audit feed; an empty field matches everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuditFilter<'a> {
    pub outcome: &'a str,
    pub reason: &'a str,
    /// A refused sign-in's reference (`federation::failure::new_reference`), kept in detail.
    pub reference: &'a str,
}

impl Store {
    /// SSO login outcomes and configuration changes, newest first; `before` is the (at, id)
    /// of the last event of the previous page.
    pub async fn list_sso_audit_events(
        &self,
        org: &OrgId,
        filter: AuditFilter<'_>,
        before: Option<(Millis, &str)>,
        limit: i64,
    ) -> StoreResult<Vec<super::AuditEvent>> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        // References are base32: anything else can match nothing (and never reaches LIKE).
        if !filter
            .reference
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, at, event, outcome, reason, principal, ip, detail FROM audit_events \
             WHERE org_id = $1 AND event IN {SSO_EVENTS} AND ($2 OR at < $3 OR (at = $3 AND id < $4)) \
             AND ($6 = '' OR outcome = $6) AND ($7 = '' OR reason = $7) \
             AND ($8 = '' OR detail LIKE $9) \
             ORDER BY at DESC, id DESC LIMIT $5"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(before.is_none())
            .bind(at)
            .bind(id)
            .bind(limit)
            .bind(filter.outcome)
            .bind(filter.reason)
            .bind(filter.reference)
            .bind(format!("%\"reference\":\"{}\"%", filter.reference))
            .fetch_all(self.pool())
            .await?)
    }
}

/// Records an accepted assertion id; the plan stops when it was already there (a replay,
/// SAML Profiles §4.1.4.5).
pub(super) fn replay_stmt(org: &OrgId, assertion_id: &str, expires_at: Millis) -> Stmt {
    Stmt::new(
        "INSERT INTO assertion_replay (org_id, assertion_id, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id, assertion_id) DO NOTHING",
        vec![org.as_str().into(), assertion_id.into(), expires_at.into()],
    )
    .must_change()
}
