//! Setup links and their sessions (0011_setup_links.sql). Tokens and session ids are kept
//! as SHA-256 only; a session lives only while its link does (deleted or expired: gone).

use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SetupLinkRecord {
    pub id: String,
    pub org_id: String,
    /// JSON array of intents (`sso`, `scim`).
    pub intents: String,
    pub created_by: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

pub struct NewSetupLink<'a> {
    pub id: &'a str,
    pub token_hash: &'a str,
    pub intents: &'a str,
    pub created_by: &'a str,
    pub expires_at: Millis,
}

const COLUMNS: &str = "l.id, l.org_id, l.intents, l.created_by, l.created_at, l.expires_at";

impl Store {
    pub async fn insert_setup_link(
        &self,
        org: &OrgId,
        link: &NewSetupLink<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO setup_links (id, org_id, token_hash, intents, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(link.id)
        .bind(org.as_str())
        .bind(link.token_hash)
        .bind(link.intents)
        .bind(link.created_by)
        .bind(now)
        .bind(link.expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The organization's links that have not expired, newest first.
    pub async fn list_setup_links(
        &self,
        org: &OrgId,
        now: Millis,
    ) -> StoreResult<Vec<SetupLinkRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM setup_links l WHERE l.org_id = $1 AND l.expires_at > $2 \
             ORDER BY l.created_at DESC, l.id DESC"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(now)
            .fetch_all(self.pool())
            .await?)
    }

    /// Deletes the link and (by cascade) its sessions; false when there was none.
    pub async fn delete_setup_link(&self, org: &OrgId, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM setup_links WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The live link a token names.
    pub async fn find_setup_link(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<SetupLinkRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM setup_links l WHERE l.token_hash = $1 AND l.expires_at > $2"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.writer())
            .await?)
    }

    pub async fn insert_setup_session(
        &self,
        id_hash: &str,
        link_id: &str,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO setup_sessions (id_hash, link_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(link_id)
        .bind(now)
        .bind(expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The link of a live setup session: both the session and its link must be alive.
    pub async fn find_setup_session(
        &self,
        id_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<SetupLinkRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM setup_sessions s JOIN setup_links l ON l.id = s.link_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND l.expires_at > $2"
        );
        // The writer: a link deleted a moment ago must already be gone for this read.
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id_hash)
            .bind(now)
            .fetch_optional(self.writer())
            .await?)
    }
}
