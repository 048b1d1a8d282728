//! A client with its live secrets read inside a write's transaction, for the `client.*`
//! events (CONTRACT.md §15) that show it as the clients API does.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::clients::{ClientRow, COLUMNS, LIVE_SECRET};
use super::{ClientRecord, ClientSecretRecord, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

/// The client and its live secrets (hashes are never read).
#[derive(Clone, Debug)]
pub struct ClientView {
    pub client: ClientRecord,
    pub secrets: Vec<ClientSecretRecord>,
}

/// The client `id` of `org` as committed so far on `conn`; None when there is none.
pub(super) async fn client_view_in(
    conn: &mut AnyConnection,
    org: &OrgId,
    id: &str,
    now: Millis,
) -> StoreResult<Option<ClientView>> {
    let sql = format!("SELECT {COLUMNS} FROM oauth_clients c WHERE c.org_id = $1 AND c.id = $2");
    let row: Option<ClientRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(org.as_str())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let sql = format!(
        "SELECT s.id, s.client_ref, s.prefix, s.created_at, s.expires_at, s.last_used_at \
         FROM oauth_client_secrets s WHERE s.client_ref = $1 AND {} \
         ORDER BY s.created_at, CASE WHEN s.expires_at IS NULL THEN 1 ELSE 0 END, s.expires_at, s.id",
        LIVE_SECRET.replace("$NOW", "$2")
    );
    let secrets = sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Some(ClientView {
        client: row.into(),
        secrets,
    }))
}
