//! AppState: the process-wide state every handler shares, and the runtimes it holds (the
//! SCIM request log writer, the SSO and OIDC per-replica caches).

pub mod flow_limit;
pub mod issuer;
pub mod jwt_cache;
pub mod keyring;
pub mod scim_log;
pub mod sso;
pub mod tenant_gate;
pub mod verified_tokens;

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::protocol::oidc::runtime::OidcRuntime;
use crate::store::Store;

/// Everything a handler may need, shared by all workers.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    pub clock: SharedClock,
    pub mailer: Mailer,
    pub metrics: Metrics,
    pub scim_log: scim_log::ScimLog,
    pub sso: sso::SsoRuntime,
    /// OIDC discovery and JWKS caches and the outbound client (per replica).
    pub oidc: OidcRuntime,
    /// The per-client limit of the unauthenticated SSO browser routes.
    pub sso_flows: flow_limit::FlowLimiter,
    /// The token service's key ring, downstream JWT cache (per replica, refreshed).
    pub issuer: issuer::Issuer,
    /// Per-organization turns for SCIM list queries (tenant_gate.rs).
    pub scim_lists: tenant_gate::TenantGate,
}

impl AppState {
    /// Writes one audit entry, with the §15 event it implies in the same transaction; a
    /// failed write is logged and never fails the request it describes.
    pub async fn record_audit(
        &self,
        org: &crate::domain::OrgId,
        entry: &crate::store::NewAuditEvent<'_>,
        outbox: Option<&crate::store::NewEvent<'_>>,
    ) {
        let now = self.clock.now_ms();
        if let Err(e) = self
            .store
            .insert_audit_event_with(org, entry, outbox, now)
            .await
        {
            tracing::warn!(error = %e, event = entry.event, "audit event not recorded");
        }
    }
}
