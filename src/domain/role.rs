//! Role names (CONTRACT.md §5): built-in `admin`, `editor`, `viewer`, or any `[a-z0-9_.:-]{1,64}`.

use serde::Serialize;

pub const BUILTIN_ROLES: [&str; 3] = ["admin", "editor", "viewer"];

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Role(String);

impl Role {
    pub fn parse(text: &str) -> Result<Self, String> {
        let ok_len = (1..=64).contains(&text.len());
        let ok_chars = text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.:-".contains(&b));
        if ok_len && ok_chars {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!(
                "role {text:?} must be 1 to 64 characters of a-z, 0-9, '_', '.', ':' and '-'"
            ))
        }
    }

    pub fn admin() -> Self {
        Self("admin".into())
    }

    pub fn viewer() -> Self {
        Self("viewer".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn custom_role_names_follow_the_contract_grammar() {
        assert!(Role::parse("billing:read").is_ok());
        assert!(Role::parse("Admin").is_err());
        assert!(Role::parse("").is_err());
        assert!(Role::parse("has space").is_err());
    }
}
