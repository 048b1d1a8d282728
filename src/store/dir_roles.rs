//! Reads of a directory write transaction that role recomputation needs (CONTRACT.md §5,
//! §15 `user.roles_changed`): the SSO configuration's text, users and their groups, all
//! seen by the transaction itself so roles before and after a change are both exact.

use sqlx::AssertSqlSafe;

use super::directory::{UserGroupRow, UserRecord, USER_COLUMNS};
use super::{DirTx, StoreResult};
use crate::domain::OrgId;

/// Ids per `IN (...)` list (well under every backend's parameter limit).
const IDS_PER_QUERY: usize = 500;

impl DirTx {
    /// The SSO configuration's JSON text as this transaction sees it.
    pub async fn sso_config_json(&mut self, org: &OrgId) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT config FROM sso_configs WHERE org_id = $1")
                .bind(org.as_str())
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// The ids of a group's members.
    pub async fn member_ids(&mut self, org: &OrgId, group_id: &str) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM group_members WHERE org_id = $1 AND group_id = $2",
        )
        .bind(org.as_str())
        .bind(group_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Users named by `ids`, or every user of the organization when None.
    pub async fn users_in(
        &mut self,
        org: &OrgId,
        ids: Option<&[String]>,
    ) -> StoreResult<Vec<UserRecord>> {
        let base = format!("SELECT {USER_COLUMNS} FROM users WHERE org_id = $1");
        self.by_ids(org, &base, "id", ids).await
    }

    /// The groups of the users named by `ids`, or of every user when None.
    pub async fn groups_in(
        &mut self,
        org: &OrgId,
        ids: Option<&[String]>,
    ) -> StoreResult<Vec<UserGroupRow>> {
        let base = "SELECT m.user_id, g.id AS group_id, g.display_name, g.external_id \
                    FROM group_members m JOIN groups g ON g.id = m.group_id \
                    WHERE m.org_id = $1 AND g.org_id = $1";
        self.by_ids(org, base, "m.user_id", ids).await
    }

    async fn by_ids<T>(
        &mut self,
        org: &OrgId,
        base: &str,
        column: &str,
        ids: Option<&[String]>,
    ) -> StoreResult<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let Some(ids) = ids else {
            let sql = base.to_owned();
            return Ok(sqlx::query_as(AssertSqlSafe(sql))
                .bind(org.as_str())
                .fetch_all(&mut *self.tx)
                .await?);
        };
        let mut out = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!("{base} AND {column} IN ({})", marks.join(", "));
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(org.as_str());
            for id in chunk {
                q = q.bind(id);
            }
            out.extend(q.fetch_all(&mut *self.tx).await?);
        }
        Ok(out)
    }
}
