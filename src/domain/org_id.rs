//! Organization ids: `[a-z0-9][a-z0-9-]{1,62}` (CONTRACT.md, preamble).

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrgId(String);

impl OrgId {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bytes = text.as_bytes();
        let valid_len = (2..=63).contains(&bytes.len());
        let first_ok = bytes
            .first()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let rest_ok = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if valid_len && first_ok && rest_ok {
            Ok(Self(text.to_owned()))
        } else {
            Err("org_id must be 2 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::OrgId;

    #[test]
    fn accepts_lowercase_ids_with_dashes() {
        assert!(OrgId::parse("acme-corp-2").is_ok());
        assert!(OrgId::parse("a1").is_ok());
    }

    #[test]
    fn rejects_uppercase_leading_dash_and_bad_lengths() {
        for bad in [
            "Acme",
            "-acme",
            "a",
            "",
            "acme_corp",
            "acme corp",
            &"a".repeat(64),
        ] {
            assert!(OrgId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
