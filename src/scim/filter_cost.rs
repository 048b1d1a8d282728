//! A filter's cost, bounded before any SQL runs (issue 10, item 1). Every comparison becomes
//! one subquery; an `eq` or `pr` is an index probe, but `co`, `sw` and `ew` are `LIKE`
//! patterns no index serves, and each sub-term of a value path is a correlated subquery run
//! once per element of the organization. So a filter is refused with 400 invalidFilter
//! (RFC 7644 §3.4.2.2, §3.12) when it has more terms of each kind than these limits, which
//! sit far above what any IdP sends (IDP_QUIRKS.md: Entra, Okta, OneLogin, Auth0, Google and
//! JumpCloud send one to three terms, and at most one value path with two sub-terms).

use scim_v2::filter::{AttrExp, CompareOp, Filter, ValFilter};

use super::error::{ScimError, ScimResult};

/// Comparisons and presence tests in the whole filter (a batch lookup of 50 ids fits).
pub const MAX_TERMS: usize = 64;
/// `co`, `sw` and `ew` comparisons in the whole filter: each scans the organization's values.
pub const MAX_SUBSTRING_TERMS: usize = 4;
/// Sub-terms inside one `attr[...]` value path (Entra's rewrite makes two).
pub const MAX_VALUE_PATH_TERMS: usize = 8;
/// Characters of filter text (a filter of MAX_TERMS lookups of 100-character values fits).
pub const MAX_FILTER_CHARS: usize = 8 * 1024;

#[derive(Default)]
struct Count {
    terms: usize,
    substring: usize,
}

impl Count {
    fn exp(&mut self, exp: &AttrExp) {
        self.terms += 1;
        if matches!(
            exp,
            AttrExp::Comparison(_, CompareOp::Co | CompareOp::Sw | CompareOp::Ew, _)
        ) {
            self.substring += 1;
        }
    }
}

/// Refuses text longer than MAX_FILTER_CHARS before it is parsed.
pub fn check_text(text: &str) -> ScimResult<()> {
    if text.contains('\0') {
        return Err(ScimError::invalid_filter(
            "the filter must not contain NUL (U+0000)",
        ));
    }
    if text.chars().count() > MAX_FILTER_CHARS {
        return Err(ScimError::invalid_filter(format!(
            "the filter is longer than {MAX_FILTER_CHARS} characters"
        )));
    }
    Ok(())
}

/// Refuses a parsed filter over any of the limits above, naming the limit.
pub fn check(filter: &Filter) -> ScimResult<()> {
    let mut count = Count::default();
    walk(filter, &mut count)?;
    if count.terms > MAX_TERMS {
        return Err(ScimError::invalid_filter(format!(
            "the filter has {} terms; at most {MAX_TERMS} are allowed",
            count.terms
        )));
    }
    if count.substring > MAX_SUBSTRING_TERMS {
        return Err(ScimError::invalid_filter(format!(
            "the filter has {} 'co', 'sw' or 'ew' terms; at most {MAX_SUBSTRING_TERMS} are allowed",
            count.substring
        )));
    }
    Ok(())
}

fn walk(f: &Filter, count: &mut Count) -> ScimResult<()> {
    match f {
        Filter::Attr(exp) => count.exp(exp),
        Filter::ValuePath(vp) => {
            let before = count.terms;
            walk_val(&vp.filter, count);
            let inner = count.terms - before;
            if inner > MAX_VALUE_PATH_TERMS {
                return Err(ScimError::invalid_filter(format!(
                    "the value filter '{}[...]' has {inner} terms; at most {MAX_VALUE_PATH_TERMS} are allowed",
                    vp.attr
                )));
            }
        }
        Filter::Not(inner) => walk(inner, count)?,
        Filter::And(items) | Filter::Or(items) => {
            for item in items.iter() {
                walk(item, count)?;
            }
        }
    }
    Ok(())
}

fn walk_val(f: &ValFilter, count: &mut Count) {
    match f {
        ValFilter::Attr(exp) => count.exp(exp),
        ValFilter::Not(inner) => walk_val(inner, count),
        ValFilter::And(items) | ValFilter::Or(items) => {
            items.iter().for_each(|i| walk_val(i, count));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;

    fn check_text_of(text: &str) -> ScimResult<()> {
        check_text(text)?;
        check(&text.parse().expect("parses"))
    }

    fn or_chain(n: usize, term: impl Fn(usize) -> String) -> String {
        (0..n).map(term).collect::<Vec<_>>().join(" or ")
    }

    #[test]
    fn the_issue_filter_is_refused_for_its_value_path_terms() {
        let inner = or_chain(100, |i| format!(r#"value co "z0_{i}""#));
        let f = format!("emails[{inner}] or emails[{inner}]");
        let err = check_text_of(&f).expect_err("refused");
        assert_eq!(err.scim_type, Some(ScimType::InvalidFilter));
        assert!(err.detail.contains("at most 8"), "{}", err.detail);
    }

    #[test]
    fn many_terms_and_many_substring_terms_are_refused_naming_the_limit() {
        let eqs = or_chain(65, |i| format!(r#"userName eq "u{i}""#));
        let err = check_text_of(&eqs).expect_err("terms");
        assert!(
            err.detail.contains("65 terms; at most 64"),
            "{}",
            err.detail
        );
        let cos = or_chain(5, |i| format!(r#"userName co "u{i}""#));
        let err = check_text_of(&cos).expect_err("substring");
        assert!(err.detail.contains("at most 4"), "{}", err.detail);
        let long = format!(r#"userName eq "{}""#, "a".repeat(MAX_FILTER_CHARS));
        assert!(check_text(&long).is_err());
    }

    #[test]
    fn every_idp_dialect_and_a_batch_lookup_fit() {
        for f in [
            r#"userName eq "a@b.test""#,
            r#"emails[type eq "work" and value eq "x@y.test"]"#,
            r#"id eq "g1" and members eq "u1""#,
            r#"externalId eq "auth0\u007c1""#,
            r#"emails[value co "a" or value co "b" or value sw "c" or value ew "d"]"#,
        ] {
            check_text_of(f).expect(f);
        }
        check_text_of(&or_chain(64, |i| format!(r#"userName eq "u{i}""#))).expect("64 terms");
    }
}
