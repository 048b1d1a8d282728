//! OIDC login flows (state, nonce, PKCE verifier, browser binding), shared by replicas.

use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OidcFlowRecord {
    pub state_hash: String,
    pub binding_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub redirect_uri: String,
    pub return_to: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub consumed_at: Option<Millis>,
}

#[derive(Debug)]
pub struct NewOidcFlow<'a> {
    pub state_hash: &'a str,
    pub binding_hash: &'a str,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
    pub redirect_uri: &'a str,
    pub return_to: &'a str,
    pub expires_at: Millis,
}

impl Store {
    pub async fn insert_oidc_flow(
        &self,
        org: &OrgId,
        f: &NewOidcFlow<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO oidc_flows (state_hash, org_id, binding_hash, nonce, pkce_verifier, \
             redirect_uri, return_to, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(f.state_hash)
        .bind(org.as_str())
        .bind(f.binding_hash)
        .bind(f.nonce)
        .bind(f.pkce_verifier)
        .bind(f.redirect_uri)
        .bind(f.return_to)
        .bind(now)
        .bind(f.expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The flow of this organization with this state hash, consumed or not.
    pub async fn get_oidc_flow(
        &self,
        org: &OrgId,
        state_hash: &str,
    ) -> StoreResult<Option<OidcFlowRecord>> {
        Ok(sqlx::query_as(
            "SELECT state_hash, binding_hash, nonce, pkce_verifier, redirect_uri, return_to, \
             created_at, expires_at, consumed_at FROM oidc_flows \
             WHERE org_id = $1 AND state_hash = $2",
        )
        .bind(org.as_str())
        .bind(state_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Marks the flow used; true for exactly one caller, on any replica, and only while it
    /// has not expired.
    pub async fn consume_oidc_flow(
        &self,
        org: &OrgId,
        state_hash: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE oidc_flows SET consumed_at = $3 \
             WHERE org_id = $1 AND state_hash = $2 AND consumed_at IS NULL AND expires_at > $3",
        )
        .bind(org.as_str())
        .bind(state_hash)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Housekeeping across organizations: flows that ended before `before`.
    pub async fn delete_oidc_flows_before(&self, before: Millis) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM oidc_flows WHERE expires_at < $1")
            .bind(before)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected())
    }
}
