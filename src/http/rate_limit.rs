//! Attempt limits (CONTRACT.md §4), counted in the database so that every replica sees the
//! same attempts: per client (an IPv4 address, or an IPv6 /64) and per organization.

use std::net::{IpAddr, Ipv6Addr};

use super::error::{ApiError, ApiResult};
use crate::domain::OrgId;
use crate::state::AppState;

const WINDOW_MS: i64 = 60_000;

/// The client an address counts as. An IPv6 subscriber is given at least a /64 (RFC 6177,
/// RFC 7421 §1), so counting single IPv6 addresses would give one client 2^64 budgets; an
/// IPv4-mapped address is its IPv4 address. Text that is not an address is its own key.
pub fn client_key(client_ip: &str) -> String {
    match client_ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & (u128::MAX << 64);
                format!("{}/64", Ipv6Addr::from(prefix))
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => client_ip.to_owned(),
    }
}

/// Counts one attempt of `action` by the client at `client_ip` (grouped by `client_key`);
/// past `limit` in the current minute the caller gets 429 with the seconds until the window
/// ends in `Retry-After`.
pub async fn count_attempt(
    state: &AppState,
    action: &str,
    client_ip: &str,
    limit: i64,
) -> ApiResult<()> {
    count(state, &format!("{action}:{}", client_key(client_ip)), limit).await
}

/// Counts one attempt of `action` on `org` from anywhere: the organization's own budget, so
/// that many addresses (a botnet, or one IPv6 block after another) together cannot try more
/// than `limit` passwords a minute against one organization. Unknown organizations count
/// the same way, so a 429 tells nothing about which ones exist.
pub async fn count_org_attempt(
    state: &AppState,
    action: &str,
    org: &OrgId,
    limit: i64,
) -> ApiResult<()> {
    count(state, &format!("{action}:org:{org}"), limit).await
}

async fn count(state: &AppState, bucket: &str, limit: i64) -> ApiResult<()> {
    let now = state.clock.now_ms();
    let window_start = now - now.rem_euclid(WINDOW_MS);
    let hits = state.store.hit_rate_limit(bucket, window_start).await?;
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

#[cfg(test)]
mod tests {
    use super::client_key;

    #[test]
    fn ipv6_clients_count_by_their_64_and_ipv4_by_address() {
        for (ip, key) in [
            ("203.0.113.7", "203.0.113.7"),
            ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
            ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
            ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
            ("unknown", "unknown"),
        ] {
            assert_eq!(client_key(ip), key, "{ip}");
        }
    }
}
