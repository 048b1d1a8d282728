//! SCIM's hottest read, GET /Users/{id}, in one round trip: the bearer token's credential
//! and its organization's status joined with the user and the user's groups. The token is
//! still checked against the database on every request (revocation takes effect at once);
//! only the separate round trips are gone. On SQLite both reads run inline
//! (inline_reads.rs), with the pool as the fallback.

use std::sync::LazyLock;

use sqlx::AssertSqlSafe;

use super::dir_query::Bind;
use super::directory::{UserGroupRow, UserRecord, USER_COLUMNS_R};
use super::inline_reads::FromInline;
use super::{CredentialKind, Store, StoreResult};
use crate::clock::Millis;

/// The credential of a SCIM token hash ($1, kind $2) unexpired at $3, with its org's
/// status: the columns, tables and condition both token queries share.
const TOKEN_COLUMNS: &str = "c.id AS cred_id, c.org_id AS cred_org_id, o.status AS org_status, \
     c.last_used_at AS cred_last_used_at";
const TOKEN_FROM: &str = "credentials c JOIN organizations o ON o.org_id = c.org_id";
const TOKEN_WHERE: &str =
    "c.secret_hash = $1 AND c.kind = $2 AND (c.expires_at IS NULL OR c.expires_at > $3)";

/// The token check alone (a list or a write).
static TOKEN_SQL: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {TOKEN_COLUMNS} FROM {TOKEN_FROM} WHERE {TOKEN_WHERE}"));

/// The token check joined with the user $4 of the token's organization and its groups.
static TOKEN_AND_USER_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS_R}, g.id AS group_id, \
         g.display_name AS group_display, g.external_id AS group_external_id \
         FROM {TOKEN_FROM} \
         LEFT JOIN users r ON r.org_id = c.org_id AND r.id = $4 \
         LEFT JOIN group_members m ON m.org_id = r.org_id AND m.user_id = r.id \
         LEFT JOIN groups g ON g.id = m.group_id \
         WHERE {TOKEN_WHERE} ORDER BY g.display_name_lc"
    )
});

/// The presented token's credential, as far as SCIM authentication needs it.
#[derive(Debug, sqlx::FromRow)]
pub struct TokenCheck {
    #[sqlx(rename = "cred_id")]
    pub credential_id: String,
    #[sqlx(rename = "cred_org_id")]
    pub org_id: String,
    pub org_status: String,
    #[sqlx(rename = "cred_last_used_at")]
    pub last_used_at: Option<Millis>,
}

impl TokenCheck {
    /// From the first four columns of TOKEN_SQL (and of TOKEN_AND_USER_SQL), by position.
    fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            credential_id: row.get(0)?,
            org_id: row.get(1)?,
            org_status: row.get(2)?,
            last_used_at: row.get(3)?,
        })
    }
}

/// One row of the joined read as the pool decodes it: the credential, then the user's
/// columns (all NULL when the organization has no such user), then one group (NULL: none).
#[derive(Debug, sqlx::FromRow)]
struct PoolRow {
    #[sqlx(flatten)]
    token: TokenCheck,
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
    #[sqlx(flatten)]
    group: GroupColumns,
}

#[derive(Debug, sqlx::FromRow)]
struct GroupColumns {
    group_id: Option<String>,
    group_display: Option<String>,
    group_external_id: Option<String>,
}

/// One row of the joined read, from either path.
struct Joined {
    token: TokenCheck,
    user: Option<UserRecord>,
    group: GroupColumns,
}

impl From<PoolRow> for Joined {
    fn from(r: PoolRow) -> Self {
        let user = (|| {
            Some(UserRecord {
                id: r.id?,
                user_name: r.user_name?,
                external_id: r.external_id,
                display_name: r.display_name,
                email_lc: r.email_lc,
                active_flag: r.active_flag?,
                source: r.source?,
                resource: r.resource?,
                version: r.version?,
                created_at: r.created_at?,
                updated_at: r.updated_at?,
            })
        })();
        Self {
            token: r.token,
            user,
            group: r.group,
        }
    }
}

impl Joined {
    /// From TOKEN_AND_USER_SQL's columns, by position: the token's four, the user's eleven
    /// (UserRecord::from_inline), then the group's three.
    fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let user = match row.get::<_, Option<String>>(4)? {
            Some(_) => Some(UserRecord::from_inline(row, 4)?),
            None => None,
        };
        Ok(Self {
            token: TokenCheck::from_inline(row)?,
            user,
            group: GroupColumns {
                group_id: row.get(15)?,
                group_display: row.get(16)?,
                group_external_id: row.get(17)?,
            },
        })
    }
}

impl Store {
    /// The credential of the SCIM token `secret_hash` (None: unknown or expired).
    pub async fn scim_token(
        &self,
        secret_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<TokenCheck>> {
        let sql = TOKEN_SQL.as_str();
        let inline = self.inline().and_then(|r| {
            r.rows(
                sql,
                &token_binds(secret_hash, now, None),
                TokenCheck::from_inline,
            )
        });
        if let Some(rows) = inline {
            return Ok(rows.into_iter().next());
        }
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(secret_hash)
            .bind(CredentialKind::ScimToken.as_str())
            .bind(now)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The credential of `secret_hash` (None: unknown or expired) and, in its organization,
    /// the user `user_id` with its groups (None: no such user).
    pub async fn scim_token_and_user(
        &self,
        secret_hash: &str,
        now: Millis,
        user_id: &str,
    ) -> StoreResult<Option<(TokenCheck, Option<(UserRecord, Vec<UserGroupRow>)>)>> {
        let sql = TOKEN_AND_USER_SQL.as_str();
        let inline = self.inline().and_then(|r| {
            let binds = token_binds(secret_hash, now, Some(user_id));
            r.rows(sql, &binds, Joined::from_inline)
        });
        let rows = match inline {
            Some(rows) => rows,
            None => {
                let rows: Vec<PoolRow> = sqlx::query_as(AssertSqlSafe(sql))
                    .bind(secret_hash)
                    .bind(CredentialKind::ScimToken.as_str())
                    .bind(now)
                    .bind(user_id)
                    .fetch_all(self.pool())
                    .await?;
                rows.into_iter().map(Joined::from).collect()
            }
        };
        let mut rows = rows.into_iter();
        let Some(first) = rows.next() else {
            return Ok(None);
        };
        let user = first.user.map(|user| {
            let groups = std::iter::once(first.group)
                .chain(rows.map(|r| r.group))
                .filter_map(|g| {
                    Some(UserGroupRow {
                        user_id: user.id.clone(),
                        group_id: g.group_id?,
                        display_name: g.group_display?,
                        external_id: g.group_external_id,
                    })
                })
                .collect();
            (user, groups)
        });
        Ok(Some((first.token, user)))
    }
}

fn token_binds(secret_hash: &str, now: Millis, user_id: Option<&str>) -> Vec<Bind> {
    let mut binds = vec![
        Bind::Text(secret_hash.to_owned()),
        Bind::Text(CredentialKind::ScimToken.as_str().to_owned()),
        Bind::Int(now),
    ];
    binds.extend(user_id.map(|id| Bind::Text(id.to_owned())));
    binds
}
