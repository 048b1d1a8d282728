//! Applies PATCH operations to a canonical resource document (RFC 7644 §3.5.2.1-3).
//! Group membership is not part of the document: `members` operations come out as
//! per-member changes for the store.

use scim_v2::filter::{AttrPath, PatchPath, ValFilter};
use serde_json::{Map, Value};

use super::select;
use super::{Kind, PatchOp};
use crate::scim::adapters;
use crate::scim::coerce::{check_required, coerce_single, coerce_value};
use crate::scim::error::{ScimError, ScimResult};
use crate::scim::schema::{Attr, AttrRef, ResourceSchema, Ty, GROUP};

use super::members::MemberOp;

#[derive(Debug)]
pub struct Outcome {
    pub doc: Map<String, Value>,
    pub members: Vec<MemberOp>,
}

/// A path resolved against the schema.
struct Target {
    at: AttrRef,
    sub: Option<&'static Attr>,
    filter: Option<ValFilter>,
}

pub fn apply(
    schema: &ResourceSchema,
    own_id: &str,
    doc: Map<String, Value>,
    ops: Vec<PatchOp>,
) -> ScimResult<Outcome> {
    let mut out = Outcome {
        doc,
        members: Vec::new(),
    };
    for op in ops {
        match &op.path {
            Some(path) => {
                let text = op.path_text.as_deref().unwrap_or_default();
                if let Some((urn, _)) = schema.extension(text) {
                    whole_extension(schema, &mut out, op.kind, urn, op.value, true)?;
                    continue;
                }
                apply_path(schema, &mut out, op.kind, path, text, op.value.as_ref())?;
            }
            None => {
                let Some(Value::Object(mut value)) = op.value else {
                    return Err(ScimError::invalid_value(
                        "an operation without a path needs an object value",
                    ));
                };
                adapters::drop_own_id(&mut value, own_id);
                for (key, v) in value {
                    if let Some((urn, _)) = schema.extension(&key) {
                        // Pathless: the extension's attributes merge (Entra with the flag).
                        whole_extension(schema, &mut out, op.kind, urn, Some(v), false)?;
                        continue;
                    }
                    let path = parse_key(&key)?;
                    apply_path(schema, &mut out, op.kind, &path, &key, Some(&v))?;
                }
            }
        }
    }
    check_required(schema, &out.doc)?;
    Ok(out)
}

/// An operation on a whole extension (`urn:...:enterprise:2.0:User`): remove drops it, add
/// applies each attribute of the value object, replace too after clearing the extension
/// when `replace_whole` (a path naming the extension, RFC 7644 §3.5.2.3).
fn whole_extension(
    schema: &ResourceSchema,
    out: &mut Outcome,
    kind: Kind,
    urn: &'static str,
    value: Option<Value>,
    replace_whole: bool,
) -> ScimResult<()> {
    if kind == Kind::Remove {
        out.doc.remove(urn);
        return Ok(());
    }
    let Some(Value::Object(inner)) = value else {
        return Err(ScimError::invalid_value(format!("{urn} must be an object")));
    };
    if kind == Kind::Replace && replace_whole {
        out.doc.remove(urn);
    }
    // scim2-models sends the extension object with its own `schemas`: not an attribute.
    for (k, v) in inner
        .into_iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("schemas"))
    {
        let text = format!("{urn}:{k}");
        let path = parse_key(&text)?;
        apply_path(schema, out, kind, &path, &text, Some(&v))?;
    }
    Ok(())
}

fn parse_key(key: &str) -> ScimResult<PatchPath> {
    key.parse()
        .map_err(|_| ScimError::invalid_path(format!("'{key}' is not a valid attribute path")))
}

fn is_group(schema: &ResourceSchema) -> bool {
    std::ptr::eq(schema, &GROUP)
}

fn resolve(schema: &ResourceSchema, path: &PatchPath, text: &str) -> ScimResult<Target> {
    let (ap, filter, trailing): (&AttrPath, Option<ValFilter>, Option<&str>) = match path {
        PatchPath::Attr(a) => (a, None, None),
        PatchPath::Value(v) => (&v.attr, Some(v.filter.clone()), v.sub_attr.as_deref()),
    };
    let core = ap
        .uri
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(schema.core_urn));
    if core
        && ["id", "meta", "schemas"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&ap.name))
    {
        return Err(ScimError::mutability(format!("'{text}' is read-only")));
    }
    let at = schema.resolve(ap.uri.as_deref(), &ap.name).ok_or_else(|| {
        ScimError::invalid_path(format!("'{text}' is not an attribute of {}", schema.name))
    })?;
    if at.attr.read_only() {
        return Err(ScimError::mutability(format!("'{text}' is read-only")));
    }
    let sub_name = match (ap.sub_attr.as_deref(), trailing) {
        (Some(_), Some(_)) => {
            return Err(ScimError::invalid_path(format!(
                "'{text}' is not a valid path"
            )))
        }
        (s, None) | (None, s) => s,
    };
    if filter.is_some() && ap.sub_attr.is_some() {
        return Err(ScimError::invalid_path(format!(
            "'{text}' is not a valid path"
        )));
    }
    if filter.is_some() && !(at.attr.multi && at.attr.ty == Ty::Complex) {
        return Err(ScimError::invalid_path(format!(
            "'{text}': only multi-valued attributes take a filter"
        )));
    }
    let sub = match sub_name {
        None => None,
        Some(s) => {
            let sub = at.attr.sub(s).ok_or_else(|| {
                ScimError::invalid_path(format!("'{text}' is not an attribute of {}", schema.name))
            })?;
            if sub.read_only() {
                return Err(ScimError::mutability(format!("'{text}' is read-only")));
            }
            Some(sub)
        }
    };
    Ok(Target { at, sub, filter })
}

fn apply_path(
    schema: &ResourceSchema,
    out: &mut Outcome,
    kind: Kind,
    path: &PatchPath,
    text: &str,
    value: Option<&Value>,
) -> ScimResult<()> {
    let t = resolve(schema, path, text)?;
    if is_group(schema) && t.at.attr.name == "members" {
        let (filter, has_sub) = (t.filter.as_ref(), t.sub.is_some());
        return super::members::apply(&mut out.members, kind, filter, has_sub, text, value);
    }
    let container = match t.at.ext {
        None => &mut out.doc,
        Some(urn) => object_at(&mut out.doc, urn)?,
    };
    let attr = t.at.attr;
    match (&t.filter, kind) {
        (Some(f), _) => filtered(container, attr, f, t.sub, kind, value, text)?,
        (None, Kind::Remove) => remove(container, attr, t.sub, value, text)?,
        (None, _) => set(container, attr, t.sub, kind, value, text)?,
    }
    if let Some(urn) = t.at.ext {
        if out
            .doc
            .get(urn)
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
        {
            out.doc.remove(urn);
        }
    }
    Ok(())
}

/// add / replace without a filter.
fn set(
    container: &mut Map<String, Value>,
    attr: &'static Attr,
    sub: Option<&'static Attr>,
    kind: Kind,
    value: Option<&Value>,
    text: &str,
) -> ScimResult<()> {
    let value = value.ok_or_else(|| ScimError::invalid_value(format!("'{text}' needs a value")))?;
    if let Some(sub) = sub {
        if attr.multi {
            return Err(ScimError::invalid_path(format!(
                "'{text}': select elements with a filter, e.g. {}[type eq \"work\"].{}",
                attr.name, sub.name
            )));
        }
        let v = coerce_single(sub, value)?;
        let obj = object_at(container, attr.name)?;
        match v {
            Some(v) => {
                obj.insert(sub.name.to_owned(), v);
            }
            None => {
                obj.remove(sub.name);
            }
        }
        drop_if_empty(container, attr.name);
        return Ok(());
    }
    let Some(new) = coerce_value(attr, value)? else {
        container.remove(attr.name);
        return Ok(());
    };
    match (attr.multi, attr.ty, kind) {
        (true, _, Kind::Add) => {
            let list = array_at(container, attr.name)?;
            for item in new.as_array().cloned().unwrap_or_default() {
                if !list.contains(&item) {
                    list.push(item);
                }
            }
        }
        (false, Ty::Complex, _) => {
            let obj = object_at(container, attr.name)?;
            if let Value::Object(new) = new {
                obj.extend(new);
            }
        }
        _ => {
            container.insert(attr.name.to_owned(), new);
        }
    }
    Ok(())
}

fn remove(
    container: &mut Map<String, Value>,
    attr: &'static Attr,
    sub: Option<&'static Attr>,
    value: Option<&Value>,
    text: &str,
) -> ScimResult<()> {
    match (sub, attr.multi, value) {
        (Some(sub), false, _) => {
            if let Some(Value::Object(obj)) = container.get_mut(attr.name) {
                obj.remove(sub.name);
            }
            drop_if_empty(container, attr.name);
        }
        (Some(_), true, _) => {
            return Err(ScimError::invalid_path(format!(
                "'{text}': select elements with a filter"
            )));
        }
        // Entra: remove with a value array removes those values only (not RFC, but unambiguous).
        (None, true, Some(v)) => {
            let gone = coerce_value(attr, v)?
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default();
            if let Some(Value::Array(list)) = container.get_mut(attr.name) {
                list.retain(|item| !gone.iter().any(|g| same_element(g, item)));
            }
            drop_if_empty(container, attr.name);
        }
        _ => {
            container.remove(attr.name);
        }
    }
    Ok(())
}

fn same_element(a: &Value, b: &Value) -> bool {
    match (a.get("value"), b.get("value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn filtered(
    container: &mut Map<String, Value>,
    attr: &'static Attr,
    f: &ValFilter,
    sub: Option<&'static Attr>,
    kind: Kind,
    value: Option<&Value>,
    text: &str,
) -> ScimResult<()> {
    let list = array_at(container, attr.name)?;
    let hits: Vec<usize> = list
        .iter()
        .enumerate()
        .filter(|(_, e)| e.as_object().is_some_and(|o| select::matches(attr, o, f)))
        .map(|(i, _)| i)
        .collect();
    if kind == Kind::Remove {
        for &i in hits.iter().rev() {
            match sub {
                None => {
                    list.remove(i);
                }
                Some(sub) => {
                    if let Some(Value::Object(o)) = list.get_mut(i) {
                        o.remove(sub.name);
                    }
                }
            }
        }
        drop_if_empty(container, attr.name);
        return Ok(());
    }
    let value = value.ok_or_else(|| ScimError::invalid_value(format!("'{text}' needs a value")))?;
    let patch: Map<String, Value> = match sub {
        Some(sub) => match coerce_single(sub, value)? {
            Some(v) => Map::from_iter([(sub.name.to_owned(), v)]),
            None => Map::new(),
        },
        None => match coerce_single(attr, value)? {
            Some(Value::Object(o)) => o,
            _ => Map::new(),
        },
    };
    if hits.is_empty() {
        // RFC 7644 §3.5.2.3 says noTarget; Entra expects `emails[type eq "work"].value` to
        // create the work email, so an equality-only filter creates the element it names.
        let pairs = select::eq_pairs(f)
            .ok_or_else(|| ScimError::no_target(format!("'{text}' matched no value")))?;
        let mut elem = Map::new();
        for (k, v) in pairs {
            if let Some(s) = attr.sub(&k) {
                if let Some(v) = coerce_single(s, &v)? {
                    elem.insert(s.name.to_owned(), v);
                }
            }
        }
        elem.extend(patch);
        list.push(Value::Object(elem));
        return Ok(());
    }
    for i in hits {
        if let Some(Value::Object(o)) = list.get_mut(i) {
            o.extend(patch.clone());
        }
    }
    Ok(())
}

fn object_at<'m>(
    container: &'m mut Map<String, Value>,
    name: &str,
) -> ScimResult<&'m mut Map<String, Value>> {
    let entry = container
        .entry(name.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut().ok_or_else(ScimError::internal)
}

fn array_at<'m>(
    container: &'m mut Map<String, Value>,
    name: &str,
) -> ScimResult<&'m mut Vec<Value>> {
    let entry = container
        .entry(name.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    entry.as_array_mut().ok_or_else(ScimError::internal)
}

fn drop_if_empty(container: &mut Map<String, Value>, name: &str) {
    let empty = match container.get(name) {
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    };
    if empty {
        container.remove(name);
    }
}
