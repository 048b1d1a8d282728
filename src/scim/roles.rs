//! SCIM groups feeding role resolution (CONTRACT.md §5): a directory user's roles are the
//! roles mapped from their groups (by display name, id or externalId) in the organization's
//! SSO configuration, and live sessions of the members follow every membership change.

use serde_json::Value;

use crate::domain::OrgId;
use crate::login::session_roles::{refresh_user_sessions, RolePolicy};
use crate::roles::{resolve_roles, GroupRoleMapping, RoleResolution};
use crate::state::AppState;
use crate::store::{StoreResult, UserGroupRow, UserRecord};

/// The mappings and default role of the organization's SSO configuration, if it has one.
pub struct RoleConfig {
    mappings: Vec<GroupRoleMapping>,
    default_role: Option<String>,
}

pub async fn role_config(state: &AppState, org: &OrgId) -> StoreResult<Option<RoleConfig>> {
    let Some(text) = state.store.sso_config_json(org).await? else {
        return Ok(None);
    };
    let config: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let mappings = config["group_role_mappings"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|m| {
                    Some(GroupRoleMapping {
                        group: m.get("group")?.as_str()?.to_owned(),
                        role: m.get("role")?.as_str()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(RoleConfig {
        mappings,
        default_role: config["default_role"].as_str().map(str::to_owned),
    }))
}

/// A user's roles: NoRole when deactivated ("roles of a deactivated user are gone").
pub fn resolve(config: &RoleConfig, user: &UserRecord, groups: &[UserGroupRow]) -> RoleResolution {
    if !user.active() {
        return RoleResolution::NoRole;
    }
    let names = groups
        .iter()
        .flat_map(|g| {
            [
                Some(g.display_name.as_str()),
                Some(g.group_id.as_str()),
                g.external_id.as_deref(),
            ]
        })
        .flatten();
    resolve_roles(names, &config.mappings, config.default_role.as_deref())
}

/// The roles shown by the portal: none without an SSO configuration or a matching role.
pub async fn effective_roles(
    state: &AppState,
    org: &OrgId,
    user: &UserRecord,
    groups: &[UserGroupRow],
) -> StoreResult<Vec<String>> {
    Ok(match role_config(state, org).await? {
        None => Vec::new(),
        Some(config) => match resolve(&config, user, groups) {
            RoleResolution::Roles(r) => r,
            RoleResolution::NoRole => Vec::new(),
        },
    })
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
