//! Portal API keys and SCIM tokens: hashed bearer secrets that belong to one organization
//! and one surface.

use sqlx::AssertSqlSafe;

use super::{Outbox, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    PortalKey,
    ScimToken,
}

impl CredentialKind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::PortalKey => "portal_key",
            Self::ScimToken => "scim_token",
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CredentialRecord {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub prefix: String,
    pub role: Option<String>,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
    pub expires_at: Option<Millis>,
}

/// A credential found by its secret, with its organization's status (a suspended
/// organization's credentials are recognised but refused with 403).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PresentedCredential {
    #[sqlx(flatten)]
    pub credential: CredentialRecord,
    pub org_status: String,
}

#[derive(Debug)]
pub struct NewCredential<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a str,
    pub role: Option<&'a str>,
    pub expires_at: Option<Millis>,
}

const COLUMNS: &str = "id, org_id, name, prefix, role, created_at, last_used_at, expires_at";

impl Store {
    /// Creates the credential; `outbox` (SCIM tokens: `scim_token.created`) is written in the
    /// same transaction.
    pub async fn insert_credential(
        &self,
        org: &OrgId,
        kind: CredentialKind,
        c: &NewCredential<'_>,
        outbox: Option<&Outbox<'_, CredentialRecord>>,
        now: Millis,
    ) -> StoreResult<CredentialRecord> {
        let sql = format!(
            "INSERT INTO credentials (id, org_id, kind, name, prefix, secret_hash, role, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
        );
        let mut tx = self.begin_write().await?;
        let record: CredentialRecord = sqlx::query_as(AssertSqlSafe(sql))
            .bind(c.id)
            .bind(org.as_str())
            .bind(kind.as_str())
            .bind(c.name)
            .bind(c.prefix)
            .bind(c.secret_hash)
            .bind(c.role)
            .bind(now)
            .bind(c.expires_at)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(outbox) = outbox {
            outbox.append(&mut tx, org, &record, now).await?;
        }
        tx.commit().await?;
        Ok(record)
    }

    pub async fn list_credentials(
        &self,
        org: &OrgId,
        kind: CredentialKind,
    ) -> StoreResult<Vec<CredentialRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM credentials WHERE org_id = $1 AND kind = $2 ORDER BY created_at, id"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(kind.as_str())
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn get_credential(
        &self,
        org: &OrgId,
        kind: CredentialKind,
        id: &str,
    ) -> StoreResult<Option<CredentialRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM credentials WHERE org_id = $1 AND kind = $2 AND id = $3"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(kind.as_str())
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Revokes the credential and returns what it was (None when unknown); `outbox` (SCIM
    /// tokens: `scim_token.revoked`) is written in the same transaction.
    pub async fn delete_credential(
        &self,
        org: &OrgId,
        kind: CredentialKind,
        id: &str,
        outbox: Option<&Outbox<'_, CredentialRecord>>,
        now: Millis,
    ) -> StoreResult<Option<CredentialRecord>> {
        let sql = format!(
            "DELETE FROM credentials WHERE org_id = $1 AND kind = $2 AND id = $3 RETURNING {COLUMNS}"
        );
        let mut tx = self.begin_write().await?;
        let gone: Option<CredentialRecord> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(kind.as_str())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if let (Some(outbox), Some(record)) = (outbox, &gone) {
            outbox.append(&mut tx, org, record, now).await?;
        }
        tx.commit().await?;
        Ok(gone)
    }

    pub async fn find_credential_by_hash(
        &self,
        kind: CredentialKind,
        secret_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<PresentedCredential>> {
        Ok(sqlx::query_as(
            "SELECT o.status AS org_status, c.id, c.org_id, c.name, c.prefix, c.role, c.created_at, c.last_used_at, c.expires_at \
             FROM credentials c JOIN organizations o ON o.org_id = c.org_id \
             WHERE c.secret_hash = $1 AND c.kind = $2 AND (c.expires_at IS NULL OR c.expires_at > $3)",
        )
        .bind(secret_hash)
        .bind(kind.as_str())
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn mark_credential_used(&self, id: &str, now: Millis) -> StoreResult<()> {
        sqlx::query("UPDATE credentials SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
