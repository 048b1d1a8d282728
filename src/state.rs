//! AppState: the process-wide state every handler shares, and the runtimes it holds.

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::store::Store;

/// Everything a handler may need, shared by all workers.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    pub clock: SharedClock,
    pub mailer: Mailer,
    pub metrics: Metrics,
    pub scim_log: crate::scim::log::ScimLog,
    pub sso: crate::sso::SsoRuntime,
    /// OIDC discovery and JWKS caches and the outbound client (per replica).
    pub oidc: crate::oidc::login::OidcRuntime,
    /// The token service's key ring, downstream JWT cache (per replica, refreshed).
    pub issuer: crate::issuer::Issuer,
}
