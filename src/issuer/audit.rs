//! The OpenID provider's entries in the SSO audit (CONTRACT.md §13, issue 12):
//! `session.created` when an application gets a sign-in (with the client), `login.failed`
//! with the typed reason when the authorize or token step refuses; and the metric of both.

use serde_json::Value;

use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::NewAuditEvent;

pub const SESSION_CREATED: &str = "session.created";
pub const LOGIN_FAILED: &str = "login.failed";

/// Where in the flow an outcome happened (a metrics label: fixed set).
#[derive(Clone, Copy, Debug)]
pub enum Stage {
    Authorize,
    Token,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::Token => "token",
        }
    }
}

/// Records one outcome; `reason` None is a success. `reason` is one of the fixed refusal
/// names of op/ and issuer/auth_code.rs, so the label set stays bounded.
pub async fn record(
    state: &AppState,
    org: &OrgId,
    stage: Stage,
    reason: Option<&'static str>,
    principal: Option<&str>,
    ip: Option<&str>,
    mut detail: Value,
) {
    let outcome = if reason.is_some() {
        "failure"
    } else {
        "success"
    };
    state
        .metrics
        .op_outcomes
        .with_label_values(&[stage.as_str(), outcome, reason.unwrap_or("none")])
        .inc();
    if let Some(map) = detail.as_object_mut() {
        map.insert("stage".into(), Value::from(stage.as_str()));
    }
    let event = NewAuditEvent {
        event: if reason.is_some() {
            LOGIN_FAILED
        } else {
            SESSION_CREATED
        },
        outcome,
        reason,
        principal,
        ip,
        detail: Some(detail.to_string()),
    };
    if let Err(e) = state
        .store
        .insert_audit_event(org, &event, state.clock.now_ms())
        .await
    {
        tracing::warn!(error = %e, "audit event not recorded");
    }
}
