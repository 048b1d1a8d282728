//! Fixed-window hit counters in the database, so every replica counts the same attempts.

use super::{Store, StoreResult};
use crate::clock::Millis;

impl Store {
    /// Counts one hit for `bucket` in the window starting at `window_start` and returns the
    /// hits so far in that window, this one included. One atomic upsert: no read-then-write race.
    pub async fn hit_rate_limit(&self, bucket: &str, window_start: Millis) -> StoreResult<i64> {
        let (hits,): (i64,) = sqlx::query_as(
            "INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1 \
             RETURNING hits",
        )
        .bind(bucket)
        .bind(window_start)
        .fetch_one(self.writer())
        .await?;
        Ok(hits)
    }

    /// The hits counted so far for `bucket` in the window starting at `window_start`.
    pub async fn rate_limit_hits(&self, bucket: &str, window_start: Millis) -> StoreResult<i64> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT hits FROM rate_limit_windows WHERE bucket = $1 AND window_start = $2",
        )
        .bind(bucket)
        .bind(window_start)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map_or(0, |(hits,)| hits))
    }

    pub async fn delete_rate_limit_windows_before(&self, cutoff: Millis) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM rate_limit_windows WHERE window_start < $1")
            .bind(cutoff)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected())
    }
}
