//! Portal sessions, keyed by the SHA-256 of the cookie value, shared by every replica.

use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRecord {
    pub org_id: String,
    pub principal_type: String,
    pub principal_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    /// JSON array of role names.
    pub roles: String,
    pub auth_method: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
}

#[derive(Debug)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub principal_type: &'a str,
    pub principal_id: &'a str,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub roles_json: &'a str,
    pub auth_method: &'a str,
    pub expires_at: Millis,
}

impl Store {
    pub async fn insert_session(
        &self,
        org: &OrgId,
        s: &NewSession<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, org_id, principal_type, principal_id, email, name, roles, \
             auth_method, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)",
        )
        .bind(s.id_hash)
        .bind(org.as_str())
        .bind(s.principal_type)
        .bind(s.principal_id)
        .bind(s.email)
        .bind(s.name)
        .bind(s.roles_json)
        .bind(s.auth_method)
        .bind(now)
        .bind(s.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A live session: not past its absolute expiry, seen since `idle_cutoff`, and of an
    /// active organization.
    pub async fn find_live_session(
        &self,
        id_hash: &str,
        now: Millis,
        idle_cutoff: Millis,
    ) -> StoreResult<Option<SessionRecord>> {
        Ok(sqlx::query_as(
            "SELECT s.org_id, s.principal_type, s.principal_id, s.email, s.name, s.roles, s.auth_method, \
             s.created_at, s.last_seen_at, s.expires_at \
             FROM sessions s JOIN organizations o ON o.org_id = s.org_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND o.status = 'active'",
        )
        .bind(id_hash)
        .bind(now)
        .bind(idle_cutoff)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Moves the idle clock forward. Callers do it only when the last mark is stale enough,
    /// so a busy session does not write on every request.
    pub async fn touch_session(&self, id_hash: &str, now: Millis) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends every session of the organization made with `auth_method` (for example all
    /// password sessions when an admin resets the password).
    pub async fn delete_org_sessions_by_method(
        &self,
        org: &OrgId,
        auth_method: &str,
    ) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND auth_method = $2")
            .bind(org.as_str())
            .bind(auth_method)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Ends every session of one principal except `keep_hash` (the caller's own).
    pub async fn delete_principal_sessions(
        &self,
        org: &OrgId,
        principal_type: &str,
        principal_id: &str,
        keep_hash: Option<&str>,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM sessions WHERE org_id = $1 AND principal_type = $2 AND principal_id = $3 \
             AND id_hash <> $4",
        )
        .bind(org.as_str())
        .bind(principal_type)
        .bind(principal_id)
        .bind(keep_hash.unwrap_or(""))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn delete_org_sessions(&self, org: &OrgId) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE org_id = $1")
            .bind(org.as_str())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Housekeeping: sessions past their absolute expiry or idle cutoff.
    pub async fn delete_dead_sessions(&self, now: Millis, idle_cutoff: Millis) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_cutoff)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
