//! Organizations, their break-glass password and their license.

use sqlx::AssertSqlSafe;

use super::{Store, StoreError, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrgRecord {
    pub org_id: String,
    pub name: String,
    pub status: String,
    pub contact_email: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LicenseRecord {
    pub tier: String,
    pub seats: Option<i64>,
    pub expires_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Fields an admin may change; `None` leaves a field as it is. `contact_email: Some(None)`
/// clears the address.
#[derive(Debug, Default)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub contact_email: Option<Option<String>>,
    pub status: Option<String>,
}

const ORG_COLUMNS: &str = "org_id, name, status, contact_email, created_at, updated_at";

impl Store {
    pub async fn create_org(
        &self,
        org: &OrgId,
        name: &str,
        contact_email: Option<&str>,
        password_hash: Option<&str>,
        now: Millis,
    ) -> StoreResult<OrgRecord> {
        let sql = format!(
            "INSERT INTO organizations (org_id, name, status, contact_email, password_hash, created_at, updated_at) \
             VALUES ($1, $2, 'active', $3, $4, $5, $5) RETURNING {ORG_COLUMNS}"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(name)
            .bind(contact_email)
            .bind(password_hash)
            .bind(now)
            .fetch_one(self.writer())
            .await?)
    }

    pub async fn get_org(&self, org: &OrgId) -> StoreResult<Option<OrgRecord>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organizations WHERE org_id = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .fetch_optional(self.pool())
            .await?)
    }

    /// One page of organizations ordered by id, starting after `after`.
    pub async fn list_orgs(&self, after: Option<&str>, limit: i64) -> StoreResult<Vec<OrgRecord>> {
        let sql = format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE org_id > $1 ORDER BY org_id LIMIT $2"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(after.unwrap_or(""))
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn update_org(
        &self,
        org: &OrgId,
        patch: &OrgPatch,
        now: Millis,
    ) -> StoreResult<Option<OrgRecord>> {
        let (email_given, email) = match &patch.contact_email {
            Some(value) => (true, value.as_deref()),
            None => (false, None),
        };
        let sql = format!(
            "UPDATE organizations SET name = COALESCE($2, name), status = COALESCE($3, status), \
             contact_email = CASE WHEN $4 THEN $5 ELSE contact_email END, updated_at = $6 \
             WHERE org_id = $1 RETURNING {ORG_COLUMNS}"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(patch.name.as_deref())
            .bind(patch.status.as_deref())
            .bind(email_given)
            .bind(email)
            .bind(now)
            .fetch_optional(self.writer())
            .await?)
    }

    /// Deletes the organization and, through `ON DELETE CASCADE`, everything it owns.
    pub async fn delete_org(&self, org: &OrgId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM organizations WHERE org_id = $1")
            .bind(org.as_str())
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The org's status and password hash, for the password login.
    pub async fn org_credentials(
        &self,
        org: &OrgId,
    ) -> StoreResult<Option<(String, Option<String>)>> {
        Ok(
            sqlx::query_as("SELECT status, password_hash FROM organizations WHERE org_id = $1")
                .bind(org.as_str())
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn set_org_password(
        &self,
        org: &OrgId,
        password_hash: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE organizations SET password_hash = $2, updated_at = $3 WHERE org_id = $1",
        )
        .bind(org.as_str())
        .bind(password_hash)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn get_license(&self, org: &OrgId) -> StoreResult<Option<LicenseRecord>> {
        Ok(sqlx::query_as(
            "SELECT tier, seats, expires_at, created_at, updated_at FROM licenses WHERE org_id = $1",
        )
        .bind(org.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn put_license(
        &self,
        org: &OrgId,
        tier: &str,
        seats: Option<i64>,
        expires_at: Option<Millis>,
        now: Millis,
    ) -> StoreResult<LicenseRecord> {
        sqlx::query_as(
            "INSERT INTO licenses (org_id, tier, seats, expires_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (org_id) DO UPDATE SET tier = excluded.tier, seats = excluded.seats, \
             expires_at = excluded.expires_at, updated_at = excluded.updated_at \
             RETURNING tier, seats, expires_at, created_at, updated_at",
        )
        .bind(org.as_str())
        .bind(tier)
        .bind(seats)
        .bind(expires_at)
        .bind(now)
        .fetch_one(self.writer())
        .await
        .map_err(StoreError::from)
    }

    pub async fn delete_license(&self, org: &OrgId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM licenses WHERE org_id = $1")
            .bind(org.as_str())
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
