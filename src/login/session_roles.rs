//! Live sessions follow every role change (CONTRACT.md §5): after a SCIM membership change
//! or an SSO configuration change, each user session's roles are recomputed from the groups
//! its sign-in asserted and the user's SCIM groups; a session left with no role ends, as
//! that sign-in would now be refused.

use crate::domain::OrgId;
use crate::roles::{resolve_roles, GroupRoleMapping, RoleResolution};
use crate::state::AppState;
use crate::store::{StoreResult, UserSessionGroups};

/// The role rules in force: the configuration's mappings and default role.
#[derive(Clone, Debug, Default)]
pub struct RolePolicy {
    pub mappings: Vec<GroupRoleMapping>,
    pub default_role: Option<String>,
}

/// Recomputes the sessions of `user_id`, or of every user of the organization when None.
pub async fn refresh_user_sessions(
    state: &AppState,
    org: &OrgId,
    policy: &RolePolicy,
    user_id: Option<&str>,
) -> StoreResult<()> {
    let mut sessions = state.store.user_sessions_groups(org, user_id).await?;
    sessions.sort_by(|a, b| a.principal_id.cmp(&b.principal_id));
    for of_one_user in sessions.chunk_by(|a, b| a.principal_id == b.principal_id) {
        refresh_one_user(state, org, policy, of_one_user).await?;
    }
    Ok(())
}

async fn refresh_one_user(
    state: &AppState,
    org: &OrgId,
    policy: &RolePolicy,
    sessions: &[UserSessionGroups],
) -> StoreResult<()> {
    let Some(first) = sessions.first() else {
        return Ok(());
    };
    let user_id = first.principal_id.as_str();
    let active = state
        .store
        .get_user(org, user_id)
        .await?
        .is_some_and(|u| u.active());
    let scim_groups = state.store.user_group_names(org, user_id).await?;
    for session in sessions {
        let asserted: Vec<String> = session
            .idp_groups
            .as_deref()
            .and_then(|g| serde_json::from_str(g).ok())
            .unwrap_or_default();
        let names = asserted
            .iter()
            .chain(scim_groups.iter())
            .map(String::as_str);
        let resolution = if active {
            resolve_roles(names, &policy.mappings, policy.default_role.as_deref())
        } else {
            RoleResolution::NoRole
        };
        match resolution {
            RoleResolution::Roles(roles) => {
                let json = serde_json::to_string(&roles).unwrap_or_else(|_| "[]".into());
                state
                    .store
                    .set_session_roles(&session.id_hash, &json)
                    .await?;
            }
            RoleResolution::NoRole => state.store.delete_session(&session.id_hash).await?,
        }
    }
    Ok(())
}
