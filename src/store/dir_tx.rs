//! `DirTx`: one directory write transaction. Its first statement is always a write, so
//! SQLite takes its write lock at once (waiting on busy_timeout, never failing a lock
//! upgrade) and PostgreSQL locks the row being changed before it is read.

use sqlx::{Any, AssertSqlSafe, Transaction};

use super::directory::{
    GroupRecord, GroupWrite, IndexValue, UserRecord, UserWrite, GROUP_COLUMNS, USER_COLUMNS,
};
use super::write_plan::{run_stmt, Stmt};
use super::StoreResult;
use crate::clock::Millis;
use crate::domain::fold_identity;
use crate::domain::OrgId;

pub struct DirTx {
    pub(super) tx: Transaction<'static, Any>,
}

impl DirTx {
    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Records an event of this change in the same transaction (CONTRACT.md §15).
    pub async fn append_event(
        &mut self,
        org: &OrgId,
        event: &super::NewEvent<'_>,
        now: Millis,
    ) -> StoreResult<String> {
        super::events::append_event(&mut self.tx, org, event, now).await
    }

    /// Serialises user creation in one organization while its seats are counted.
    pub async fn lock_org(&mut self, org: &OrgId) -> StoreResult<()> {
        sqlx::query("UPDATE organizations SET updated_at = updated_at WHERE org_id = $1")
            .bind(org.as_str())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn count_users(&mut self, org: &OrgId) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1")
                .bind(org.as_str())
                .fetch_one(&mut *self.tx)
                .await?,
        )
    }

    pub async fn insert_user(
        &mut self,
        org: &OrgId,
        id: &str,
        w: &UserWrite,
        source: &str,
        now: Millis,
    ) -> StoreResult<UserRecord> {
        let sql = format!(
            "INSERT INTO users (id, org_id, user_name, user_name_lc, external_id, email_lc, display_name, active, source, resource, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING {USER_COLUMNS}"
        );
        let rec = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .bind(org.as_str())
            .bind(&w.user_name)
            .bind(fold_identity(&w.user_name))
            .bind(&w.external_id)
            .bind(&w.email_lc)
            .bind(&w.display_name)
            .bind(w.active)
            .bind(source)
            .bind(&w.resource)
            .bind(now)
            .fetch_one(&mut *self.tx)
            .await?;
        self.put_values(org, id, &w.values).await?;
        Ok(rec)
    }

    /// Takes the user's row for this transaction and bumps its version; None when unknown.
    pub async fn lock_user(&mut self, org: &OrgId, id: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!(
            "UPDATE users SET version = version + 1 WHERE org_id = $1 AND id = $2 RETURNING {USER_COLUMNS}"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn update_user(
        &mut self,
        org: &OrgId,
        id: &str,
        w: &UserWrite,
        now: Millis,
    ) -> StoreResult<UserRecord> {
        let sql = format!(
            "UPDATE users SET user_name = $3, user_name_lc = $4, external_id = $5, email_lc = $6, display_name = $7, \
             active = $8, resource = $9, updated_at = $10 WHERE org_id = $1 AND id = $2 RETURNING {USER_COLUMNS}"
        );
        let rec = sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(id)
            .bind(&w.user_name)
            .bind(fold_identity(&w.user_name))
            .bind(&w.external_id)
            .bind(&w.email_lc)
            .bind(&w.display_name)
            .bind(w.active)
            .bind(&w.resource)
            .bind(now)
            .fetch_one(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM scim_values WHERE org_id = $1 AND resource_id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.put_values(org, id, &w.values).await?;
        Ok(rec)
    }

    async fn put_values(
        &mut self,
        org: &OrgId,
        id: &str,
        values: &[IndexValue],
    ) -> StoreResult<()> {
        for stmt in values_stmts(org, id, values) {
            run_stmt(&mut self.tx, stmt).await?;
        }
        Ok(())
    }

    pub async fn delete_user(&mut self, org: &OrgId, id: &str) -> StoreResult<bool> {
        sqlx::query("DELETE FROM scim_values WHERE org_id = $1 AND resource_id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND user_id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        let done = sqlx::query("DELETE FROM users WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn insert_group(
        &mut self,
        org: &OrgId,
        id: &str,
        w: &GroupWrite,
        now: Millis,
    ) -> StoreResult<GroupRecord> {
        let sql = format!(
            "INSERT INTO groups (id, org_id, display_name, display_name_lc, external_id, resource, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING {GROUP_COLUMNS}"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .bind(org.as_str())
            .bind(&w.display_name)
            .bind(fold_identity(&w.display_name))
            .bind(&w.external_id)
            .bind(&w.resource)
            .bind(now)
            .fetch_one(&mut *self.tx)
            .await?)
    }

    pub async fn lock_group(&mut self, org: &OrgId, id: &str) -> StoreResult<Option<GroupRecord>> {
        let sql = format!(
            "UPDATE groups SET version = version + 1 WHERE org_id = $1 AND id = $2 RETURNING {GROUP_COLUMNS}"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn update_group(
        &mut self,
        org: &OrgId,
        id: &str,
        w: &GroupWrite,
        now: Millis,
    ) -> StoreResult<GroupRecord> {
        let sql = format!(
            "UPDATE groups SET display_name = $3, display_name_lc = $4, external_id = $5, resource = $6, updated_at = $7 \
             WHERE org_id = $1 AND id = $2 RETURNING {GROUP_COLUMNS}"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(id)
            .bind(&w.display_name)
            .bind(fold_identity(&w.display_name))
            .bind(&w.external_id)
            .bind(&w.resource)
            .bind(now)
            .fetch_one(&mut *self.tx)
            .await?)
    }

    pub async fn delete_group(&mut self, org: &OrgId, id: &str) -> StoreResult<bool> {
        self.clear_members(org, id).await?;
        let done = sqlx::query("DELETE FROM groups WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Adds one member; false when `user_id` is not a user of this organization.
    pub async fn add_member(
        &mut self,
        org: &OrgId,
        group_id: &str,
        member: &NewMember,
        now: Millis,
    ) -> StoreResult<bool> {
        Ok(self.add_member_counted(org, group_id, member, now).await? != MemberAdd::NotAUser)
    }

    /// Adds one member and says whether it was new (for the `group.member_added` event).
    pub async fn add_member_counted(
        &mut self,
        org: &OrgId,
        group_id: &str,
        member: &NewMember,
        now: Millis,
    ) -> StoreResult<MemberAdd> {
        let user_id = member.id.as_str();
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND id = $2")
                .bind(org.as_str())
                .bind(user_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        if exists.is_none() {
            return Ok(MemberAdd::NotAUser);
        }
        let done = sqlx::query(
            "INSERT INTO group_members (org_id, group_id, user_id, added_at, member_type, member_display) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(org.as_str())
        .bind(group_id)
        .bind(user_id)
        .bind(now)
        .bind(&member.kind)
        .bind(&member.display)
        .execute(&mut *self.tx)
        .await?;
        Ok(if done.rows_affected() > 0 {
            MemberAdd::Added
        } else {
            MemberAdd::AlreadyMember
        })
    }

    /// Removes one member; true when it was one.
    pub async fn remove_member_counted(
        &mut self,
        org: &OrgId,
        group_id: &str,
        user_id: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3",
        )
        .bind(org.as_str())
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes every member and returns who they were (one DELETE, as `clear_members`).
    pub async fn clear_members_listed(
        &mut self,
        org: &OrgId,
        group_id: &str,
    ) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 RETURNING user_id",
        )
        .bind(org.as_str())
        .bind(group_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    pub async fn remove_member(
        &mut self,
        org: &OrgId,
        group_id: &str,
        user_id: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3",
        )
        .bind(org.as_str())
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn clear_members(&mut self, org: &OrgId, group_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM group_members WHERE org_id = $1 AND group_id = $2")
            .bind(org.as_str())
            .bind(group_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

/// What adding a member did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberAdd {
    NotAUser,
    Added,
    AlreadyMember,
}

/// A group member to add: the user id, and the optional `type` and `display` the client
/// sent, which are stored and echoed back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMember {
    pub id: String,
    pub kind: Option<String>,
    pub display: Option<String>,
}

impl NewMember {
    /// A member named by its id alone.
    pub fn id(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            kind: None,
            display: None,
        }
    }
}

/// The index rows of a resource as multi-row INSERTs of at most 100 rows (5 parameters
/// each), which keep writes cheap.
pub(super) fn values_stmts(org: &OrgId, id: &str, values: &[IndexValue]) -> Vec<Stmt> {
    values
        .chunks(100)
        .map(|chunk| {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = i * 5;
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4,
                        n + 5
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO scim_values (org_id, resource_id, attr, elem, value_lc) VALUES {}",
                rows.join(", ")
            );
            let binds = chunk
                .iter()
                .flat_map(|(attr, elem, value)| {
                    [
                        org.as_str().into(),
                        id.into(),
                        attr.as_str().into(),
                        (*elem).into(),
                        value.as_str().into(),
                    ]
                })
                .collect();
            Stmt::new(sql, binds)
        })
        .collect()
}
