//! The portal's audit events: the break-glass password and sessions (API keys and SCIM
//! tokens are `crate::credentials`'s).
//! They go to the organization's audit table beside the SSO events, and an admin reads them
//! with `GET /api/v1/sso/audit`. Details name the credential (id, name, role), never its
//! secret or prefix.

use crate::domain::OrgId;
use crate::http::caller::{CallerVia, PortalCaller};
use crate::state::AppState;
use crate::store::NewAuditEvent;

/// A password login of the break-glass `org_admin`; `outcome` and `reason` tell which.
pub use crate::login::password::PASSWORD_LOGIN;
pub const PASSWORD_CHANGED: &str = "password.changed";
pub const PASSWORD_RESET: &str = "password.reset";
pub const PASSWORD_SET_BY_ADMIN: &str = "password.set_by_admin";
pub const SESSION_REVOKED: &str = "session.revoked";

/// The principal the audit names for a portal caller: `org_admin`, the user's id, or
/// `api_key:<id>` for a key.
pub fn principal_of(caller: &PortalCaller) -> String {
    match &caller.via {
        CallerVia::Session { record, .. } => {
            crate::login::sessions::audit_principal(record).to_owned()
        }
        CallerVia::ApiKey { key_id } => format!("api_key:{key_id}"),
    }
}

/// Writes one event; a failed write is logged and does not fail the request it describes.
pub async fn record(state: &AppState, org: &OrgId, event: &NewAuditEvent<'_>) {
    record_with(state, org, event, None).await
}

/// `record`, with the outbox event (CONTRACT.md §15) it implies in the same transaction.
pub async fn record_with(
    state: &AppState,
    org: &OrgId,
    event: &NewAuditEvent<'_>,
    outbox: Option<&crate::store::NewEvent<'_>>,
) {
    state.record_audit(org, event, outbox).await
}
