//! Email addresses as axid accepts them: one `@` with a non-empty local part and domain,
//! at most 254 characters (RFC 5321 §4.5.3.1.3), no whitespace, controls or the list
//! separators `,;<>`. A second `@` (legal only inside a quoted local part, RFC 5322 §3.4.1,
//! which no IdP or mailbox provider issues) is refused: `a@evil.test@acme.com` would read
//! as an address of `acme.com` to one parser and of `evil.test` to another.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    text: String,
    at: usize,
}

impl Email {
    /// Parses trimmed text; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if text.is_empty() || text.len() > 254 {
            return Err("an email address is 1 to 254 characters");
        }
        if text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>'))
        {
            return Err("an email address has no spaces, controls or ,;<>");
        }
        let mut ats = text.match_indices('@').map(|(i, _)| i);
        let (Some(at), None) = (ats.next(), ats.next()) else {
            return Err("an email address has exactly one @");
        };
        if at == 0 || at + 1 == text.len() {
            return Err("an email address has a name before the @ and a domain after it");
        }
        Ok(Self {
            text: text.to_owned(),
            at,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The domain, lowercased (domains are case-insensitive, RFC 4343).
    pub fn domain(&self) -> String {
        self.text[self.at + 1..].to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn one_at_with_both_sides_is_an_email() {
        for (text, domain) in [
            ("kate@acme.com", "acme.com"),
            ("  Kate.Smith+sso@ACME.com ", "acme.com"),
            ("x@localhost", "localhost"),
        ] {
            let email = Email::parse(text).expect(text);
            assert_eq!(email.domain(), domain);
            assert_eq!(email.as_str(), text.trim());
        }
    }

    #[test]
    fn two_ats_and_other_malformed_text_are_not_emails() {
        for text in [
            "a@evil.test@acme.com",
            "a@@acme.com",
            "\"a@b\"@acme.com",
            "@acme.com",
            "kate@",
            "kate",
            "",
            "kate smith@acme.com",
            "kate@acme.com, eve@evil.test",
            "kate@acme\n.com",
            "kate\u{0}@acme.com",
            "<kate@acme.com>",
        ] {
            assert!(Email::parse(text).is_err(), "{text:?} must be refused");
        }
        assert!(Email::parse(&format!("{}@acme.com", "a".repeat(250))).is_err());
    }
}
