//! The searchable values of a user (rows of `scim_values`): every attribute without a
//! column of its own, lowercased, with element indexes for multi-valued attributes, so any
//! filter is answered from an index (see `store::dir_query`).

use serde_json::{Map, Value};

use super::schema::{value_key, Attr, Ty, USER};
use crate::domain::fold_identity;
use crate::store::IndexValue;

/// Values longer than this are indexed by their prefix (B-tree entries have a size limit).
const MAX_INDEXED_CHARS: usize = 512;
/// Attributes with columns of their own (see `store::dir_query::Col`).
const COLUMNS: &[&str] = &["userName", "externalId", "active"];

pub fn user_values(doc: &Map<String, Value>) -> Vec<IndexValue> {
    let mut out = Vec::new();
    for attr in USER.core.iter().filter(|a| !COLUMNS.contains(&a.name)) {
        if let Some(v) = doc.get(attr.name) {
            push_attr(&mut out, None, attr, v);
        }
    }
    for (urn, attrs) in USER.extensions {
        if let Some(Value::Object(ext)) = doc.get(*urn) {
            for attr in attrs.iter() {
                if let Some(v) = ext.get(attr.name) {
                    push_attr(&mut out, Some(urn), attr, v);
                }
            }
        }
    }
    out
}

fn text(v: &Value) -> Option<String> {
    let t = match v {
        Value::String(s) => fold_identity(s),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(t.chars().take(MAX_INDEXED_CHARS).collect())
}

fn push_attr(out: &mut Vec<IndexValue>, ext: Option<&str>, attr: &Attr, v: &Value) {
    match (attr.ty, attr.multi, v) {
        (Ty::Complex, true, Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let elem = i64::try_from(i).unwrap_or(i64::MAX);
                out.push((value_key(ext, attr.name, None), elem, String::new()));
                if let Value::Object(o) = item {
                    for sub in attr.sub {
                        if let Some(t) = o.get(sub.name).and_then(text) {
                            out.push((value_key(ext, attr.name, Some(sub.name)), elem, t));
                        }
                    }
                }
            }
        }
        (Ty::Complex, false, Value::Object(o)) => {
            for sub in attr.sub {
                if let Some(t) = o.get(sub.name).and_then(text) {
                    out.push((value_key(ext, attr.name, Some(sub.name)), 0, t));
                }
            }
        }
        (_, _, v) => {
            if let Some(t) = text(v) {
                out.push((value_key(ext, attr.name, None), 0, t));
            }
        }
    }
}

/// The address used for `users.email_lc`: the primary email, else the first.
pub fn primary_email(doc: &Map<String, Value>) -> Option<String> {
    let emails = doc.get("emails")?.as_array()?;
    let primary = emails
        .iter()
        .find(|e| e.get("primary") == Some(&Value::Bool(true)))
        .or(emails.first())?;
    primary.get("value")?.as_str().map(fold_identity)
}
