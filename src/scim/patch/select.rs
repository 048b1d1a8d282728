//! Evaluates a value filter (`emails[type eq "work"]`) against the elements of one
//! resource's multi-valued attribute, in memory (the resource is already loaded for PATCH).
//! String comparisons follow each sub-attribute's caseExact (RFC 7644 §3.4.2.2).

use scim_v2::filter::{AttrExp, CompValue, CompareOp, ValFilter};
use serde_json::{Map, Value};

use crate::scim::schema::Attr;

pub fn matches(attr: &Attr, elem: &Map<String, Value>, f: &ValFilter) -> bool {
    match f {
        ValFilter::Attr(AttrExp::Present(p)) => lookup(elem, &p.name)
            .is_some_and(|v| !v.is_null() && v != &Value::String(String::new())),
        ValFilter::Attr(AttrExp::Comparison(p, op, cv)) => {
            let exact = attr.sub(&p.name).is_some_and(|s| s.case_exact);
            lookup(elem, &p.name).is_some_and(|v| compare(v, op, cv, exact))
        }
        ValFilter::Not(inner) => !matches(attr, elem, inner),
        ValFilter::And(items) => items.iter().all(|i| matches(attr, elem, i)),
        ValFilter::Or(items) => items.iter().any(|i| matches(attr, elem, i)),
    }
}

fn lookup<'v>(elem: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    elem.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn compare(v: &Value, op: &CompareOp, cv: &CompValue, exact: bool) -> bool {
    match (v, cv) {
        (Value::Bool(b), CompValue::True) => cmp_eq(op, *b),
        (Value::Bool(b), CompValue::False) => cmp_eq(op, !*b),
        (Value::Bool(b), CompValue::Str(s)) => {
            crate::scim::coerce::parse_bool(s).is_some_and(|x| cmp_eq(op, x == *b))
        }
        (Value::Number(n), CompValue::Number(m)) => {
            let (a, b) = (
                n.as_f64().unwrap_or(f64::NAN),
                m.as_f64().unwrap_or(f64::NAN),
            );
            ordered(op, a.partial_cmp(&b))
        }
        (Value::String(s), CompValue::Str(t)) => {
            let (s, t) = if exact {
                (s.clone(), t.clone())
            } else {
                (s.to_lowercase(), t.to_lowercase())
            };
            match op {
                CompareOp::Co => s.contains(&t),
                CompareOp::Sw => s.starts_with(&t),
                CompareOp::Ew => s.ends_with(&t),
                _ => ordered(op, Some(s.cmp(&t))),
            }
        }
        _ => matches!(op, CompareOp::Ne),
    }
}

fn cmp_eq(op: &CompareOp, equal: bool) -> bool {
    match op {
        CompareOp::Eq => equal,
        CompareOp::Ne => !equal,
        _ => false,
    }
}

fn ordered(op: &CompareOp, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    match (op, ord) {
        (_, None) => matches!(op, CompareOp::Ne),
        (CompareOp::Eq, Some(o)) => o == Equal,
        (CompareOp::Ne, Some(o)) => o != Equal,
        (CompareOp::Gt, Some(o)) => o == Greater,
        (CompareOp::Ge, Some(o)) => o != Less,
        (CompareOp::Lt, Some(o)) => o == Less,
        (CompareOp::Le, Some(o)) => o != Greater,
        (CompareOp::Co | CompareOp::Sw | CompareOp::Ew, _) => false,
    }
}

/// The `sub eq "x"` pairs of a filter made only of equalities joined by `and`: the element
/// a PATCH creates when such a filter matches nothing (Entra's
/// `emails[type eq "work"].value` on a user without a work email).
pub fn eq_pairs(f: &ValFilter) -> Option<Vec<(String, Value)>> {
    match f {
        ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, cv)) if p.sub_attr.is_none() => {
            let v = match cv {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::True => Value::Bool(true),
                CompValue::False => Value::Bool(false),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::Null => return None,
            };
            Some(vec![(p.name.clone(), v)])
        }
        ValFilter::And(items) => {
            let mut out = Vec::new();
            for i in items.iter() {
                out.extend(eq_pairs(i)?);
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::USER;

    fn filter(text: &str) -> ValFilter {
        match format!("emails[{text}]").parse::<scim_v2::filter::PatchPath>() {
            Ok(scim_v2::filter::PatchPath::Value(vp)) => vp.filter,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn filters_match_elements_case_insensitively_with_booleans() {
        let emails = USER.resolve(None, "emails").expect("emails").attr;
        let elem = serde_json::json!({"value": "A@X.com", "type": "work", "primary": true});
        let elem = elem.as_object().expect("object");
        assert!(matches(
            emails,
            elem,
            &filter(r#"type eq "WORK" and primary eq true"#)
        ));
        assert!(matches(emails, elem, &filter(r#"value ew "x.com""#)));
        assert!(!matches(emails, elem, &filter(r#"not (type eq "work")"#)));
    }
}
