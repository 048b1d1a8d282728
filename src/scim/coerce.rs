//! Turns a client's resource body into axid's canonical form (RFC 7643 §2): attribute names
//! in the schema's case, `null` and empty strings treated as absent, read-only and unknown
//! attributes dropped (RFC 7644 §3.3, §3.5.1), string booleans accepted, wrong types refused
//! with 400 invalidValue. `password` is never kept (axid is not a password store).

use serde_json::{Map, Value};

use super::error::{ScimError, ScimResult};
use super::schema::{Attr, Mutability, ResourceSchema, Ty};

/// The canonical attributes of `body` (without `id`, `meta` and `schemas`).
pub fn coerce_resource(schema: &ResourceSchema, body: &Value) -> ScimResult<Map<String, Value>> {
    let Value::Object(obj) = body else {
        return Err(ScimError::invalid_syntax(
            "the request body must be a JSON object",
        ));
    };
    let mut out = Map::new();
    for (key, value) in obj {
        if ["schemas", "id", "meta"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
        {
            continue;
        }
        if let Some((urn, attrs)) = schema.extension(key) {
            match value {
                Value::Null => {}
                Value::Object(inner) => {
                    let ext = coerce_attrs(attrs, inner)?;
                    if !ext.is_empty() {
                        out.insert(urn.to_owned(), Value::Object(ext));
                    }
                }
                _ => {
                    return Err(ScimError::invalid_value(format!(
                        "the extension {urn} must be a JSON object"
                    )))
                }
            }
            continue;
        }
        // A core attribute named with its schema URN ("urn:...:User:userName").
        let name = strip_core_urn(schema, key);
        if let Some(attr) = schema
            .core
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
        {
            if let Some(v) = coerce_value(attr, value)? {
                out.insert(attr.name.to_owned(), v);
            }
        }
    }
    Ok(out)
}

pub fn strip_core_urn<'k>(schema: &ResourceSchema, key: &'k str) -> &'k str {
    match key.rsplit_once(':') {
        Some((urn, name)) if urn.eq_ignore_ascii_case(schema.core_urn) => name,
        _ => key,
    }
}

fn coerce_attrs(
    attrs: &'static [Attr],
    obj: &Map<String, Value>,
) -> ScimResult<Map<String, Value>> {
    let mut out = Map::new();
    for (key, value) in obj {
        if let Some(attr) = attrs.iter().find(|a| a.name.eq_ignore_ascii_case(key)) {
            if let Some(v) = coerce_value(attr, value)? {
                out.insert(attr.name.to_owned(), v);
            }
        }
    }
    Ok(out)
}

/// One attribute's value in canonical form; `None` when it is absent or must not be kept.
pub fn coerce_value(attr: &'static Attr, value: &Value) -> ScimResult<Option<Value>> {
    if value.is_null() || attr.read_only() || attr.mutability == Mutability::WriteOnly {
        return Ok(None);
    }
    if !attr.multi {
        return coerce_single(attr, value);
    }
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Some(v) = coerce_single(attr, item)? {
            out.push(v);
        }
    }
    Ok(if out.is_empty() {
        None
    } else {
        Some(Value::Array(out))
    })
}

/// One value (an element, for multi-valued attributes) of `attr`.
pub fn coerce_single(attr: &'static Attr, value: &Value) -> ScimResult<Option<Value>> {
    let wrong = || {
        ScimError::invalid_value(format!(
            "'{}' must be of type {}{}",
            attr.name,
            attr.ty.as_str(),
            if attr.multi { " (multi-valued)" } else { "" }
        ))
    };
    Ok(match (attr.ty, value) {
        (_, Value::Null) => None,
        (Ty::Complex, Value::Object(obj)) => {
            let inner = coerce_attrs(attr.sub, obj)?;
            (!inner.is_empty()).then_some(Value::Object(inner))
        }
        // A bare value for a complex attribute with a `value` sub-attribute is that value
        // (Entra sends `manager` as "<id>", OneLogin roles as strings).
        (Ty::Complex, Value::String(s)) if attr.sub("value").is_some() => {
            (!s.is_empty()).then(|| serde_json::json!({ "value": s }))
        }
        // Entra sends the single-valued `manager` as `[{"value": "<id>"}]`.
        (Ty::Complex, Value::Array(items)) if !attr.multi && items.len() <= 1 => {
            match items.first() {
                Some(first) => return coerce_single(attr, first),
                None => None,
            }
        }
        (Ty::Complex, _) => return Err(wrong()),
        (Ty::Boolean, Value::Bool(b)) => Some(Value::Bool(*b)),
        (Ty::Boolean, Value::String(s)) => Some(Value::Bool(parse_bool(s).ok_or_else(wrong)?)),
        (Ty::Boolean, _) => return Err(wrong()),
        (Ty::Integer, Value::Number(n)) if n.is_i64() => Some(value.clone()),
        (Ty::Integer, _) => return Err(wrong()),
        (_, Value::String(s)) => (!s.is_empty()).then(|| value.clone()),
        _ => return Err(wrong()),
    })
}

/// `true`/`false` in any case (Entra sends "True"/"False", OneLogin templates "true").
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.trim().eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.trim().eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Required attributes present (RFC 7643 §2.2 "required").
pub fn check_required(schema: &ResourceSchema, obj: &Map<String, Value>) -> ScimResult<()> {
    for attr in schema.core.iter().filter(|a| a.required) {
        if !obj.contains_key(attr.name) {
            return Err(ScimError::invalid_value(format!(
                "'{}' is required",
                attr.name
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::{ENTERPRISE_SCHEMA, USER};
    use serde_json::json;

    #[test]
    fn names_are_canonicalised_and_nulls_read_only_and_unknown_attributes_dropped() {
        let body = json!({"USERNAME": "a", "Active": "False", "nickName": null, "groups": [],
            "password": "x", "foo": 1, "meta": {"x": 1},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"EmployeeNumber": "7"}});
        let got = coerce_resource(&USER, &body).expect("coerced");
        assert_eq!(
            Value::Object(got),
            json!({"userName": "a", "active": false, ENTERPRISE_SCHEMA: {"employeeNumber": "7"}})
        );
    }

    #[test]
    fn wrong_types_are_invalid_values() {
        let err = coerce_resource(&USER, &json!({"userName": 5})).expect_err("type");
        assert_eq!(
            err.scim_type,
            Some(super::super::error::ScimType::InvalidValue)
        );
        assert!(coerce_resource(&USER, &json!({"userName": "a", "active": "maybe"})).is_err());
    }
}
