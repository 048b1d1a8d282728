//! The PATCH engine (RFC 7644 §3.5.2): parses a PatchOp request, then applies every
//! operation to a copy of the resource; the caller stores the result (and the member
//! changes, one INSERT or DELETE per member) in one transaction, so a request is atomic.

mod apply;
mod members;
mod select;
#[cfg(test)]
mod tests;

pub use apply::{apply, Outcome};
pub use members::{members_of, Member, MemberOp};

use scim_v2::filter::PatchPath;
use serde_json::Value;

use super::adapters;
use super::error::{ScimError, ScimResult};

pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Add,
    Replace,
    Remove,
}

#[derive(Debug)]
pub struct PatchOp {
    pub kind: Kind,
    pub path: Option<PatchPath>,
    /// The raw path text (for error messages).
    pub path_text: Option<String>,
    pub value: Option<Value>,
}

/// The operations of a PatchOp body, op names case-insensitive (Entra sends `Replace`).
pub fn parse_request(body: &Value) -> ScimResult<Vec<PatchOp>> {
    let Value::Object(obj) = body else {
        return Err(ScimError::invalid_syntax(
            "the PATCH body must be a JSON object",
        ));
    };
    let schemas_ok = obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("schemas"))
        .and_then(|(_, v)| v.as_array())
        .is_some_and(|a| {
            a.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_SCHEMA))
            })
        });
    if !schemas_ok {
        return Err(ScimError::invalid_syntax(format!(
            "'schemas' must contain {PATCH_SCHEMA}"
        )));
    }
    let ops = obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Operations"))
        .and_then(|(_, v)| v.as_array())
        .ok_or_else(|| ScimError::invalid_syntax("'Operations' must be an array of operations"))?;
    if ops.is_empty() {
        return Err(ScimError::invalid_syntax("'Operations' is empty"));
    }
    ops.iter().map(parse_op).collect()
}

fn parse_op(op: &Value) -> ScimResult<PatchOp> {
    let Value::Object(op) = op else {
        return Err(ScimError::invalid_syntax(
            "each operation must be a JSON object",
        ));
    };
    let mut op = op.clone();
    adapters::normalize_patch(&mut op);
    let kind = match op.get("op").and_then(Value::as_str) {
        Some("add") => Kind::Add,
        Some("replace") => Kind::Replace,
        Some("remove") => Kind::Remove,
        _ => {
            return Err(ScimError::invalid_syntax(
                "'op' must be add, replace or remove",
            ))
        }
    };
    let path_text = match op.get("path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ScimError::invalid_path("'path' must be a string")),
    };
    let path = match &path_text {
        None => None,
        Some(text) => Some(text.parse::<PatchPath>().map_err(|_| {
            ScimError::invalid_path(format!("'{text}' is not a valid attribute path"))
        })?),
    };
    let value = op.remove("value").filter(|v| !v.is_null());
    // `replace` with a null value clears the attribute (RFC 7643 §2.5: null is unassigned).
    let kind = if kind == Kind::Replace && value.is_none() && path.is_some() {
        Kind::Remove
    } else {
        kind
    };
    if kind == Kind::Remove && path.is_none() {
        return Err(ScimError::no_target("'remove' needs a path"));
    }
    if kind != Kind::Remove && value.is_none() {
        return Err(ScimError::invalid_value(format!(
            "'{}' needs a value",
            op.get("op").and_then(Value::as_str).unwrap_or("op")
        )));
    }
    Ok(PatchOp {
        kind,
        path,
        path_text,
        value,
    })
}
