//! SCIM's hottest read, GET /Users/{id}, in one round trip: the bearer token's credential
//! and its organization's status joined with the user and the user's groups. The token is
//! still checked against the database on every request (revocation takes effect at once);
//! only the separate round trips are gone.

use sqlx::AssertSqlSafe;

use super::directory::{UserGroupRow, UserRecord, USER_COLUMNS_R};
use super::{CredentialKind, Store, StoreResult};
use crate::clock::Millis;

/// The presented token's credential, as far as SCIM authentication needs it.
#[derive(Debug)]
pub struct TokenCheck {
    pub credential_id: String,
    pub org_id: String,
    pub org_status: String,
    pub last_used_at: Option<Millis>,
}

/// One row of the joined read: the credential, then the user's columns (all NULL when the
/// organization has no such user), then one group (NULL when none).
#[derive(Debug, sqlx::FromRow)]
struct Row {
    cred_id: String,
    cred_org_id: String,
    org_status: String,
    cred_last_used_at: Option<Millis>,
    id: Option<String>,
    user_name: Option<String>,
    external_id: Option<String>,
    display_name: Option<String>,
    email_lc: Option<String>,
    active_flag: Option<i64>,
    source: Option<String>,
    resource: Option<String>,
    version: Option<i64>,
    created_at: Option<Millis>,
    updated_at: Option<Millis>,
    group_id: Option<String>,
    group_display: Option<String>,
    group_external_id: Option<String>,
}

impl Row {
    fn user(&self) -> Option<UserRecord> {
        Some(UserRecord {
            id: self.id.clone()?,
            user_name: self.user_name.clone()?,
            external_id: self.external_id.clone(),
            display_name: self.display_name.clone(),
            email_lc: self.email_lc.clone(),
            active_flag: self.active_flag?,
            source: self.source.clone()?,
            resource: self.resource.clone()?,
            version: self.version?,
            created_at: self.created_at?,
            updated_at: self.updated_at?,
        })
    }
}

impl Store {
    /// The credential of `secret_hash` (None: unknown or expired) and, in its organization,
    /// the user `user_id` with its groups (None: no such user).
    pub async fn scim_token_and_user(
        &self,
        secret_hash: &str,
        now: Millis,
        user_id: &str,
    ) -> StoreResult<Option<(TokenCheck, Option<(UserRecord, Vec<UserGroupRow>)>)>> {
        let sql = format!(
            "SELECT c.id AS cred_id, c.org_id AS cred_org_id, o.status AS org_status, \
             c.last_used_at AS cred_last_used_at, {USER_COLUMNS_R}, g.id AS group_id, \
             g.display_name AS group_display, g.external_id AS group_external_id \
             FROM credentials c JOIN organizations o ON o.org_id = c.org_id \
             LEFT JOIN users r ON r.org_id = c.org_id AND r.id = $4 \
             LEFT JOIN group_members m ON m.org_id = r.org_id AND m.user_id = r.id \
             LEFT JOIN groups g ON g.id = m.group_id \
             WHERE c.secret_hash = $1 AND c.kind = $2 AND (c.expires_at IS NULL OR c.expires_at > $3) \
             ORDER BY g.display_name_lc"
        );
        let rows: Vec<Row> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(secret_hash)
            .bind(CredentialKind::ScimToken.as_str())
            .bind(now)
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let user = first.user().map(|user| {
            let groups = rows
                .iter()
                .filter_map(|r| {
                    Some(UserGroupRow {
                        user_id: user.id.clone(),
                        group_id: r.group_id.clone()?,
                        display_name: r.group_display.clone()?,
                        external_id: r.group_external_id.clone(),
                    })
                })
                .collect();
            (user, groups)
        });
        let check = TokenCheck {
            credential_id: first.cred_id.clone(),
            org_id: first.cred_org_id.clone(),
            org_status: first.org_status.clone(),
            last_used_at: first.cred_last_used_at,
        };
        Ok(Some((check, user)))
    }
}
