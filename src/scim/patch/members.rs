//! PATCH operations on a group's `members` (RFC 7644 §3.5.2), turned into per-member
//! changes: the store inserts or deletes one row per member, never rewrites the list.

use scim_v2::filter::ValFilter;
use serde_json::Value;

use super::Kind;
use crate::scim::error::{ScimError, ScimResult};

pub use crate::store::NewMember as Member;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberOp {
    Add(Member),
    Remove(String),
    Clear,
}

pub fn apply(
    out: &mut Vec<MemberOp>,
    kind: Kind,
    filter: Option<&ValFilter>,
    has_sub: bool,
    text: &str,
    value: Option<&Value>,
) -> ScimResult<()> {
    if has_sub {
        return Err(ScimError::invalid_path(format!(
            "'{text}': members change as a whole, by value"
        )));
    }
    if let Some(f) = filter {
        if kind != Kind::Remove {
            return Err(ScimError::invalid_path(format!(
                "'{text}': add or replace members with a value array"
            )));
        }
        let ids = ids_of_filter(f).ok_or_else(|| {
            ScimError::invalid_filter(format!("'{text}': select members with value eq \"id\""))
        })?;
        out.extend(ids.into_iter().map(MemberOp::Remove));
        return Ok(());
    }
    let list = match value {
        Some(v) => members_of(v)?,
        None => Vec::new(),
    };
    match kind {
        Kind::Add => out.extend(list.into_iter().map(MemberOp::Add)),
        Kind::Replace => {
            out.push(MemberOp::Clear);
            out.extend(list.into_iter().map(MemberOp::Add));
        }
        Kind::Remove if value.is_none() => out.push(MemberOp::Clear),
        // Entra (without aadOptscim062020) removes with a value array: those members only.
        Kind::Remove => out.extend(list.into_iter().map(|m| MemberOp::Remove(m.id))),
    }
    Ok(())
}

/// Each member object (or bare id string) of a members value.
pub fn members_of(value: &Value) -> ScimResult<Vec<Member>> {
    let items: Vec<&Value> = match value {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(|m| match m {
            Value::String(s) => Ok(Member::id(s)),
            Value::Object(o) => {
                let text = |name: &str| {
                    o.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .and_then(|(_, v)| v.as_str())
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                let id = text("value").ok_or_else(|| {
                    ScimError::invalid_value("each member needs a string 'value'")
                })?;
                Ok(Member {
                    id,
                    kind: text("type"),
                    display: text("display"),
                })
            }
            _ => Err(ScimError::invalid_value(
                "members must be objects with a 'value'",
            )),
        })
        .collect()
}

/// `members[value eq "a"]`, or an `or` of such equalities: the ids to remove.
fn ids_of_filter(f: &ValFilter) -> Option<Vec<String>> {
    use scim_v2::filter::{AttrExp, CompValue, CompareOp};
    match f {
        ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(v)))
            if p.name.eq_ignore_ascii_case("value") =>
        {
            Some(vec![v.clone()])
        }
        ValFilter::Or(items) => {
            let mut out = Vec::new();
            for i in items.iter() {
                out.extend(ids_of_filter(i)?);
            }
            Some(out)
        }
        _ => None,
    }
}
