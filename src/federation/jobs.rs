//! The SAML jobs every replica runs each minute: SP key rotation (under a lease, so one
//! replica acts per pass), the certificate watch (once per warning across replicas) and
//! the IdP metadata refresh (each due organization claimed by one replica).

use std::time::Duration;

use crate::state::AppState;

pub async fn run_jobs(state: actix_web::web::Data<AppState>) {
    let holder = uuid::Uuid::new_v4().to_string();
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match super::sp_key_rotation::rotation_pass(&state, &holder).await {
            Ok(0) => {}
            Ok(steps) => tracing::info!(steps, "SP key rotation pass"),
            Err(e) => tracing::warn!(error = %e, "SP key rotation pass failed"),
        }
        if let Err(e) = super::cert_watch::watch_pass(&state).await {
            tracing::warn!(error = %e, "certificate watch pass failed");
        }
        match super::metadata_refresh::refresh_pass(&state).await {
            Ok(0) => {}
            Ok(fetched) => tracing::info!(fetched, "IdP metadata refresh pass"),
            Err(e) => tracing::warn!(error = %e, "IdP metadata refresh pass failed"),
        }
    }
}
