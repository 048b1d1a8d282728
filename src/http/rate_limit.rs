//! Per-client-IP attempt limits (CONTRACT.md §4), counted in the database so that every
//! replica sees the same attempts.

use super::error::{ApiError, ApiResult};
use crate::state::AppState;

const WINDOW_MS: i64 = 60_000;

/// Counts one attempt of `action` by `client_ip`; past `limit` in the current minute the
/// caller gets 429 with the seconds until the window ends in `Retry-After`.
pub async fn count_attempt(
    state: &AppState,
    action: &str,
    client_ip: &str,
    limit: i64,
) -> ApiResult<()> {
    let now = state.clock.now_ms();
    let window_start = now - now.rem_euclid(WINDOW_MS);
    let hits = state
        .store
        .hit_rate_limit(&format!("{action}:{client_ip}"), window_start)
        .await?;
    if hits > limit {
        let retry_after_ms = window_start + WINDOW_MS - now;
        return Err(ApiError::rate_limited((retry_after_ms + 999) / 1000));
    }
    Ok(())
}

/// Refuses with 429 when `client_ip` already used up `limit` attempts of `action` this
/// minute, without counting one (for endpoints that count failures only).
pub async fn check_limit(
    state: &AppState,
    action: &str,
    client_ip: &str,
    limit: i64,
) -> ApiResult<()> {
    let now = state.clock.now_ms();
    let window_start = now - now.rem_euclid(WINDOW_MS);
    let hits = state
        .store
        .rate_limit_hits(&format!("{action}:{client_ip}"), window_start)
        .await?;
    if hits >= limit {
        let retry_after_ms = window_start + WINDOW_MS - now;
        return Err(ApiError::rate_limited((retry_after_ms + 999) / 1000));
    }
    Ok(())
}

/// Housekeeping: windows older than the previous minute no longer count.
pub async fn prune(state: &AppState) {
    let cutoff = state.clock.now_ms() - 2 * WINDOW_MS;
    if let Err(e) = state.store.delete_rate_limit_windows_before(cutoff).await {
        tracing::debug!(error = %e, "rate-limit pruning skipped");
    }
}
