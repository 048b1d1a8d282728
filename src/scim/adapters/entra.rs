//! Microsoft Entra ID's filter dialect: `emails[type eq "work"].value eq "x"` (a value path
//! followed by a sub-attribute comparison, outside RFC 7644's ABNF) is rewritten into the
//! equivalent RFC form `emails[(type eq "work") and value eq "x"]`. The bracket's filter is
//! parenthesised: `and` binds tighter than `or` (RFC 7644 §3.4.2.2), so without the
//! parentheses `[type eq "work" or type eq "home"].value eq "x"` would mean "a home email,
//! or a work email that is x" instead of "a work or home email that is x".

use std::borrow::Cow;

/// Rewrites every `attr[F].sub <op> <value>` into `attr[(F) and sub <op> <value>]`.
pub fn rewrite_value_path_comparison(text: &str) -> Cow<'_, str> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    let mut changed = false;
    let mut in_str = false;
    // Positions in `out` of the '[' of each open value path, innermost last.
    let mut opens: Vec<usize> = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            in_str = c != '"';
            i += 1;
            continue;
        }
        if c == '"' {
            in_str = true;
            out.push(c);
            i += 1;
            continue;
        }
        if c == '[' {
            opens.push(out.len());
        }
        let open = if c == ']' { opens.pop() } else { None };
        if let (Some(open), Some('.')) = (open, chars.get(i + 1)) {
            if let Some((sub, cmp, end)) = trailing_comparison(&chars, i + 2) {
                out.insert(open + 1, '(');
                out.push_str(") and ");
                out.push_str(&sub);
                out.push(' ');
                out.push_str(&cmp);
                out.push(']');
                i = end;
                changed = true;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// After `].`: a sub-attribute name, spaces, an operator and (except `pr`) a value.
fn trailing_comparison(chars: &[char], start: usize) -> Option<(String, String, usize)> {
    let mut i = start;
    let name_start = i;
    while i < chars.len()
        && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-')
    {
        i += 1;
    }
    let sub: String = chars[name_start..i].iter().collect();
    if sub.is_empty() || chars.get(i) != Some(&' ') {
        return None;
    }
    while chars.get(i) == Some(&' ') {
        i += 1;
    }
    let op_start = i;
    while i < chars.len() && chars[i].is_ascii_alphabetic() {
        i += 1;
    }
    let op: String = chars[op_start..i].iter().collect();
    let op_lc = op.to_ascii_lowercase();
    if op_lc == "pr" {
        return Some((sub, op, i));
    }
    if !["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"].contains(&op_lc.as_str()) {
        return None;
    }
    while chars.get(i) == Some(&' ') {
        i += 1;
    }
    let value_start = i;
    if chars.get(i) == Some(&'"') {
        i += 1;
        while i < chars.len() && chars[i] != '"' {
            i += if chars[i] == '\\' { 2 } else { 1 };
        }
        i += 1;
    } else {
        while i < chars.len() && !matches!(chars[i], ' ' | ')' | ']') {
            i += 1;
        }
    }
    let end = i.min(chars.len());
    let value: String = chars[value_start..end].iter().collect();
    if value.is_empty() {
        return None;
    }
    Some((sub, format!("{op} {value}"), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_sub_attribute_comparison_becomes_an_rfc_value_path() {
        assert_eq!(
            rewrite_value_path_comparison(r#"emails[type eq "work"].value eq "a]b.c d""#),
            r#"emails[(type eq "work") and value eq "a]b.c d"]"#
        );
    }

    #[test]
    fn an_or_inside_the_brackets_keeps_its_meaning() {
        assert_eq!(
            rewrite_value_path_comparison(
                r#"emails[type eq "work" or type eq "home"].value eq "x" or userName eq "y""#
            ),
            r#"emails[(type eq "work" or type eq "home") and value eq "x"] or userName eq "y""#
        );
    }

    #[test]
    fn rfc_filters_are_left_alone() {
        let f = r#"emails[type eq "work"] and userName eq "x].y z""#;
        assert!(matches!(rewrite_value_path_comparison(f), Cow::Borrowed(_)));
    }
}
