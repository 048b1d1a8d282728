//! Authorization codes of the OpenID provider (CONTRACT.md §13), stored as SHA-256 only,
//! and the access tokens revoked because a code was redeemed twice (RFC 6749 §4.1.2).

use super::{Store, StoreResult};
use crate::clock::Millis;
use crate::domain::OrgId;

/// A code to store: what it is bound to and what the ID token will assert.
#[derive(Debug)]
pub struct NewAuthCode<'a> {
    pub code_hash: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub nonce: Option<&'a str>,
    pub scope: &'a str,
    pub principal_type: &'a str,
    pub subject: &'a str,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    /// JSON array of role names.
    pub roles_json: &'a str,
    pub amr: &'a str,
    pub auth_time: Millis,
    pub expires_at: Millis,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuthCodeRecord {
    pub code_hash: String,
    pub org_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
    pub scope: String,
    pub principal_type: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub roles: String,
    pub amr: String,
    pub auth_time: Millis,
    pub expires_at: Millis,
    pub used_at: Option<Millis>,
    pub access_jti: Option<String>,
}

impl Store {
    pub async fn insert_auth_code(
        &self,
        org: &OrgId,
        c: &NewAuthCode<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, org_id, client_id, redirect_uri, \
             code_challenge, nonce, scope, principal_type, subject, email, name, roles, amr, \
             auth_time, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(c.code_hash)
        .bind(org.as_str())
        .bind(c.client_id)
        .bind(c.redirect_uri)
        .bind(c.code_challenge)
        .bind(c.nonce)
        .bind(c.scope)
        .bind(c.principal_type)
        .bind(c.subject)
        .bind(c.email)
        .bind(c.name)
        .bind(c.roles_json)
        .bind(c.amr)
        .bind(c.auth_time)
        .bind(now)
        .bind(c.expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The code with this hash, in any organization (the code decides it, as a client id does).
    pub async fn find_auth_code(&self, code_hash: &str) -> StoreResult<Option<AuthCodeRecord>> {
        Ok(sqlx::query_as(
            "SELECT code_hash, org_id, client_id, redirect_uri, code_challenge, nonce, scope, \
             principal_type, subject, email, name, roles, amr, auth_time, expires_at, used_at, \
             access_jti FROM authorization_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Marks the code used and records the access token issued from it, only if nobody did
    /// first: false when another redemption (on any replica) won the race.
    pub async fn consume_auth_code(
        &self,
        code_hash: &str,
        access_jti: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE authorization_codes SET used_at = $2, access_jti = $3 \
             WHERE code_hash = $1 AND used_at IS NULL",
        )
        .bind(code_hash)
        .bind(now)
        .bind(access_jti)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends an access token before its `exp` (idempotent).
    pub async fn revoke_token(
        &self,
        org: &OrgId,
        jti: &str,
        expires_at: Millis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO revoked_tokens (jti, org_id, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(org.as_str())
        .bind(expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    pub async fn token_revoked(&self, org: &OrgId, jti: &str) -> StoreResult<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM revoked_tokens WHERE jti = $1 AND org_id = $2")
                .bind(jti)
                .bind(org.as_str())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }

    /// Housekeeping: codes whose validity ended before `code_cutoff` (kept until then so a
    /// replay still revokes) and revocations of tokens that have expired by `now`.
    pub async fn delete_stale_auth_codes(
        &self,
        code_cutoff: Millis,
        now: Millis,
    ) -> StoreResult<u64> {
        let codes = sqlx::query("DELETE FROM authorization_codes WHERE expires_at < $1")
            .bind(code_cutoff)
            .execute(self.writer())
            .await?;
        let revoked = sqlx::query("DELETE FROM revoked_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(codes.rows_affected() + revoked.rows_affected())
    }
}
