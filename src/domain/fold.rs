//! Case folding for identity values (userName, email, group display names, SCIM filter
//! values): ASCII letters fold to lowercase; a non-ASCII character folds only when its
//! lowercase is itself non-ASCII. So no non-ASCII character ever folds onto ASCII: the
//! Kelvin sign `K` (U+212A) stays itself instead of becoming `k`, and `\u{212A}ate@acme.com`
//! cannot be matched to, or collide with, `kate@acme.com` (Unicode's full lowercasing
//! would map it there). `É` still matches `é`, `Ä` matches `ä`.

/// The folded form every identity comparison and `*_lc` column uses.
pub fn fold_identity(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if c.to_lowercase().any(|l| l.is_ascii()) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold_identity;

    #[test]
    fn ascii_and_ordinary_letters_fold_and_nothing_lands_on_ascii() {
        assert_eq!(fold_identity("Kate@ACME.com"), "kate@acme.com");
        assert_eq!(fold_identity("ÉLODIE@Acme.fr"), "élodie@acme.fr");
        // Kelvin sign and dotted capital I: their Unicode lowercase contains ASCII.
        assert_eq!(
            fold_identity("\u{212A}ate@acme.com"),
            "\u{212A}ate@acme.com"
        );
        assert_ne!(
            fold_identity("\u{212A}ate@acme.com"),
            fold_identity("kate@acme.com")
        );
        assert_eq!(fold_identity("\u{130}nci"), "\u{130}nci");
        assert!(fold_identity("\u{212A}\u{130}")
            .chars()
            .all(|c| !c.is_ascii()));
    }
}
