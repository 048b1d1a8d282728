//! The one SSO configuration of each organization, as validated JSON text.

use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SsoConfigRecord {
    pub protocol: String,
    pub enabled: bool,
    pub enforce_sso: bool,
    /// JSON text of the configuration (secrets encrypted inside).
    pub config: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Store {
    pub async fn get_sso_config(&self, org: &OrgId) -> StoreResult<Option<SsoConfigRecord>> {
        Ok(sqlx::query_as(
            "SELECT protocol, enabled, enforce_sso, config, created_at, updated_at FROM sso_configs WHERE org_id = $1",
        )
        .bind(org.as_str())
        .fetch_optional(self.pool())
        .await?)
    }
}
