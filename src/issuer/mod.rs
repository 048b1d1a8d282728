//! What every token-issuing surface shares (tokens/, verify/, and the OpenID provider of
//! §13): the signing key ring, the RFC 9068 access token format and its check, client
//! authentication, and the key ring's jobs. Plumbing: imports the store and the state (which
//! holds the ring and the downstream JWT cache), never a surface.

pub mod access_token;
pub mod audit;
pub mod auth_code;
pub mod client_auth;
pub mod id_token;

use crate::state::keyring;
use crate::state::AppState;

/// The key ring's background work on this replica: reload the ring, and (under the lease,
/// one replica at a time) rotate keys and drop client secrets rotated out long ago.
pub async fn run_jobs(state: actix_web::web::Data<AppState>) {
    let mut tick = tokio::time::interval(state.issuer.keyring.refresh_interval());
    loop {
        tick.tick().await;
        let now = state.clock.now_ms();
        match state.issuer.keyring.rotate(&state.store, now).await {
            Ok(report) if report != keyring::RotationReport::default() => {
                tracing::info!(?report, "signing key rotation")
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "signing key rotation skipped"),
        }
        let cutoff = now - state.issuer.keyring.secret_keep_ms();
        let _ = state
            .store
            .delete_client_secrets_expired_before(cutoff)
            .await;
        // Codes stay past their 60 s for the longest token lifetime: a late replay of a
        // redeemed code must still be recognised, and revoke.
        let code_cutoff = now - keyring::MAX_TOKEN_TTL_SECS * 1000;
        let _ = state.store.delete_stale_auth_codes(code_cutoff, now).await;
    }
}
