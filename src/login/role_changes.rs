//! A directory user's effective roles (CONTRACT.md §5: the roles mapped from their SCIM
//! groups by the SSO configuration, none when deactivated) and the `user.roles_changed`
//! events (§15) a change records in its own transaction: roles are resolved before and
//! after the write from what that transaction sees, and each user whose roles differ gets
//! one event.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::clock::{rfc3339, Millis};
use crate::domain::OrgId;
use crate::roles::{resolve_roles, GroupRoleMapping, RoleResolution};
use crate::store::{DirTx, NewEvent, StoreResult, UserGroupRow, UserRecord};

/// The mappings and default role of an organization's SSO configuration.
#[derive(Clone, Debug, Default)]
pub struct RoleConfig {
    pub mappings: Vec<GroupRoleMapping>,
    pub default_role: Option<String>,
}

impl RoleConfig {
    /// From the stored configuration's JSON text (unreadable parts map nothing).
    pub fn parse(text: &str) -> Self {
        let config: Value = serde_json::from_str(text).unwrap_or(Value::Null);
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
        Self {
            mappings,
            default_role: config["default_role"].as_str().map(str::to_owned),
        }
    }
}

/// A user's roles: NoRole when deactivated ("roles of a deactivated user are gone").
pub fn resolve(config: &RoleConfig, user: &UserRecord, groups: &[UserGroupRow]) -> RoleResolution {
    if !user.active() {
        return RoleResolution::NoRole;
    }
    let names = groups
        .iter()
        .filter(|g| g.user_id == user.id)
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

/// The roles the portal shows: none without a configuration or a matching role.
pub fn effective(
    config: Option<&RoleConfig>,
    user: &UserRecord,
    groups: &[UserGroupRow],
) -> Vec<String> {
    match config.map(|c| resolve(c, user, groups)) {
        Some(RoleResolution::Roles(r)) => r,
        Some(RoleResolution::NoRole) | None => Vec::new(),
    }
}

/// The portal's user JSON (`GET /api/v1/users/{id}` without groups and roles).
pub fn user_json(u: &UserRecord) -> Value {
    json!({
        "id": u.id, "user_name": u.user_name, "display_name": u.display_name, "email": u.email_lc,
        "external_id": u.external_id, "active": u.active(), "source": u.source,
        "created_at": rfc3339(u.created_at), "updated_at": rfc3339(u.updated_at),
    })
}

/// Users and their groups as one transaction saw them at one point.
pub struct Directory {
    users: Vec<UserRecord>,
    groups: Vec<UserGroupRow>,
}

impl Directory {
    /// Reads the users named by `ids` (every user of the organization when None).
    pub async fn read(tx: &mut DirTx, org: &OrgId, ids: Option<&[String]>) -> StoreResult<Self> {
        Ok(Self {
            users: tx.users_in(org, ids).await?,
            groups: tx.groups_in(org, ids).await?,
        })
    }

    /// Each user's roles under `config`.
    pub fn roles(&self, config: Option<&RoleConfig>) -> BTreeMap<String, Vec<String>> {
        let mut by_user: BTreeMap<&str, Vec<UserGroupRow>> = BTreeMap::new();
        for g in &self.groups {
            by_user
                .entry(g.user_id.as_str())
                .or_default()
                .push(g.clone());
        }
        self.users
            .iter()
            .map(|u| {
                let groups = by_user
                    .get(u.id.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                (u.id.clone(), effective(config, u, groups))
            })
            .collect()
    }

    /// The roles `user` (a version of one of these users) would have with these groups.
    pub fn roles_of(&self, config: Option<&RoleConfig>, user: &UserRecord) -> Vec<String> {
        effective(config, user, &self.groups)
    }

    fn user(&self, id: &str) -> Option<&UserRecord> {
        self.users.iter().find(|u| u.id == id)
    }
}

/// Who caused a change, as events name it.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub kind: &'a str,
    pub id: Option<&'a str>,
}

/// Appends `user.roles_changed` for each user present before and after whose roles differ
/// (a user created or deleted by the change has its own event). `after` shows the user.
pub async fn append_changes(
    tx: &mut DirTx,
    org: &OrgId,
    before: &BTreeMap<String, Vec<String>>,
    after: (&Directory, &BTreeMap<String, Vec<String>>),
    actor: Actor<'_>,
    now: Millis,
) -> StoreResult<usize> {
    let (dir, roles) = after;
    let mut appended = 0;
    for (id, now_roles) in roles {
        let Some(was) = before.get(id) else { continue };
        if was == now_roles {
            continue;
        }
        let Some(user) = dir.user(id) else { continue };
        let mut data = user_json(user);
        data["roles"] = json!(now_roles);
        data["previous_roles"] = json!(was);
        let event = NewEvent {
            kind: "user.roles_changed",
            actor_type: actor.kind,
            actor_id: actor.id,
            data,
        };
        tx.append_event(org, &event, now).await?;
        appended += 1;
    }
    Ok(appended)
}

/// The configuration in force as `tx` sees it.
pub async fn config_in(tx: &mut DirTx, org: &OrgId) -> StoreResult<Option<RoleConfig>> {
    Ok(tx
        .sso_config_json(org)
        .await?
        .as_deref()
        .map(RoleConfig::parse))
}
