//! Users, groups and memberships of the directory: records and reads. Writes go through
//! `DirTx` (dir_tx.rs), one transaction per request.

use sqlx::AssertSqlSafe;

use super::dir_query::Bind;
use super::dir_tx::DirTx;
use super::inline_reads::FromInline;
use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

pub(crate) const USER_COLUMNS: &str =
    "id, user_name, external_id, display_name, email_lc, CAST(CASE WHEN active THEN 1 ELSE 0 END AS BIGINT) AS active_flag, source, resource, version, created_at, updated_at";
/// USER_COLUMNS qualified with the `r` alias, for queries that join other tables.
pub(crate) const USER_COLUMNS_R: &str =
    "r.id, r.user_name, r.external_id, r.display_name, r.email_lc, CAST(CASE WHEN r.active THEN 1 ELSE 0 END AS BIGINT) AS active_flag, r.source, r.resource, r.version, r.created_at, r.updated_at";
pub(crate) const GROUP_COLUMNS: &str =
    "id, display_name, external_id, resource, version, created_at, updated_at";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRecord {
    pub id: String,
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub email_lc: Option<String>,
    /// 1 when active: the `Any` driver cannot decode SQLite BOOLEAN, so reads cast it.
    pub active_flag: i64,
    pub source: String,
    /// JSON text of the canonical SCIM attributes (without id, meta and schemas).
    pub resource: String,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl UserRecord {
    pub fn active(&self) -> bool {
        self.active_flag != 0
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GroupRecord {
    pub id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    pub resource: String,
    pub version: i64,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// One searchable value of a resource: (lowercased attribute path, element index, value).
pub type IndexValue = (String, i64, String);

#[derive(Debug)]
pub struct UserWrite {
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub email_lc: Option<String>,
    pub active: bool,
    pub resource: String,
    pub values: Vec<IndexValue>,
}

#[derive(Debug)]
pub struct GroupWrite {
    pub display_name: String,
    pub external_id: Option<String>,
    pub resource: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub id: String,
    pub member_type: Option<String>,
    pub member_display: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct GroupMemberRow {
    group_id: String,
    id: String,
    member_type: Option<String>,
    member_display: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserGroupRow {
    pub user_id: String,
    pub group_id: String,
    pub display_name: String,
    pub external_id: Option<String>,
}

impl Store {
    pub async fn begin_dir(&self) -> StoreResult<DirTx> {
        Ok(DirTx {
            tx: self.begin_write().await?,
        })
    }

    pub async fn get_user(&self, org: &OrgId, id: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users r WHERE r.org_id = $1 AND r.id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn get_group(&self, org: &OrgId, id: &str) -> StoreResult<Option<GroupRecord>> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM groups r WHERE r.org_id = $1 AND r.id = $2");
        let inline = self.inline().and_then(|r| {
            let binds = [
                Bind::Text(org.as_str().to_owned()),
                Bind::Text(id.to_owned()),
            ];
            r.rows(&sql, &binds, |row| GroupRecord::from_inline(row, 0))
        });
        if let Some(rows) = inline {
            return Ok(rows.into_iter().next());
        }
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Members of a group with the names shown in `members[].display`.
    pub async fn group_members(&self, org: &OrgId, group_id: &str) -> StoreResult<Vec<MemberRow>> {
        Ok(sqlx::query_as(
            "SELECT m.user_id AS id, m.member_type, m.member_display FROM group_members m \
             WHERE m.org_id = $1 AND m.group_id = $2 ORDER BY m.added_at, m.user_id",
        )
        .bind(org.as_str())
        .bind(group_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Members of each of `group_ids` (one query for a whole page of groups), as
    /// (group id, member) pairs.
    pub async fn members_of_groups(
        &self,
        org: &OrgId,
        group_ids: &[&str],
    ) -> StoreResult<Vec<(String, MemberRow)>> {
        if group_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..group_ids.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let sql = format!(
            "SELECT m.group_id, m.user_id AS id, m.member_type, m.member_display FROM group_members m \
             WHERE m.org_id = $1 AND m.group_id IN ({}) ORDER BY m.group_id, m.added_at, m.user_id",
            placeholders.join(", ")
        );
        let inline = self.inline().and_then(|r| {
            let binds: Vec<Bind> = std::iter::once(org.as_str())
                .chain(group_ids.iter().copied())
                .map(|t| Bind::Text(t.to_owned()))
                .collect();
            r.rows(&sql, &binds, |row| {
                Ok(GroupMemberRow {
                    group_id: row.get(0)?,
                    id: row.get(1)?,
                    member_type: row.get(2)?,
                    member_display: row.get(3)?,
                })
            })
        });
        let rows = match inline {
            Some(rows) => rows,
            None => {
                let mut q =
                    sqlx::query_as::<_, GroupMemberRow>(AssertSqlSafe(sql)).bind(org.as_str());
                for id in group_ids {
                    q = q.bind(*id);
                }
                q.fetch_all(self.pool()).await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let member = MemberRow {
                    id: r.id,
                    member_type: r.member_type,
                    member_display: r.member_display,
                };
                (r.group_id, member)
            })
            .collect())
    }

    /// Groups of each of `user_ids` (one query for a whole page of users).
    pub async fn groups_of_users(
        &self,
        org: &OrgId,
        user_ids: &[&str],
    ) -> StoreResult<Vec<UserGroupRow>> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> =
            (0..user_ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT m.user_id, g.id AS group_id, g.display_name, g.external_id FROM group_members m \
             JOIN groups g ON g.id = m.group_id WHERE m.org_id = $1 AND m.user_id IN ({}) ORDER BY g.display_name_lc",
            placeholders.join(", ")
        );
        let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(org.as_str());
        for id in user_ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(self.pool()).await?)
    }

    /// The SSO configuration's JSON text (for its role mappings), without the BOOLEAN
    /// columns the `Any` driver cannot decode on SQLite.
    pub async fn sso_config_json(&self, org: &OrgId) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT config FROM sso_configs WHERE org_id = $1")
                .bind(org.as_str())
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Users among `ids` who have live portal sessions.
    pub async fn users_with_sessions(&self, org: &OrgId, ids: &[&str]) -> StoreResult<Vec<String>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT DISTINCT principal_id FROM sessions WHERE org_id = $1 AND principal_type = 'user' \
                 AND principal_id IN ({})",
                placeholders.join(", ")
            );
            let mut q = sqlx::query_scalar(AssertSqlSafe(sql)).bind(org.as_str());
            for id in chunk {
                q = q.bind(*id);
            }
            out.extend(q.fetch_all(self.pool()).await?);
        }
        Ok(out)
    }

    /// Members of a group who have live portal sessions (costs the sessions, not the members).
    pub async fn group_members_with_sessions(
        &self,
        org: &OrgId,
        group_id: &str,
    ) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT s.principal_id FROM sessions s JOIN group_members m \
             ON m.user_id = s.principal_id AND m.group_id = $2 \
             WHERE s.org_id = $1 AND s.principal_type = 'user'",
        )
        .bind(org.as_str())
        .bind(group_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// SQLite only: refreshes the planner's statistics where tables grew (`PRAGMA optimize`,
    /// 0x10000: every table, not only those this connection has queried).
    /// Without them SQLite scans an organization's users for `r.id IN (SELECT ... FROM
    /// scim_values ...)` filters instead of driving from the value index (9 ms instead of
    /// 0.02 ms at 100,000 users). PostgreSQL's autovacuum keeps its own statistics.
    ///
    /// Only sqlite_stat1 (rows per key) is kept; the sqlite_stat4 samples are removed in the
    /// same transaction. The bundled SQLite is built with STAT4, and with samples present
    /// every statement whose indexed `=` takes a bound value is compiled again whenever that
    /// value changes (sqlite3_stmt_status REPREPARE counted one per `userName eq` lookup):
    /// a full parse and plan per request. Once committed, other connections load the new
    /// statistics; `ANALYZE sqlite_schema` reloads them on this one.
    pub async fn sqlite_optimize(&self) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("PRAGMA optimize=0x10002")
            .execute(&mut *tx)
            .await?;
        let has_stat4: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat4'",
        )
        .fetch_one(&mut *tx)
        .await?;
        if has_stat4 > 0 {
            sqlx::query("DELETE FROM sqlite_stat4")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        sqlx::query("ANALYZE sqlite_schema")
            .execute(self.writer())
            .await?;
        Ok(())
    }

    pub async fn count_users(&self, org: &OrgId) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1")
                .bind(org.as_str())
                .fetch_one(self.pool())
                .await?,
        )
    }
}
