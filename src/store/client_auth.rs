//! How a presented client is looked up and checked (CONTRACT.md §12): the client with its
//! organization's status and the presented secret in one query, whether a token's client
//! and secret are still live, and the use marks. The token endpoint, introspection and
//! every Basic or Bearer `/auth/verify` ask these, so on SQLite they run inline.

use sqlx::AssertSqlSafe;

use super::clients::{ClientRecord, ClientRow, COLUMNS, LIVE_SECRET};
use super::dir_query::Bind;
use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

/// What the client authentication of the token, introspection and verify endpoints needs,
/// in one query: the client, its organization's status, and the presented secret if it is
/// one of the client's live secrets.
#[derive(Clone, Debug)]
pub struct ClientAuthRecord {
    pub client: ClientRecord,
    pub org_status: String,
    pub secret_id: Option<String>,
    pub secret_last_used_at: Option<Millis>,
}

#[derive(sqlx::FromRow)]
struct ClientAuthRow {
    #[sqlx(flatten)]
    client: ClientRow,
    org_status: String,
    secret_id: Option<String>,
    secret_last_used_at: Option<Millis>,
}

/// Whether a token's client (and secret) may still be used; asked by every Bearer request,
/// so it runs inline on SQLite (inline_reads.rs).
const CLIENT_TOKEN_LIVE: &str = "SELECT 1 FROM oauth_clients c JOIN organizations o ON o.org_id = c.org_id \
     WHERE c.org_id = $1 AND c.client_id = $2 AND c.disabled = 0 AND o.status = 'active' \
     AND ($3 = '' OR EXISTS (SELECT 1 FROM oauth_client_secrets s WHERE s.client_ref = c.id AND s.id = $3))";

/// COLUMNS then org status, secret id and its last use, by position (inline reads of
/// `find_client_for_auth`, asked by every Basic request and token request).
fn client_auth_from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<ClientAuthRow> {
    let client = ClientRow {
        id: row.get(0)?,
        org_id: row.get(1)?,
        client_id: row.get(2)?,
        name: row.get(3)?,
        client_type: row.get(4)?,
        roles: row.get(5)?,
        audiences: row.get(6)?,
        redirect_uris: row.get(7)?,
        token_ttl_secs: row.get(8)?,
        signing_alg: row.get(9)?,
        disabled: row.get(10)?,
        created_at: row.get(11)?,
        updated_at: row.get(12)?,
        last_used_at: row.get(13)?,
    };
    Ok(ClientAuthRow {
        client,
        org_status: row.get(14)?,
        secret_id: row.get(15)?,
        secret_last_used_at: row.get(16)?,
    })
}

impl Store {
    /// Looks a presented `client_id` up with its organization's status and, when
    /// `secret_hash` is one of its live secrets, that secret. Any organization: the
    /// `client_id` decides it, as a SCIM token does.
    pub async fn find_client_for_auth(
        &self,
        client_id: &str,
        secret_hash: Option<&str>,
        now: Millis,
    ) -> StoreResult<Option<ClientAuthRecord>> {
        let sql = format!(
            "SELECT {COLUMNS}, o.status AS org_status, s.id AS secret_id, s.last_used_at AS secret_last_used_at \
             FROM oauth_clients c JOIN organizations o ON o.org_id = c.org_id \
             LEFT JOIN oauth_client_secrets s ON s.client_ref = c.id AND s.secret_hash = $2 AND {} \
             WHERE c.client_id = $1",
            LIVE_SECRET.replace("$NOW", "$3")
        );
        let inline = self.inline().and_then(|r| {
            let binds = [
                Bind::Text(client_id.to_owned()),
                Bind::Text(secret_hash.unwrap_or("").to_owned()),
                Bind::Int(now),
            ];
            r.rows(&sql, &binds, client_auth_from_inline)
        });
        let row = match inline {
            Some(rows) => rows.into_iter().next(),
            None => {
                sqlx::query_as::<_, ClientAuthRow>(AssertSqlSafe(sql))
                    .bind(client_id)
                    .bind(secret_hash.unwrap_or(""))
                    .bind(now)
                    .fetch_optional(self.pool())
                    .await?
            }
        };
        Ok(row.map(|r| ClientAuthRecord {
            client: r.client.into(),
            org_status: r.org_status,
            secret_id: r.secret_id,
            secret_last_used_at: r.secret_last_used_at,
        }))
    }

    /// Whether an access token minted by `client_id` (with `secret_id`, when the token
    /// names one) may still be used: the client exists in `org`, is enabled, its
    /// organization is active and the secret was not revoked.
    pub async fn client_token_live(
        &self,
        org: &OrgId,
        client_id: &str,
        secret_id: Option<&str>,
    ) -> StoreResult<bool> {
        let binds = [
            Bind::Text(org.as_str().to_owned()),
            Bind::Text(client_id.to_owned()),
            Bind::Text(secret_id.unwrap_or("").to_owned()),
        ];
        let inline = self
            .inline()
            .and_then(|r| r.rows(CLIENT_TOKEN_LIVE, &binds, |row| row.get::<_, i64>(0)));
        if let Some(rows) = inline {
            return Ok(!rows.is_empty());
        }
        let row: Option<(i64,)> = sqlx::query_as(CLIENT_TOKEN_LIVE)
            .bind(org.as_str())
            .bind(client_id)
            .bind(secret_id.unwrap_or(""))
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Records use of the client (and of the secret), callers doing it at most once a minute.
    pub async fn mark_client_used(
        &self,
        client_ref: &str,
        secret_id: Option<&str>,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE oauth_clients SET last_used_at = $2 WHERE id = $1")
            .bind(client_ref)
            .bind(now)
            .execute(self.writer())
            .await?;
        if let Some(secret_id) = secret_id {
            sqlx::query("UPDATE oauth_client_secrets SET last_used_at = $2 WHERE id = $1")
                .bind(secret_id)
                .bind(now)
                .execute(self.writer())
                .await?;
        }
        Ok(())
    }
}
