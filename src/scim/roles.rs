//! SCIM groups feeding role resolution (CONTRACT.md §5): a directory user's roles are the
//! roles mapped from their groups (by display name, id or externalId) in the organization's
//! SSO configuration, and live sessions of the members follow every membership change.

use crate::domain::OrgId;
use crate::login::role_changes::{self, RoleConfig};
use crate::login::session_roles::{refresh_user_sessions, RolePolicy};
use crate::state::AppState;
use crate::store::{StoreResult, UserGroupRow, UserRecord};

pub async fn role_config(state: &AppState, org: &OrgId) -> StoreResult<Option<RoleConfig>> {
    Ok(state
        .store
        .sso_config_json(org)
        .await?
        .as_deref()
        .map(RoleConfig::parse))
}

/// The roles shown by the portal: none without an SSO configuration or a matching role.
pub async fn effective_roles(
    state: &AppState,
    org: &OrgId,
    user: &UserRecord,
    groups: &[UserGroupRow],
) -> StoreResult<Vec<String>> {
    let config = role_config(state, org).await?;
    Ok(role_changes::effective(config.as_ref(), user, groups))
}

/// Recomputes the session roles of `user_ids` (users with live sessions whose memberships
/// changed), from each session's asserted groups and the user's SCIM groups.
pub async fn refresh_sessions(
    state: &AppState,
    org: &OrgId,
    user_ids: &[String],
) -> StoreResult<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let Some(config) = role_config(state, org).await? else {
        return Ok(());
    };
    let policy = RolePolicy {
        mappings: config.mappings,
        default_role: config.default_role,
    };
    for id in user_ids {
        refresh_user_sessions(state, org, &policy, Some(id)).await?;
    }
    Ok(())
}
