//! OAuth clients of an organization and their secrets (SHA-256 only), CONTRACT.md §12.

use sqlx::AssertSqlSafe;

use super::client_view::{client_view_in, ClientView};
use super::{Outbox, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug)]
pub struct ClientRecord {
    pub id: String,
    pub org_id: String,
    pub client_id: String,
    pub name: String,
    pub client_type: String,
    /// JSON arrays of strings.
    pub roles: String,
    pub audiences: String,
    pub redirect_uris: String,
    pub token_ttl_secs: i64,
    pub signing_alg: String,
    pub disabled: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub last_used_at: Option<Millis>,
}

#[derive(sqlx::FromRow)]
pub(super) struct ClientRow {
    pub(super) id: String,
    pub(super) org_id: String,
    pub(super) client_id: String,
    pub(super) name: String,
    pub(super) client_type: String,
    pub(super) roles: String,
    pub(super) audiences: String,
    pub(super) redirect_uris: String,
    pub(super) token_ttl_secs: i64,
    pub(super) signing_alg: String,
    pub(super) disabled: i64,
    pub(super) created_at: Millis,
    pub(super) updated_at: Millis,
    pub(super) last_used_at: Option<Millis>,
}

impl From<ClientRow> for ClientRecord {
    fn from(r: ClientRow) -> Self {
        Self {
            id: r.id,
            org_id: r.org_id,
            client_id: r.client_id,
            name: r.name,
            client_type: r.client_type,
            roles: r.roles,
            audiences: r.audiences,
            redirect_uris: r.redirect_uris,
            token_ttl_secs: r.token_ttl_secs,
            signing_alg: r.signing_alg,
            disabled: r.disabled != 0,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_used_at: r.last_used_at,
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClientSecretRecord {
    pub id: String,
    pub client_ref: String,
    pub prefix: String,
    pub created_at: Millis,
    pub expires_at: Option<Millis>,
    pub last_used_at: Option<Millis>,
}

#[derive(Debug)]
pub struct NewClient<'a> {
    pub id: &'a str,
    pub client_id: &'a str,
    pub name: &'a str,
    pub client_type: &'a str,
    pub roles_json: &'a str,
    pub audiences_json: &'a str,
    pub redirect_uris_json: &'a str,
    pub token_ttl_secs: i64,
    pub signing_alg: &'a str,
}

#[derive(Debug)]
pub struct NewClientSecret<'a> {
    pub id: &'a str,
    pub secret_hash: &'a str,
    pub prefix: &'a str,
}

/// Fields a PATCH may change; `None` keeps the stored value.
#[derive(Debug, Default)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub roles_json: Option<String>,
    pub audiences_json: Option<String>,
    pub redirect_uris_json: Option<String>,
    pub token_ttl_secs: Option<i64>,
    pub signing_alg: Option<String>,
    pub disabled: Option<bool>,
}

pub(super) const COLUMNS: &str = "c.id, c.org_id, c.client_id, c.name, c.client_type, c.roles, c.audiences, \
     c.redirect_uris, c.token_ttl_secs, c.signing_alg, c.disabled, c.created_at, c.updated_at, c.last_used_at";

/// A secret is live until its `expires_at` (none: until rotated or revoked).
pub(super) const LIVE_SECRET: &str = "(s.expires_at IS NULL OR s.expires_at > $NOW)";

impl Store {
    /// Creates a client with its first secret, and `outbox` (`client.created`), in one
    /// transaction.
    pub async fn insert_client(
        &self,
        org: &OrgId,
        c: &NewClient<'_>,
        secret: &NewClientSecret<'_>,
        outbox: Option<&Outbox<'_, ClientView>>,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO oauth_clients (id, org_id, client_id, name, client_type, roles, audiences, \
             redirect_uris, token_ttl_secs, signing_alg, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11)",
        )
        .bind(c.id)
        .bind(org.as_str())
        .bind(c.client_id)
        .bind(c.name)
        .bind(c.client_type)
        .bind(c.roles_json)
        .bind(c.audiences_json)
        .bind(c.redirect_uris_json)
        .bind(c.token_ttl_secs)
        .bind(c.signing_alg)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_secret(&mut tx, c.id, secret, now).await?;
        append_view(&mut tx, org, c.id, outbox, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_clients(&self, org: &OrgId) -> StoreResult<Vec<ClientRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM oauth_clients c WHERE c.org_id = $1 ORDER BY c.created_at, c.id"
        );
        let rows: Vec<ClientRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The client named by its API id or by its `client_id`.
    pub async fn get_client(&self, org: &OrgId, id: &str) -> StoreResult<Option<ClientRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM oauth_clients c WHERE c.org_id = $1 AND (c.id = $2 OR c.client_id = $2)"
        );
        let row: Option<ClientRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(Into::into))
    }

    /// The live secrets of the organization's clients (of one client when `client_ref` is
    /// given), oldest first.
    pub async fn list_client_secrets(
        &self,
        org: &OrgId,
        client_ref: Option<&str>,
        now: Millis,
    ) -> StoreResult<Vec<ClientSecretRecord>> {
        let sql = format!(
            "SELECT s.id, s.client_ref, s.prefix, s.created_at, s.expires_at, s.last_used_at \
             FROM oauth_client_secrets s JOIN oauth_clients c ON c.id = s.client_ref \
             WHERE c.org_id = $1 AND ($2 = '' OR c.id = $2) AND {} \
             ORDER BY s.created_at, CASE WHEN s.expires_at IS NULL THEN 1 ELSE 0 END, s.expires_at, s.id",
            LIVE_SECRET.replace("$NOW", "$3")
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org.as_str())
            .bind(client_ref.unwrap_or(""))
            .bind(now)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn patch_client(
        &self,
        org: &OrgId,
        id: &str,
        p: &ClientPatch,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE oauth_clients SET name = COALESCE($3, name), roles = COALESCE($4, roles), \
             audiences = COALESCE($5, audiences), redirect_uris = COALESCE($6, redirect_uris), \
             token_ttl_secs = COALESCE($7, token_ttl_secs), signing_alg = COALESCE($8, signing_alg), \
             disabled = COALESCE($9, disabled), updated_at = $10 WHERE org_id = $1 AND id = $2",
        )
        .bind(org.as_str())
        .bind(id)
        .bind(p.name.as_deref())
        .bind(p.roles_json.as_deref())
        .bind(p.audiences_json.as_deref())
        .bind(p.redirect_uris_json.as_deref())
        .bind(p.token_ttl_secs)
        .bind(p.signing_alg.as_deref())
        .bind(p.disabled.map(i64::from))
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the client; its secrets go with it (ON DELETE CASCADE). `outbox`
    /// (`client.deleted`) shows it as it was, in the same transaction.
    pub async fn delete_client(
        &self,
        org: &OrgId,
        id: &str,
        outbox: Option<&Outbox<'_, ClientView>>,
        now: Millis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        // The first statement writes the row, so the view below is the one being deleted.
        let locked = sqlx::query(
            "UPDATE oauth_clients SET updated_at = updated_at WHERE org_id = $1 AND id = $2",
        )
        .bind(org.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if locked.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        append_view(&mut tx, org, id, outbox, now).await?;
        let done = sqlx::query("DELETE FROM oauth_clients WHERE org_id = $1 AND id = $2")
            .bind(org.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Adds a secret. The current secret (the one without an expiry, else the newest) keeps working until
    /// `previous_expires_at`; any older one stops now, so at most two are live. The first
    /// statement writes the client row, which serialises concurrent rotations of one
    /// client on both databases (a row lock on PostgreSQL, the write lock on SQLite).
    pub async fn rotate_client_secret(
        &self,
        org: &OrgId,
        id: &str,
        secret: &NewClientSecret<'_>,
        previous_expires_at: Millis,
        outbox: Option<&Outbox<'_, ClientView>>,
        now: Millis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let locked =
            sqlx::query("UPDATE oauth_clients SET updated_at = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.as_str())
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        if locked.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let sql = format!(
            "SELECT s.id FROM oauth_client_secrets s WHERE s.client_ref = $1 AND {} \
             ORDER BY CASE WHEN s.expires_at IS NULL THEN 1 ELSE 0 END DESC, s.created_at DESC, \
             s.expires_at DESC, s.id DESC",
            LIVE_SECRET.replace("$NOW", "$2")
        );
        let live: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
        for (i, (secret_id,)) in live.iter().enumerate() {
            let until = if i == 0 { previous_expires_at } else { now };
            sqlx::query(
                "UPDATE oauth_client_secrets SET expires_at = $2 \
                 WHERE id = $1 AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind(secret_id)
            .bind(until)
            .execute(&mut *tx)
            .await?;
        }
        insert_secret(&mut tx, id, secret, now).await?;
        append_view(&mut tx, org, id, outbox, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Revokes one secret at once (the row goes, so tokens it minted stop too).
    pub async fn delete_client_secret(
        &self,
        org: &OrgId,
        id: &str,
        secret_id: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM oauth_client_secrets WHERE id = $3 AND client_ref IN \
             (SELECT id FROM oauth_clients WHERE org_id = $1 AND id = $2)",
        )
        .bind(org.as_str())
        .bind(id)
        .bind(secret_id)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Housekeeping: secrets that expired before `cutoff` (rotated out long enough ago that
    /// no token they minted is still valid).
    pub async fn delete_client_secrets_expired_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM oauth_client_secrets WHERE expires_at IS NOT NULL AND expires_at < $1",
        )
        .bind(cutoff)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }
}

/// Appends `outbox` for the client `id` as the transaction sees it now.
async fn append_view(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: &OrgId,
    id: &str,
    outbox: Option<&Outbox<'_, ClientView>>,
    now: Millis,
) -> StoreResult<()> {
    let Some(outbox) = outbox else { return Ok(()) };
    if let Some(view) = client_view_in(tx, org, id, now).await? {
        outbox.append(tx, org, &view, now).await?;
    }
    Ok(())
}

async fn insert_secret(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    client_ref: &str,
    s: &NewClientSecret<'_>,
    now: Millis,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO oauth_client_secrets (id, client_ref, secret_hash, prefix, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(s.id)
    .bind(client_ref)
    .bind(s.secret_hash)
    .bind(s.prefix)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
