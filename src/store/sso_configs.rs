//! The one SSO configuration of each organization, as validated JSON text.

use super::{DirTx, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug)]
pub struct SsoConfigRecord {
    pub protocol: String,
    pub enabled: bool,
    pub enforce_sso: bool,
    /// JSON text of the configuration (secrets encrypted inside).
    pub config: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The Any driver cannot decode SQLite's BOOLEAN columns, so booleans are read as BIGINT
/// 0/1 (portable `CASE` + `CAST`) and converted here.
#[derive(sqlx::FromRow)]
struct SsoConfigRow {
    protocol: String,
    enabled: i64,
    enforce_sso: i64,
    config: String,
    created_at: Millis,
    updated_at: Millis,
}

impl Store {
    pub async fn get_sso_config(&self, org: &OrgId) -> StoreResult<Option<SsoConfigRecord>> {
        let row: Option<SsoConfigRow> = sqlx::query_as(
            "SELECT protocol, CAST(CASE WHEN enabled THEN 1 ELSE 0 END AS BIGINT) AS enabled, \
             CAST(CASE WHEN enforce_sso THEN 1 ELSE 0 END AS BIGINT) AS enforce_sso, config, created_at, updated_at \
             FROM sso_configs WHERE org_id = $1",
        )
        .bind(org.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| SsoConfigRecord {
            protocol: r.protocol,
            enabled: r.enabled != 0,
            enforce_sso: r.enforce_sso != 0,
            config: r.config,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }))
    }

    /// The org's status and SSO configuration in one round trip (the browser SSO routes need
    /// both on every request); None when the org does not exist.
    pub async fn get_org_sso(
        &self,
        org: &OrgId,
    ) -> StoreResult<Option<(String, Option<SsoConfigRecord>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            status: String,
            protocol: Option<String>,
            enabled: Option<i64>,
            enforce_sso: Option<i64>,
            config: Option<String>,
            created_at: Option<Millis>,
            updated_at: Option<Millis>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT o.status, c.protocol, CAST(CASE WHEN c.enabled THEN 1 ELSE 0 END AS BIGINT) AS enabled, \
             CAST(CASE WHEN c.enforce_sso THEN 1 ELSE 0 END AS BIGINT) AS enforce_sso, c.config, c.created_at, c.updated_at \
             FROM organizations o LEFT JOIN sso_configs c ON c.org_id = o.org_id WHERE o.org_id = $1",
        )
        .bind(org.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| {
            let config = match (r.protocol, r.config, r.created_at, r.updated_at) {
                (Some(protocol), Some(config), Some(created_at), Some(updated_at)) => {
                    Some(SsoConfigRecord {
                        protocol,
                        enabled: r.enabled.unwrap_or(0) != 0,
                        enforce_sso: r.enforce_sso.unwrap_or(0) != 0,
                        config,
                        created_at,
                        updated_at,
                    })
                }
                _ => None,
            };
            (r.status, config)
        }))
    }
}

/// Writes of the configuration run in a directory transaction, so the `sso.config_*` and
/// `user.roles_changed` events they cause are committed with them (CONTRACT.md §15).
impl DirTx {
    /// Creates the org's configuration; false when one exists already.
    pub async fn insert_sso_config(
        &mut self,
        org: &OrgId,
        protocol: &str,
        enabled: bool,
        enforce_sso: bool,
        config: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO sso_configs (org_id, protocol, enabled, enforce_sso, config, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org.as_str())
        .bind(protocol)
        .bind(enabled)
        .bind(enforce_sso)
        .bind(config)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes the configuration's row for this transaction (a write, so it is the first
    /// statement) and returns its text, creation and update times; None when there is none.
    pub async fn lock_sso_config(
        &mut self,
        org: &OrgId,
    ) -> StoreResult<Option<(String, Millis, Millis)>> {
        Ok(sqlx::query_as(
            "UPDATE sso_configs SET updated_at = updated_at WHERE org_id = $1 \
             RETURNING config, created_at, updated_at",
        )
        .bind(org.as_str())
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    /// Replaces the org's configuration; false when there is none.
    pub async fn update_sso_config(
        &mut self,
        org: &OrgId,
        protocol: &str,
        enabled: bool,
        enforce_sso: bool,
        config: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sso_configs SET protocol = $2, enabled = $3, enforce_sso = $4, config = $5, updated_at = $6 \
             WHERE org_id = $1",
        )
        .bind(org.as_str())
        .bind(protocol)
        .bind(enabled)
        .bind(enforce_sso)
        .bind(config)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_sso_config(&mut self, org: &OrgId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sso_configs WHERE org_id = $1")
            .bind(org.as_str())
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
