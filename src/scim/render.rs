//! Resource representations: `id`, `schemas` and `meta` (RFC 7643 §3.1) around the stored
//! attributes, ETags (RFC 7644 §3.14), and `attributes`/`excludedAttributes` (§3.9).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::error::{ScimError, ScimResult, SCIM_JSON};
use super::schema::{ResourceSchema, ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER, USER_SCHEMA};
use crate::clock::rfc3339;
use crate::store::{GroupRecord, MemberRow, UserGroupRow, UserRecord};

pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// True when an `If-Match` header value names `version` (or is `*`).
pub fn if_match_ok(header: Option<&str>, version: i64) -> bool {
    let Some(header) = header else { return true };
    header.split(',').map(str::trim).any(|tag| {
        tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == version.to_string()
    })
}

fn stored(resource: &str) -> ScimResult<Map<String, Value>> {
    serde_json::from_str(resource).map_err(|e| {
        tracing::error!(error = %e, "stored SCIM resource is not a JSON object");
        ScimError::internal()
    })
}

fn meta(kind: &str, location: String, created: i64, modified: i64, version: i64) -> Value {
    json!({
        "resourceType": kind,
        "created": rfc3339(created),
        "lastModified": rfc3339(modified),
        "location": location,
        "version": etag(version),
    })
}

pub fn user(base: &str, rec: &UserRecord, groups: &[&UserGroupRow]) -> ScimResult<Value> {
    let mut obj = stored(&rec.resource)?;
    let mut schemas = vec![Value::from(USER_SCHEMA)];
    if obj.contains_key(ENTERPRISE_SCHEMA) {
        schemas.push(ENTERPRISE_SCHEMA.into());
    }
    obj.insert("schemas".into(), Value::Array(schemas));
    obj.insert("id".into(), rec.id.clone().into());
    obj.insert("userName".into(), rec.user_name.clone().into());
    if !groups.is_empty() {
        let list: Vec<Value> = groups
            .iter()
            .map(|g| json!({"value": g.group_id, "display": g.display_name, "$ref": format!("{base}/Groups/{}", g.group_id), "type": "direct"}))
            .collect();
        obj.insert("groups".into(), Value::Array(list));
    }
    let location = format!("{base}/Users/{}", rec.id);
    obj.insert(
        "meta".into(),
        meta(
            "User",
            location,
            rec.created_at,
            rec.updated_at,
            rec.version,
        ),
    );
    Ok(Value::Object(obj))
}

pub fn group(base: &str, rec: &GroupRecord, members: Option<&[MemberRow]>) -> ScimResult<Value> {
    let mut obj = stored(&rec.resource)?;
    obj.insert("schemas".into(), json!([GROUP_SCHEMA]));
    obj.insert("id".into(), rec.id.clone().into());
    obj.insert("displayName".into(), rec.display_name.clone().into());
    if let Some(members) = members {
        let list: Vec<Value> = members
            .iter()
            .map(|m| {
                let mut v = json!({"value": m.id, "$ref": format!("{base}/Users/{}", m.id)});
                if let Some(t) = &m.member_type {
                    v["type"] = t.clone().into();
                }
                if let Some(d) = &m.member_display {
                    v["display"] = d.clone().into();
                }
                v
            })
            .collect();
        obj.insert("members".into(), Value::Array(list));
    }
    let location = format!("{base}/Groups/{}", rec.id);
    obj.insert(
        "meta".into(),
        meta(
            "Group",
            location,
            rec.created_at,
            rec.updated_at,
            rec.version,
        ),
    );
    Ok(Value::Object(obj))
}

pub fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(SCIM_JSON)
        .body(body.to_string())
}

/// A single resource, with its ETag and (for 201) Location.
pub fn resource_response(status: StatusCode, body: &Value, version: i64) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type(SCIM_JSON)
        .insert_header(("ETag", etag(version)));
    if status == StatusCode::CREATED {
        if let Some(loc) = body.pointer("/meta/location").and_then(Value::as_str) {
            res.insert_header(("Location", loc.to_owned()));
        }
    }
    res.body(body.to_string())
}

/// One requested or excluded attribute: (extension URN, canonical name, sub-attribute).
type Sel = (Option<&'static str>, &'static str, Option<&'static str>);

#[derive(Debug, Default)]
pub struct Projection {
    attributes: Vec<Sel>,
    excluded: Vec<Sel>,
}

fn parse_list(schema: &ResourceSchema, text: Option<&str>) -> Vec<Sel> {
    let Some(text) = text else { return Vec::new() };
    text.split(',')
        .filter_map(|item| {
            let item = item.trim();
            if let Some((urn, _)) = schema.extension(item) {
                return Some((Some(urn), "", None));
            }
            let path = match item.parse::<scim_v2::filter::PatchPath>().ok()? {
                scim_v2::filter::PatchPath::Attr(p) => p,
                scim_v2::filter::PatchPath::Value(_) => return None,
            };
            let name = &path.name;
            if path
                .uri
                .as_deref()
                .is_none_or(|u| u.eq_ignore_ascii_case(schema.core_urn))
            {
                for fixed in ["id", "meta", "schemas"] {
                    if name.eq_ignore_ascii_case(fixed) {
                        return Some((None, fixed, None));
                    }
                }
            }
            let r = schema.resolve(path.uri.as_deref(), name)?;
            let sub = match &path.sub_attr {
                Some(s) => Some(r.attr.sub(s)?.name),
                None => None,
            };
            Some((r.ext, r.attr.name, sub))
        })
        .collect()
}

impl Projection {
    pub fn new(schema: &ResourceSchema, attributes: Option<&str>, excluded: Option<&str>) -> Self {
        Self {
            attributes: parse_list(schema, attributes),
            excluded: parse_list(schema, excluded),
        }
    }

    /// Whether the top-level attribute `name` can appear in the answer (to skip loading it).
    pub fn wants(&self, name: &str) -> bool {
        if self
            .excluded
            .iter()
            .any(|(e, n, s)| e.is_none() && *n == name && s.is_none())
        {
            return false;
        }
        self.attributes.is_empty()
            || self
                .attributes
                .iter()
                .any(|(e, n, _)| e.is_none() && *n == name)
    }

    pub fn apply(&self, full: Value) -> Value {
        let Value::Object(mut full) = full else {
            return full;
        };
        if !self.attributes.is_empty() {
            let mut out = Map::new();
            for key in ["id", "schemas"] {
                if let Some(v) = full.get(key) {
                    out.insert(key.into(), v.clone());
                }
            }
            for (ext, name, sub) in &self.attributes {
                let src = match ext {
                    None => Some(&full),
                    Some(urn) => full.get(*urn).and_then(Value::as_object),
                };
                let Some(src) = src else { continue };
                let picked = if name.is_empty() {
                    Some(Value::Object(src.clone()))
                } else {
                    pick(src, name, *sub)
                };
                let Some(picked) = picked else { continue };
                let dst = match ext {
                    None => &mut out,
                    Some(urn) if name.is_empty() => {
                        out.insert((*urn).to_owned(), picked);
                        continue;
                    }
                    Some(urn) => match out
                        .entry((*urn).to_owned())
                        .or_insert_with(|| Value::Object(Map::new()))
                    {
                        Value::Object(m) => m,
                        _ => continue,
                    },
                };
                merge_into(dst, name, picked);
            }
            full = out;
        }
        for (ext, name, sub) in &self.excluded {
            if matches!(*name, "id" | "schemas") {
                continue;
            }
            let container = match ext {
                None => Some(&mut full),
                Some(urn) if name.is_empty() => {
                    full.remove(*urn);
                    continue;
                }
                Some(urn) => full.get_mut(*urn).and_then(Value::as_object_mut),
            };
            let Some(container) = container else { continue };
            match sub {
                None => {
                    container.remove(*name);
                }
                Some(sub) => match container.get_mut(*name) {
                    Some(Value::Object(o)) => {
                        o.remove(*sub);
                    }
                    Some(Value::Array(items)) => items
                        .iter_mut()
                        .filter_map(Value::as_object_mut)
                        .for_each(|o| {
                            o.remove(*sub);
                        }),
                    _ => {}
                },
            }
        }
        Value::Object(full)
    }
}

fn pick(src: &Map<String, Value>, name: &str, sub: Option<&str>) -> Option<Value> {
    let v = src.get(name)?;
    let Some(sub) = sub else {
        return Some(v.clone());
    };
    match v {
        Value::Object(o) => Some(single(sub, o.get(sub)?)),
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|i| {
                    i.get(sub)
                        .map(|s| single(sub, s))
                        .unwrap_or_else(|| Value::Object(Map::new()))
                })
                .collect(),
        )),
        _ => None,
    }
}

fn single(key: &str, value: &Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_owned(), value.clone());
    Value::Object(m)
}

/// Merges a picked attribute into the answer; element-wise for multi-valued attributes
/// (`attributes=emails.value,emails.type`).
fn merge_into(dst: &mut Map<String, Value>, name: &str, picked: Value) {
    match (dst.get_mut(name), picked) {
        (Some(Value::Object(a)), Value::Object(b)) => a.extend(b),
        (Some(Value::Array(a)), Value::Array(b)) if a.len() == b.len() => {
            for (x, y) in a.iter_mut().zip(b) {
                if let (Value::Object(x), Value::Object(y)) = (x, y) {
                    x.extend(y);
                }
            }
        }
        (_, picked) => {
            dst.insert(name.to_owned(), picked);
        }
    }
}

pub fn user_projection(attributes: Option<&str>, excluded: Option<&str>) -> Projection {
    Projection::new(&USER, attributes, excluded)
}
