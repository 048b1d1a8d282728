//! IdP metadata refresh state (0010_saml_operations.sql): per organization the validators
//! of the last fetch (ETag, Last-Modified), when it ran and how it failed, when the next
//! is due, and the IdP certificates that left the metadata and since when. A claim is one
//! conditional write, so of several replicas exactly one fetches per period.

use super::{DirTx, Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct MetadataRefreshRecord {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetched_at: Option<Millis>,
    pub last_error: Option<String>,
    pub due_at: Millis,
}

/// What one fetch left behind.
#[derive(Debug)]
pub struct FetchRecord<'a> {
    /// None keeps the stored validators (a failed fetch or a 304).
    pub validators: Option<(Option<&'a str>, Option<&'a str>)>,
    pub fetched_at: Millis,
    pub error: Option<&'a str>,
    pub due_at: Millis,
}

impl Store {
    pub async fn metadata_refresh_state(
        &self,
        org: &OrgId,
    ) -> StoreResult<Option<MetadataRefreshRecord>> {
        Ok(sqlx::query_as(
            "SELECT etag, last_modified, last_fetched_at, last_error, due_at \
             FROM saml_metadata_refresh WHERE org_id = $1",
        )
        .bind(org.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Takes the scheduled fetch of `org` when it is due (or was never scheduled): moves
    /// `due_at` to `hold_until` so no other replica takes it meanwhile. True when taken.
    pub async fn claim_metadata_refresh(
        &self,
        org: &OrgId,
        now: Millis,
        hold_until: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO saml_metadata_refresh (org_id, due_at) VALUES ($1, $3) \
             ON CONFLICT (org_id) DO UPDATE SET due_at = $3 \
             WHERE saml_metadata_refresh.due_at <= $2",
        )
        .bind(org.as_str())
        .bind(now)
        .bind(hold_until)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes the refetch a response signed by an unknown certificate asks for: at most one
    /// per `min_gap_ms` per organization, whichever replica sees such a response.
    pub async fn claim_unknown_certificate_refetch(
        &self,
        org: &OrgId,
        now: Millis,
        min_gap_ms: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO saml_metadata_refresh (org_id, due_at, unknown_cert_at) VALUES ($1, $2, $2) \
             ON CONFLICT (org_id) DO UPDATE SET unknown_cert_at = $2 \
             WHERE saml_metadata_refresh.unknown_cert_at IS NULL \
                OR saml_metadata_refresh.unknown_cert_at <= $3",
        )
        .bind(org.as_str())
        .bind(now)
        .bind(now - min_gap_ms)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a fetch; returns the error it replaced (to tell a new failure from a
    /// repeated one).
    pub async fn record_metadata_fetch(
        &self,
        org: &OrgId,
        fetch: &FetchRecord<'_>,
    ) -> StoreResult<Option<String>> {
        let mut tx = self.begin_write().await?;
        let previous: Option<Option<String>> =
            sqlx::query_scalar("SELECT last_error FROM saml_metadata_refresh WHERE org_id = $1")
                .bind(org.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO saml_metadata_refresh (org_id, due_at) VALUES ($1, $2) \
             ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org.as_str())
        .bind(fetch.due_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE saml_metadata_refresh SET last_fetched_at = $2, last_error = $3, due_at = $4 \
             WHERE org_id = $1",
        )
        .bind(org.as_str())
        .bind(fetch.fetched_at)
        .bind(fetch.error)
        .bind(fetch.due_at)
        .execute(&mut *tx)
        .await?;
        if let Some((etag, last_modified)) = fetch.validators {
            sqlx::query(
                "UPDATE saml_metadata_refresh SET etag = $2, last_modified = $3 WHERE org_id = $1",
            )
            .bind(org.as_str())
            .bind(etag)
            .bind(last_modified)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(previous.flatten())
    }
}

impl Store {
    /// An admin saved the configuration (its metadata fetched just now): the refresh state
    /// starts over, without validators, error or departures.
    pub async fn reset_metadata_refresh(
        &self,
        org: &OrgId,
        now: Millis,
        due_at: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM saml_departed_certificates WHERE org_id = $1")
            .bind(org.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM saml_metadata_refresh WHERE org_id = $1")
            .bind(org.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO saml_metadata_refresh (org_id, last_fetched_at, due_at) VALUES ($1, $2, $3)",
        )
        .bind(org.as_str())
        .bind(now)
        .bind(due_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl DirTx {
    /// The IdP certificates (SHA-256 fingerprints) that left the metadata, with when.
    pub async fn departed_certificates(
        &mut self,
        org: &OrgId,
    ) -> StoreResult<Vec<(String, Millis)>> {
        Ok(sqlx::query_as(
            "SELECT fingerprint, departed_at FROM saml_departed_certificates \
             WHERE org_id = $1 ORDER BY fingerprint",
        )
        .bind(org.as_str())
        .fetch_all(&mut *self.tx)
        .await?)
    }

    pub async fn mark_certificate_departed(
        &mut self,
        org: &OrgId,
        fingerprint: &str,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO saml_departed_certificates (org_id, fingerprint, departed_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(org.as_str())
        .bind(fingerprint)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Forgets a departure: the certificate came back, or it was removed from the set.
    pub async fn forget_departed_certificate(
        &mut self,
        org: &OrgId,
        fingerprint: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM saml_departed_certificates WHERE org_id = $1 AND fingerprint = $2",
        )
        .bind(org.as_str())
        .bind(fingerprint)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
