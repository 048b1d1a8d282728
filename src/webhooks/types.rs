//! The event types of CONTRACT.md §15, and the two webhook ones axid adds (the endpoint
//! disabled by a 410, and the test delivery).

pub const EVENT_TYPES: &[&str] = &[
    "user.created",
    "user.updated",
    "user.deactivated",
    "user.reactivated",
    "user.deleted",
    "user.roles_changed",
    "group.created",
    "group.updated",
    "group.deleted",
    "group.member_added",
    "group.member_removed",
    "session.created",
    "login.failed",
    "sso.config_created",
    "sso.config_updated",
    "sso.config_deleted",
    "sso.certificate_expiring",
    "sso.metadata_refreshed",
    "sso.metadata_refresh_failed",
    "client.created",
    "client.secret_rotated",
    "client.deleted",
    "scim_token.created",
    "scim_token.revoked",
    WEBHOOK_DISABLED,
    WEBHOOK_TEST,
];

/// An endpoint answered 410 Gone and was disabled.
pub const WEBHOOK_DISABLED: &str = "webhook.disabled";
/// A delivery asked for by `POST /webhooks/{id}/test` (no event row).
pub const WEBHOOK_TEST: &str = "webhook.test";

/// A comma-separated list of known types; the unknown one is named in the error.
pub fn parse_list(text: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    check(&names)?;
    Ok(names)
}

pub fn check(names: &[String]) -> Result<(), String> {
    match names.iter().find(|n| !EVENT_TYPES.contains(&n.as_str())) {
        Some(bad) => Err(format!("{bad:?} is not an event type")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_lists_are_split_trimmed_and_checked() {
        assert_eq!(
            parse_list("user.created, group.deleted,").unwrap(),
            ["user.created", "group.deleted"]
        );
        assert!(parse_list("user.created,user.exploded")
            .unwrap_err()
            .contains("user.exploded"));
    }
}
