//! Group-to-role resolution (CONTRACT.md §5), in one place for SAML, OIDC and SCIM.

use std::collections::BTreeSet;

use crate::domain::fold_identity;

/// One configured mapping: members of `group` get `role`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRoleMapping {
    pub group: String,
    pub role: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum RoleResolution {
    Roles(Vec<String>),
    /// No group matched and there is no default role: the login is refused (403 `no_role`).
    NoRole,
}

/// The union of the roles mapped from `groups` (each group named by any of its names: IdP
/// group name, SCIM display name, id or externalId), or `[default_role]` when none match.
/// Group names compare case-insensitively, as IdPs do not agree on case.
pub fn resolve_roles<'a>(
    groups: impl IntoIterator<Item = &'a str>,
    mappings: &[GroupRoleMapping],
    default_role: Option<&str>,
) -> RoleResolution {
    let groups: Vec<String> = groups.into_iter().map(fold_identity).collect();
    let roles: BTreeSet<String> = mappings
        .iter()
        .filter(|m| groups.iter().any(|g| *g == fold_identity(&m.group)))
        .map(|m| m.role.clone())
        .collect();
    match (roles.is_empty(), default_role) {
        (false, _) => RoleResolution::Roles(roles.into_iter().collect()),
        (true, Some(default)) => RoleResolution::Roles(vec![default.to_owned()]),
        (true, None) => RoleResolution::NoRole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(group: &str, role: &str) -> GroupRoleMapping {
        GroupRoleMapping {
            group: group.into(),
            role: role.into(),
        }
    }

    #[test]
    fn roles_are_the_union_of_every_matching_group() {
        let maps = [
            mapping("axid-admins", "admin"),
            mapping("Sales", "viewer"),
            mapping("ops", "billing:read"),
        ];
        let got = resolve_roles(["sales", "axid-admins", "other"], &maps, Some("viewer"));
        assert_eq!(
            got,
            RoleResolution::Roles(vec!["admin".into(), "viewer".into()])
        );
    }

    #[test]
    fn no_match_falls_back_to_the_default_role_or_refuses() {
        let maps = [mapping("axid-admins", "admin")];
        assert_eq!(
            resolve_roles(["x"], &maps, Some("viewer")),
            RoleResolution::Roles(vec!["viewer".into()])
        );
        assert_eq!(resolve_roles(["x"], &maps, None), RoleResolution::NoRole);
    }
}
