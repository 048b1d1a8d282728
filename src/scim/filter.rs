//! RFC 7644 §3.4.2.2 filters: parsed with the `scim_v2` crate (its LALRPOP grammar covers the
//! whole ABNF: logical operators with precedence, `not`, grouping, value paths, URN-qualified
//! paths, JSON string escapes such as `\u007c`), then lowered against the schema into the
//! store's filter IR. Anything the IR cannot express exactly is refused with 400
//! invalidFilter, never answered with an unfiltered list.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ValFilter};

use super::adapters;
use super::error::{ScimError, ScimResult};
use super::filter_cost;
use super::schema::{value_key, ResourceSchema, Ty, GROUP};
use crate::clock::parse_rfc3339;
use crate::domain::fold_identity;
use crate::store::{Col, Cond, ElemCond, Op, SortKey, Val};

pub fn parse(schema: &ResourceSchema, text: &str) -> ScimResult<Cond> {
    filter_cost::check_text(text)?;
    let text = adapters::normalize_filter(text);
    let filter: Filter = text
        .parse()
        .map_err(|e| ScimError::invalid_filter(format!("the filter could not be parsed: {e}")))?;
    filter_cost::check(&filter)?;
    lower(schema, &filter)
}

fn is_group(schema: &ResourceSchema) -> bool {
    std::ptr::eq(schema, &GROUP)
}

fn lower(schema: &ResourceSchema, f: &Filter) -> ScimResult<Cond> {
    Ok(match f {
        Filter::Attr(exp) => lower_exp(schema, exp)?,
        Filter::ValuePath(vp) => lower_value_path(schema, &vp.attr, &vp.filter)?,
        Filter::Not(inner) => Cond::Not(Box::new(lower(schema, inner)?)),
        Filter::And(items) => Cond::And(
            items
                .iter()
                .map(|i| lower(schema, i))
                .collect::<ScimResult<_>>()?,
        ),
        Filter::Or(items) => Cond::Or(
            items
                .iter()
                .map(|i| lower(schema, i))
                .collect::<ScimResult<_>>()?,
        ),
    })
}

fn op_of(op: &CompareOp) -> Op {
    match op {
        CompareOp::Eq => Op::Eq,
        CompareOp::Ne => Op::Ne,
        CompareOp::Co => Op::Co,
        CompareOp::Sw => Op::Sw,
        CompareOp::Ew => Op::Ew,
        CompareOp::Gt => Op::Gt,
        CompareOp::Ge => Op::Ge,
        CompareOp::Lt => Op::Lt,
        CompareOp::Le => Op::Le,
    }
}

fn text_of(v: &CompValue) -> ScimResult<String> {
    match v {
        CompValue::Str(s) => Ok(s.clone()),
        CompValue::True => Ok("true".into()),
        CompValue::False => Ok("false".into()),
        CompValue::Number(n) => Ok(n.to_string()),
        CompValue::Null => Err(ScimError::invalid_filter(
            "comparisons with null are not supported; use 'pr'",
        )),
    }
}

/// Where an attribute path lives in the store.
enum Target {
    Col(Col),
    Member,
    Value(String),
}

fn target(schema: &ResourceSchema, path: &AttrPath) -> ScimResult<Target> {
    let unknown = || ScimError::invalid_filter(format!("cannot filter on '{path}'"));
    let core = path
        .uri
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(schema.core_urn));
    let name = path.name.as_str();
    let sub = path.sub_attr.as_deref();
    let is = |n: &str| core && name.eq_ignore_ascii_case(n);
    if is("id") && sub.is_none() {
        return Ok(Target::Col(Col::Id));
    }
    if is("externalId") && sub.is_none() {
        return Ok(Target::Col(Col::ExternalId));
    }
    if is("meta") {
        return match sub {
            Some(s) if s.eq_ignore_ascii_case("created") => Ok(Target::Col(Col::CreatedAt)),
            Some(s) if s.eq_ignore_ascii_case("lastModified") => Ok(Target::Col(Col::UpdatedAt)),
            _ => Err(unknown()),
        };
    }
    let member_attr = if is_group(schema) {
        "members"
    } else {
        "groups"
    };
    if is(member_attr) {
        return match sub {
            None => Ok(Target::Member),
            Some(s) if s.eq_ignore_ascii_case("value") => Ok(Target::Member),
            _ => Err(unknown()),
        };
    }
    if is_group(schema) {
        return if is("displayName") && sub.is_none() {
            Ok(Target::Col(Col::DisplayNameLc))
        } else {
            Err(unknown())
        };
    }
    if is("userName") && sub.is_none() {
        return Ok(Target::Col(Col::UserNameLc));
    }
    if is("active") && sub.is_none() {
        return Ok(Target::Col(Col::Active));
    }
    let r = schema
        .resolve(path.uri.as_deref(), name)
        .ok_or_else(unknown)?;
    if r.attr.mutability == super::schema::Mutability::WriteOnly {
        return Err(unknown());
    }
    let sub_attr = match (r.attr.ty, sub) {
        (Ty::Complex, Some(s)) => Some(r.attr.sub(s).ok_or_else(unknown)?.name),
        (Ty::Complex, None) => Some(r.attr.sub("value").ok_or_else(unknown)?.name),
        (_, Some(_)) => return Err(unknown()),
        (_, None) => None,
    };
    Ok(Target::Value(value_key(r.ext, r.attr.name, sub_attr)))
}

fn lower_exp(schema: &ResourceSchema, exp: &AttrExp) -> ScimResult<Cond> {
    let (path, cmp) = match exp {
        AttrExp::Present(p) => (p, None),
        AttrExp::Comparison(p, op, v) => (p, Some((op_of(op), v))),
    };
    let Some((op, value)) = cmp else {
        return Ok(match target(schema, path)? {
            Target::Col(c) => Cond::ColPresent(c),
            Target::Member => Cond::MemberPresent,
            Target::Value(k) => Cond::ValuePresent(k),
        });
    };
    Ok(match target(schema, path)? {
        Target::Col(col @ (Col::Id | Col::ExternalId)) => {
            Cond::Col(col, op, Val::Text(text_of(value)?))
        }
        Target::Col(col @ (Col::UserNameLc | Col::DisplayNameLc)) => {
            Cond::Col(col, op, Val::Text(fold_identity(&text_of(value)?)))
        }
        Target::Col(Col::Active) => {
            let b = match value {
                CompValue::True => true,
                CompValue::False => false,
                CompValue::Str(s) => super::coerce::parse_bool(s).ok_or_else(|| {
                    ScimError::invalid_filter("'active' compares with true or false")
                })?,
                _ => {
                    return Err(ScimError::invalid_filter(
                        "'active' compares with true or false",
                    ))
                }
            };
            if !matches!(op, Op::Eq | Op::Ne) {
                return Err(ScimError::invalid_filter("booleans support only eq and ne"));
            }
            Cond::Col(Col::Active, op, Val::Bool(b))
        }
        Target::Col(col) => {
            let ms = parse_rfc3339(&text_of(value)?).ok_or_else(|| {
                ScimError::invalid_filter("meta dates compare with an RFC 3339 date-time")
            })?;
            if matches!(op, Op::Co | Op::Sw | Op::Ew) {
                return Err(ScimError::invalid_filter(
                    "dates support eq, ne, gt, ge, lt and le",
                ));
            }
            Cond::Col(col, op, Val::Int(ms))
        }
        Target::Member => {
            if op != Op::Eq {
                return Err(ScimError::invalid_filter(
                    "members support only 'eq' and 'pr'",
                ));
            }
            Cond::Member(text_of(value)?)
        }
        Target::Value(key) => Cond::Value(key, op, fold_identity(&text_of(value)?)),
    })
}

fn lower_value_path(
    schema: &ResourceSchema,
    attr: &AttrPath,
    inner: &ValFilter,
) -> ScimResult<Cond> {
    let unknown = || ScimError::invalid_filter(format!("cannot filter on '{attr}[...]'"));
    let member_attr = if is_group(schema) {
        "members"
    } else {
        "groups"
    };
    if attr.sub_attr.is_none() && attr.name.eq_ignore_ascii_case(member_attr) {
        // members[value eq "id"] (and or-chains of them) is the one supported form.
        return member_value_filter(inner).ok_or_else(unknown);
    }
    if is_group(schema) || attr.sub_attr.is_some() {
        return Err(unknown());
    }
    let r = schema
        .resolve(attr.uri.as_deref(), &attr.name)
        .ok_or_else(unknown)?;
    if r.attr.ty != Ty::Complex || !r.attr.multi {
        return Err(unknown());
    }
    let cond = lower_elem(r.attr, r.ext, inner)?;
    Ok(Cond::Element(value_key(r.ext, r.attr.name, None), cond))
}

fn member_value_filter(f: &ValFilter) -> Option<Cond> {
    match f {
        ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(v)))
            if p.name.eq_ignore_ascii_case("value") && p.sub_attr.is_none() =>
        {
            Some(Cond::Member(v.clone()))
        }
        ValFilter::Or(items) => Some(Cond::Or(
            items
                .iter()
                .map(member_value_filter)
                .collect::<Option<_>>()?,
        )),
        _ => None,
    }
}

fn lower_elem(
    attr: &'static super::schema::Attr,
    ext: Option<&'static str>,
    f: &ValFilter,
) -> ScimResult<ElemCond> {
    let sub_key = |p: &AttrPath| -> ScimResult<String> {
        let sub = attr
            .sub(&p.name)
            .filter(|_| p.sub_attr.is_none())
            .ok_or_else(|| {
                ScimError::invalid_filter(format!("'{}' has no sub-attribute '{p}'", attr.name))
            })?;
        Ok(value_key(ext, attr.name, Some(sub.name)))
    };
    Ok(match f {
        ValFilter::Attr(AttrExp::Present(p)) => ElemCond::Present(sub_key(p)?),
        ValFilter::Attr(AttrExp::Comparison(p, op, v)) => {
            ElemCond::Cmp(sub_key(p)?, op_of(op), fold_identity(&text_of(v)?))
        }
        ValFilter::Not(inner) => ElemCond::Not(Box::new(lower_elem(attr, ext, inner)?)),
        ValFilter::And(items) => ElemCond::And(
            items
                .iter()
                .map(|i| lower_elem(attr, ext, i))
                .collect::<ScimResult<_>>()?,
        ),
        ValFilter::Or(items) => ElemCond::Or(
            items
                .iter()
                .map(|i| lower_elem(attr, ext, i))
                .collect::<ScimResult<_>>()?,
        ),
    })
}

/// The sort key for `sortBy` (RFC 7644 §3.4.2.3); None for attributes that cannot sort.
pub fn sort_key(schema: &ResourceSchema, sort_by: &str) -> Option<SortKey> {
    let path: AttrPath = match sort_by.parse::<scim_v2::filter::PatchPath>().ok()? {
        scim_v2::filter::PatchPath::Attr(p) => p,
        scim_v2::filter::PatchPath::Value(_) => return None,
    };
    match target(schema, &path).ok()? {
        Target::Col(c) => Some(SortKey::Col(c)),
        Target::Value(k) => Some(SortKey::Value(k)),
        Target::Member => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use crate::scim::schema::USER;

    #[test]
    fn user_name_equality_uses_the_lowercased_column() {
        let c = parse(&USER, r#"userName eq "BJensen""#).expect("parsed");
        assert_eq!(
            c,
            Cond::Col(Col::UserNameLc, Op::Eq, Val::Text("bjensen".into()))
        );
    }

    #[test]
    fn json_escapes_in_values_are_decoded() {
        let c = parse(&USER, r#"externalId eq "auth0\u007c123""#).expect("parsed");
        assert_eq!(
            c,
            Cond::Col(Col::ExternalId, Op::Eq, Val::Text("auth0|123".into()))
        );
    }

    #[test]
    fn entra_value_path_with_sub_attribute_comparison_is_accepted() {
        let c = parse(&USER, r#"emails[type eq "work"].value eq "A@x.com""#).expect("parsed");
        let Cond::Element(attr, ElemCond::And(parts)) = c else {
            panic!("element")
        };
        assert_eq!(attr, "emails");
        assert_eq!(
            parts[1],
            ElemCond::Cmp("emails.value".into(), Op::Eq, "a@x.com".into())
        );
    }

    #[test]
    fn extension_attributes_and_precedence_lower() {
        let c = parse(
            &USER,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7" or title pr and not (active eq false)"#,
        )
        .expect("parsed");
        let Cond::Or(parts) = c else { panic!("or") };
        assert!(matches!(&parts[1], Cond::And(_)));
    }

    #[test]
    fn unknown_attributes_and_garbage_are_invalid_filters() {
        for f in [
            "nope eq 1",
            "userName eq",
            "userName xx \"a\"",
            "password eq \"x\"",
            "(userName eq \"a\"",
        ] {
            let err = parse(&USER, f).expect_err(f);
            assert_eq!(err.scim_type, Some(ScimType::InvalidFilter), "{f}");
        }
    }

    #[test]
    fn group_membership_test_of_entra_lowers_to_member_lookup() {
        let c = parse(&GROUP, r#"id eq "g1" and members eq "u1""#).expect("parsed");
        assert_eq!(
            c,
            Cond::And(vec![
                Cond::Col(Col::Id, Op::Eq, Val::Text("g1".into())),
                Cond::Member("u1".into())
            ])
        );
    }
}
