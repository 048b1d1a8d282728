//! Portal sessions, keyed by the SHA-256 of the cookie value, shared by every replica.

use super::dir_query::Bind;
use super::write_plan::{run_stmt, Stmt};
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

const LIVE_SESSION: &str =
    "SELECT s.org_id, s.principal_type, s.principal_id, s.email, s.name, s.roles, s.auth_method, \
     s.created_at, s.last_seen_at, s.expires_at \
     FROM sessions s JOIN organizations o ON o.org_id = s.org_id \
     WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND o.status = 'active'";

/// LIVE_SESSION's columns by position.
fn session_from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        org_id: row.get(0)?,
        principal_type: row.get(1)?,
        principal_id: row.get(2)?,
        email: row.get(3)?,
        name: row.get(4)?,
        roles: row.get(5)?,
        auth_method: row.get(6)?,
        created_at: row.get(7)?,
        last_seen_at: row.get(8)?,
        expires_at: row.get(9)?,
    })
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
    /// The groups the IdP asserted at an SSO sign-in (JSON array), kept for recomputing roles.
    pub idp_groups_json: Option<&'a str>,
    /// SAML sign-ins: the NameID and SessionIndex a LogoutRequest names (SAML core §3.7.1).
    pub saml_name_id: Option<&'a str>,
    pub saml_session_index: Option<&'a str>,
}

/// A live SSO session of a user, as role recomputation needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserSessionGroups {
    pub id_hash: String,
    pub principal_id: String,
    /// JSON array of the groups the IdP asserted at sign-in; None for other sessions.
    pub idp_groups: Option<String>,
}

/// A session as an organization's admin lists it; `id` is the first 16 hex digits of the
/// stored hash (never the cookie value, from which nothing can be derived back).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionListing {
    pub id: String,
    pub principal_type: String,
    pub principal_id: String,
    pub email: Option<String>,
    pub roles: String,
    pub auth_method: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
}

impl Store {
    pub async fn insert_session(
        &self,
        org: &OrgId,
        s: &NewSession<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        self.insert_session_with(org, s, None, now).await
    }

    /// A session and, in the same transaction, its `session.created` event (CONTRACT.md §15).
    pub async fn insert_session_with(
        &self,
        org: &OrgId,
        s: &NewSession<'_>,
        outbox: Option<&super::NewEvent<'_>>,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_session_row(&mut tx, org, s, now).await?;
        if let Some(event) = outbox {
            super::events::append_event(&mut tx, org, event, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A live session: not past its absolute expiry, seen since `idle_cutoff`, and of an
    /// active organization.
    /// The live session of a cookie hash. Every portal request, session check and cookie
    /// verify asks this, so on SQLite it runs inline (inline_reads.rs), the pool otherwise.
    pub async fn find_live_session(
        &self,
        id_hash: &str,
        now: Millis,
        idle_cutoff: Millis,
    ) -> StoreResult<Option<SessionRecord>> {
        let inline = self.inline().and_then(|r| {
            let binds = [
                Bind::Text(id_hash.to_owned()),
                Bind::Int(now),
                Bind::Int(idle_cutoff),
            ];
            r.rows(LIVE_SESSION, &binds, session_from_inline)
        });
        if let Some(rows) = inline {
            return Ok(rows.into_iter().next());
        }
        Ok(sqlx::query_as(LIVE_SESSION)
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
            .execute(self.writer())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.writer())
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
            .execute(self.writer())
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
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn delete_org_sessions(&self, org: &OrgId) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE org_id = $1")
            .bind(org.as_str())
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected())
    }

    /// Housekeeping: sessions past their absolute expiry or idle cutoff.
    pub async fn delete_dead_sessions(&self, now: Millis, idle_cutoff: Millis) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_cutoff)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected())
    }

    /// The user sessions of one user, or of every user when `user_id` is None, with the
    /// groups each SSO sign-in asserted.
    pub async fn user_sessions_groups(
        &self,
        org: &OrgId,
        user_id: Option<&str>,
    ) -> StoreResult<Vec<UserSessionGroups>> {
        Ok(sqlx::query_as(
            "SELECT id_hash, principal_id, idp_groups FROM sessions \
             WHERE org_id = $1 AND principal_type = 'user' AND ($2 IS NULL OR principal_id = $2)",
        )
        .bind(org.as_str())
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn set_session_roles(&self, id_hash: &str, roles_json: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET roles = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(roles_json)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Ends every session an SSO sign-in (SAML or OIDC) made in the organization.
    pub async fn delete_org_sso_sessions(&self, org: &OrgId) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM sessions WHERE org_id = $1 AND auth_method IN ('saml', 'oidc')",
        )
        .bind(org.as_str())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }

    /// The organization's live sessions, newest first, at most `limit`.
    pub async fn list_org_sessions(
        &self,
        org: &OrgId,
        now: Millis,
        idle_cutoff: Millis,
        limit: i64,
    ) -> StoreResult<Vec<SessionListing>> {
        Ok(sqlx::query_as(
            "SELECT substr(id_hash, 1, 16) AS id, principal_type, principal_id, email, roles, \
             auth_method, created_at, last_seen_at, expires_at FROM sessions \
             WHERE org_id = $1 AND expires_at > $2 AND last_seen_at > $3 \
             ORDER BY created_at DESC LIMIT $4",
        )
        .bind(org.as_str())
        .bind(now)
        .bind(idle_cutoff)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Ends the organization's session whose listing id is `id`; false when there is none.
    /// The SessionIndex of each live SAML session of NameID `name_id` (what a
    /// LogoutRequest names, SAML core §3.7.1), by session.
    pub async fn saml_sessions_of(
        &self,
        org: &OrgId,
        name_id: &str,
    ) -> StoreResult<Vec<(String, Option<String>)>> {
        Ok(sqlx::query_as(
            "SELECT id_hash, saml_session_index FROM sessions \
             WHERE org_id = $1 AND saml_name_id = $2 ORDER BY created_at",
        )
        .bind(org.as_str())
        .bind(name_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn delete_org_session(&self, org: &OrgId, id: &str) -> StoreResult<bool> {
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let done =
            sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND substr(id_hash, 1, 16) = $2")
                .bind(org.as_str())
                .bind(id)
                .execute(self.writer())
                .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// One session row, inside the caller's transaction.
pub(super) fn session_stmt(org: &OrgId, s: &NewSession<'_>, now: Millis) -> Stmt {
    Stmt::new(
        "INSERT INTO sessions (id_hash, org_id, principal_type, principal_id, email, name, roles, \
         auth_method, created_at, last_seen_at, expires_at, idp_groups, saml_name_id, \
         saml_session_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13)",
        vec![
            s.id_hash.into(),
            org.as_str().into(),
            s.principal_type.into(),
            s.principal_id.into(),
            s.email.into(),
            s.name.into(),
            s.roles_json.into(),
            s.auth_method.into(),
            now.into(),
            s.expires_at.into(),
            s.idp_groups_json.into(),
            s.saml_name_id.into(),
            s.saml_session_index.into(),
        ],
    )
}

pub(super) async fn insert_session_row(
    conn: &mut sqlx::AnyConnection,
    org: &OrgId,
    s: &NewSession<'_>,
    now: Millis,
) -> StoreResult<()> {
    run_stmt(conn, session_stmt(org, s, now)).await?;
    Ok(())
}
