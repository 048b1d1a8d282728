//! The few directory reads and writes SSO logins need: find the user a federated identity
//! links to, create a just-in-time user, and name the groups a user belongs to.

use super::{new_id, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::fold_identity;
use crate::domain::OrgId;

#[derive(Clone, Debug)]
pub struct SsoUserRecord {
    pub id: String,
    pub user_name: String,
    pub email_lc: Option<String>,
    pub display_name: Option<String>,
    pub active: bool,
}

/// `active` read as BIGINT 0/1: the Any driver cannot decode SQLite BOOLEAN columns.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    user_name: String,
    email_lc: Option<String>,
    display_name: Option<String>,
    active: i64,
}

impl From<UserRow> for SsoUserRecord {
    fn from(r: UserRow) -> Self {
        Self {
            id: r.id,
            user_name: r.user_name,
            email_lc: r.email_lc,
            display_name: r.display_name,
            active: r.active != 0,
        }
    }
}

const USER_COLUMNS: &str =
    "id, user_name, email_lc, display_name, CAST(CASE WHEN active THEN 1 ELSE 0 END AS BIGINT) AS active";

/// A user created at first SSO login.
#[derive(Debug)]
pub struct NewJitUser<'a> {
    pub user_name: &'a str,
    pub email: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub source: &'a str,
    /// The SCIM representation (RFC 7643 core User), JSON text.
    pub resource: &'a str,
}

impl Store {
    /// The user whose userName or email equals one of the given lowercase values; a userName
    /// match wins over an email match.
    pub async fn find_user_for_sso(
        &self,
        org: &OrgId,
        user_name_lc: &str,
        email_lc: Option<&str>,
    ) -> StoreResult<Option<SsoUserRecord>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users \
             WHERE org_id = $1 AND (user_name_lc = $2 OR email_lc = $3 OR user_name_lc = $3) \
             ORDER BY CASE WHEN user_name_lc = $2 THEN 0 ELSE 1 END, created_at LIMIT 1"
        );
        let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(user_name_lc)
            .bind(email_lc)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(Into::into))
    }

    pub async fn insert_jit_user(
        &self,
        org: &OrgId,
        user: &NewJitUser<'_>,
        now: Millis,
    ) -> StoreResult<SsoUserRecord> {
        let sql = format!(
            "INSERT INTO users (id, org_id, user_name, user_name_lc, external_id, email_lc, display_name, \
             active, source, resource, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, 1, $10, $10) \
             RETURNING {USER_COLUMNS}"
        );
        let row: UserRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(new_id())
            .bind(org.as_str())
            .bind(user.user_name)
            .bind(fold_identity(user.user_name))
            .bind(user.email.map(fold_identity))
            .bind(user.display_name)
            .bind(true)
            .bind(user.source)
            .bind(user.resource)
            .bind(now)
            .fetch_one(self.writer())
            .await?;
        Ok(row.into())
    }

    /// Every name of every group the user belongs to: display name, id and externalId
    /// (CONTRACT.md §5 matches mappings against any of them).
    pub async fn user_group_names(&self, org: &OrgId, user_id: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT g.display_name, g.id, g.external_id FROM group_members m \
             JOIN groups g ON g.id = m.group_id \
             WHERE m.org_id = $1 AND m.user_id = $2 AND g.org_id = $1",
        )
        .bind(org.as_str())
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .flat_map(|(name, id, ext)| [Some(name), Some(id), ext].into_iter().flatten())
            .collect())
    }

    /// The user an (issuer, subject) identity was linked to at an earlier login.
    pub async fn find_linked_user(
        &self,
        org: &OrgId,
        issuer: &str,
        subject: &str,
    ) -> StoreResult<Option<SsoUserRecord>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 AND id = \
             (SELECT user_id FROM federated_identities \
              WHERE org_id = $1 AND issuer = $2 AND subject = $3)"
        );
        let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(issuer)
            .bind(subject)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(Into::into))
    }

    /// Whether `user_id` is linked to some identity of `issuer` already.
    pub async fn user_has_link(
        &self,
        org: &OrgId,
        issuer: &str,
        user_id: &str,
    ) -> StoreResult<bool> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT subject FROM federated_identities \
             WHERE org_id = $1 AND issuer = $2 AND user_id = $3 LIMIT 1",
        )
        .bind(org.as_str())
        .bind(issuer)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Links (issuer, subject) to `user_id`; a link that exists already is kept.
    pub async fn link_identity(
        &self,
        org: &OrgId,
        issuer: &str,
        subject: &str,
        user_id: &str,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO federated_identities (org_id, issuer, subject, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, issuer, subject) DO NOTHING",
        )
        .bind(org.as_str())
        .bind(issuer)
        .bind(subject)
        .bind(user_id)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
