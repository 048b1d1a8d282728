//! Discovery (RFC 7644 §4, RFC 7643 §5-7): ServiceProviderConfig telling what axid really
//! implements, Schemas generated from the attribute table, ResourceTypes.

use serde_json::{json, Value};

use super::list::MAX_RESULTS;
use super::schema::{Attr, Mutability, ResourceSchema, Returned, GROUP, USER};

const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

fn meta(base: &str, kind: &str, path: &str) -> Value {
    json!({"resourceType": kind, "location": format!("{base}/{path}")})
}

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A SCIM token of the organization (axs_...), created in the portal",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    })
}

fn attr_json(a: &Attr) -> Value {
    let mut v = json!({
        "name": a.name,
        "type": a.ty.as_str(),
        "multiValued": a.multi,
        "description": a.description,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": match a.mutability {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::WriteOnly => "writeOnly",
        },
        "returned": match a.returned {
            Returned::Always => "always",
            Returned::Default => "default",
            Returned::Never => "never",
        },
        "uniqueness": if a.unique { "server" } else { "none" },
    });
    if let Some(map) = v.as_object_mut() {
        if !a.sub.is_empty() {
            map.insert(
                "subAttributes".into(),
                a.sub.iter().map(attr_json).collect(),
            );
        }
        if a.ty == super::schema::Ty::Reference {
            let types = if a.name == "$ref" {
                json!(["User", "Group"])
            } else {
                json!(["external"])
            };
            map.insert("referenceTypes".into(), types);
        }
    }
    v
}

fn schema_json(base: &str, id: &str, name: &str, description: &str, attrs: &[Attr]) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attrs.iter().map(attr_json).collect::<Vec<_>>(),
        "meta": meta(base, "Schema", &format!("Schemas/{id}")),
    })
}

pub fn schemas(base: &str) -> Vec<Value> {
    let mut out = vec![
        schema_json(base, USER.core_urn, "User", "User Account", USER.core),
        schema_json(base, GROUP.core_urn, "Group", "Group", GROUP.core),
    ];
    for (urn, attrs) in USER.extensions {
        out.push(schema_json(
            base,
            urn,
            "EnterpriseUser",
            "Enterprise User",
            attrs,
        ));
    }
    out
}

fn resource_type(base: &str, s: &ResourceSchema) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": s.name,
        "name": s.name,
        "endpoint": format!("/{}", s.endpoint),
        "description": s.name,
        "schema": s.core_urn,
        "schemaExtensions": s.extensions.iter().map(|(urn, _)| json!({"schema": urn, "required": false})).collect::<Vec<_>>(),
        "meta": meta(base, "ResourceType", &format!("ResourceTypes/{}", s.name)),
    })
}

pub fn resource_types(base: &str) -> Vec<Value> {
    vec![resource_type(base, &USER), resource_type(base, &GROUP)]
}

/// The one item of `items` whose `id` equals `id` (case-insensitively, as URNs are).
pub fn find(items: Vec<Value>, id: &str) -> Option<Value> {
    items.into_iter().find(|v| {
        v.get("id")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(id))
    })
}

pub fn list(items: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": items.len(),
        "startIndex": 1,
        "itemsPerPage": items.len(),
        "Resources": items,
    })
}
