//! The end of an SSO sign-in: the session with its `session.created` event, the success
//! audit row and (SAML) the assertion's replay entry are written in one transaction
//! (`store::commit_sign_in`); only then does the browser get its cookie.

use serde_json::Value;

use crate::domain::OrgId;
use crate::federation::failure::{count_outcome, outcome_audit, SsoFailure};
use crate::login::sessions::{prepare_session, PreparedSession, SessionPrincipal};
use crate::state::AppState;
use crate::store::{ReplayEntry, SignInCommit, SignInWrites};

/// What the protocol brings to a sign-in's commit.
#[derive(Debug)]
pub struct SignInContext<'a> {
    pub ip: &'a str,
    /// Protocol facts for the success audit's detail object (`user_id` and `roles` are
    /// added here).
    pub detail: Value,
    /// SAML: the assertion id to record as used, and the refusal to answer when another
    /// sign-in (on any replica) already used it.
    pub replay: Option<(ReplayEntry<'a>, SsoFailure)>,
    /// SAML: the NameID and SessionIndex kept on the session for a later single logout.
    pub saml_name_id: Option<&'a str>,
    pub saml_session_index: Option<&'a str>,
}

/// Commits the sign-in of `who`, whose userName is `user_name`.
pub async fn commit_sign_in(
    state: &AppState,
    org: &OrgId,
    protocol: &str,
    who: &SessionPrincipal<'_>,
    user_name: &str,
    ctx: SignInContext<'_>,
) -> Result<PreparedSession, SsoFailure> {
    let prepared =
        prepare_session(state, org, who).map_err(|_| SsoFailure::service_unavailable())?;
    let mut detail = ctx.detail;
    if let Some(d) = detail.as_object_mut() {
        d.insert("user_id".into(), Value::from(who.principal_id));
        d.insert("roles".into(), Value::from(who.roles.to_vec()));
    }
    let event_name = format!("{protocol}_login");
    let (replay, replayed) = match ctx.replay {
        Some((entry, refusal)) => (Some(entry), Some(refusal)),
        None => (None, None),
    };
    let mut session = prepared.row();
    session.saml_name_id = ctx.saml_name_id;
    session.saml_session_index = ctx.saml_session_index;
    let writes = SignInWrites {
        replay,
        session,
        session_created: prepared.created_event(),
        audit: outcome_audit(&event_name, None, Some(user_name), ctx.ip, Some(detail)),
    };
    let committed = state
        .store
        .commit_sign_in(org, &writes, prepared.record.created_at)
        .await
        .map_err(|_| SsoFailure::service_unavailable())?;
    drop(writes);
    match (committed, replayed) {
        (SignInCommit::Committed, _) => {
            count_outcome(state, protocol, None);
            Ok(prepared)
        }
        (SignInCommit::Replayed, Some(refusal)) => Err(refusal),
        (SignInCommit::Replayed, None) => Err(SsoFailure::service_unavailable()),
    }
}
