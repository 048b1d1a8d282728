//! Runs directory list queries (built by dir_query.rs): one page, its totalResults, and for
//! users optionally each user's groups joined into the page's query. A `userName eq`
//! filter with groups is one statement (plus the token check), not three. On SQLite the
//! pages and counts run inline (inline_reads.rs), with the pool as the fallback.

use sqlx::AssertSqlSafe;

use super::dir_query::{bind_all, build, Bind, ListQuery, Table};
use super::directory::{GroupRecord, UserGroupRow, UserRecord, GROUP_COLUMNS, USER_COLUMNS};
use super::inline_reads::FromInline;
use super::{Store, StoreResult};
use crate::domain::OrgId;

/// A page's user joined with one of its groups (NULL group columns: none).
#[derive(Debug, sqlx::FromRow)]
struct UserGroupJoin {
    #[sqlx(flatten)]
    user: UserRecord,
    group_id: Option<String>,
    group_display: Option<String>,
    group_external_id: Option<String>,
}

impl UserGroupJoin {
    /// By position: the user's eleven columns, then the group's three.
    fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            user: UserRecord::from_inline(row, 0)?,
            group_id: row.get(11)?,
            group_display: row.get(12)?,
            group_external_id: row.get(13)?,
        })
    }
}

impl Store {
    /// (totalResults, one page) of users matching `q`.
    pub async fn list_users(
        &self,
        org: &OrgId,
        q: &ListQuery,
    ) -> StoreResult<(i64, Vec<UserRecord>)> {
        self.list_of::<UserRecord>(Table::Users, org, q).await
    }

    /// (totalResults, one page, the page's users' groups) in one statement when the page
    /// tells the total: the page is a derived table `r` (same filter, order and limit as
    /// `list_users`) joined with the memberships, ordered again by the page's order.
    pub async fn list_users_with_groups(
        &self,
        org: &OrgId,
        q: &ListQuery,
    ) -> StoreResult<(i64, Vec<UserRecord>, Vec<UserGroupRow>)> {
        if q.limit <= 0 {
            let total = self.count_of(Table::Users, org, q).await?;
            return Ok((total, Vec::new(), Vec::new()));
        }
        let (mut sql, filter, order) = build(Table::Users, org, q, true);
        let l = sql.bind(Bind::Int(q.limit));
        let o = sql.bind(Bind::Int(q.offset));
        // The outer ORDER BY repeats the page's: its columns (and sort subquery on r.id)
        // exist in the derived table too, and r.id ends it, so the order is total. The
        // outer list names columns (not r.*): SQLite's BOOLEAN `active` would not decode.
        sql.text = format!(
            "SELECT r.id, r.user_name, r.external_id, r.display_name, r.email_lc, \
             r.active_flag, r.source, r.resource, r.version, r.created_at, r.updated_at, \
             g.id AS group_id, g.display_name AS group_display, \
             g.external_id AS group_external_id FROM \
             (SELECT {USER_COLUMNS}, r.user_name_lc, r.active FROM users r WHERE {filter} ORDER BY {order} LIMIT {l} OFFSET {o}) r \
             LEFT JOIN group_members m ON m.org_id = $1 AND m.user_id = r.id \
             LEFT JOIN groups g ON g.id = m.group_id ORDER BY {order}, g.display_name_lc"
        );
        let inline = self
            .inline()
            .and_then(|r| r.rows(&sql.text, &sql.binds, UserGroupJoin::from_inline));
        let joined: Vec<UserGroupJoin> = match inline {
            Some(rows) => rows,
            None => {
                bind_all!(sqlx::query_as(AssertSqlSafe(sql.text)), sql.binds)
                    .fetch_all(self.pool())
                    .await?
            }
        };
        let mut users: Vec<UserRecord> = Vec::new();
        let mut groups = Vec::new();
        for row in joined {
            if users.last().is_none_or(|u| u.id != row.user.id) {
                users.push(row.user.clone());
            }
            if let (Some(group_id), Some(display_name)) = (row.group_id, row.group_display) {
                groups.push(UserGroupRow {
                    user_id: row.user.id,
                    group_id,
                    display_name,
                    external_id: row.group_external_id,
                });
            }
        }
        let total = self.total_of(Table::Users, org, q, users.len()).await?;
        Ok((total, users, groups))
    }

    pub async fn list_groups(
        &self,
        org: &OrgId,
        q: &ListQuery,
    ) -> StoreResult<(i64, Vec<GroupRecord>)> {
        self.list_of::<GroupRecord>(Table::Groups, org, q).await
    }

    async fn list_of<T>(
        &self,
        table: Table,
        org: &OrgId,
        q: &ListQuery,
    ) -> StoreResult<(i64, Vec<T>)>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + FromInline + Send + Unpin,
    {
        if q.limit <= 0 {
            return Ok((self.count_of(table, org, q).await?, Vec::new()));
        }
        let (name, columns) = match table {
            Table::Users => ("users", USER_COLUMNS),
            Table::Groups => ("groups", GROUP_COLUMNS),
        };
        let (mut sql, filter, order) = build(table, org, q, true);
        let l = sql.bind(Bind::Int(q.limit));
        let o = sql.bind(Bind::Int(q.offset));
        sql.text = format!(
            "SELECT {columns} FROM {name} r WHERE {filter} ORDER BY {order} LIMIT {l} OFFSET {o}"
        );
        let inline = self
            .inline()
            .and_then(|r| r.rows(&sql.text, &sql.binds, |row| T::from_inline(row, 0)));
        let rows: Vec<T> = match inline {
            Some(rows) => rows,
            None => {
                bind_all!(sqlx::query_as(AssertSqlSafe(sql.text)), sql.binds)
                    .fetch_all(self.pool())
                    .await?
            }
        };
        let total = self.total_of(table, org, q, rows.len()).await?;
        Ok((total, rows))
    }

    /// totalResults for a page of `len` rows. A page that is neither full nor empty ends the
    /// result: its last row is number offset + len, so no COUNT is needed (a `userName eq`
    /// filter is one query, not two). A full page, or an empty one past the start, counts.
    async fn total_of(
        &self,
        table: Table,
        org: &OrgId,
        q: &ListQuery,
        len: usize,
    ) -> StoreResult<i64> {
        let len = i64::try_from(len).unwrap_or(i64::MAX);
        if len < q.limit && (len > 0 || q.offset == 0) {
            return Ok(q.offset + len);
        }
        self.count_of(table, org, q).await
    }

    async fn count_of(&self, table: Table, org: &OrgId, q: &ListQuery) -> StoreResult<i64> {
        let name = match table {
            Table::Users => "users",
            Table::Groups => "groups",
        };
        let (count_sql, filter, _) = build(table, org, q, false);
        let text = format!("SELECT COUNT(*) FROM {name} r WHERE {filter}");
        let inline = self
            .inline()
            .and_then(|r| r.rows(&text, &count_sql.binds, |row| row.get::<_, i64>(0)));
        if let Some(count) = inline.and_then(|rows| rows.into_iter().next()) {
            return Ok(count);
        }
        Ok(
            bind_all!(sqlx::query_scalar(AssertSqlSafe(text)), count_sql.binds)
                .fetch_one(self.pool())
                .await?,
        )
    }
}
