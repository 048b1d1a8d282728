//! Fuzz target for the SCIM PATCH engine (RFC 7644 §3.5.2): any JSON body is parsed as a
//! PatchOp request and applied to a User and a Group document. Nothing panics; a request
//! either applies or is refused with a SCIM error.
#![no_main]

use axid::scim::schema::{GROUP, USER};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

fn user() -> Map<String, Value> {
    let doc = json!({
        "userName": "ada@acme.test", "active": true,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": "ada@acme.test", "type": "work", "primary": true}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}
    });
    doc.as_object().cloned().unwrap_or_default()
}

fn group() -> Map<String, Value> {
    let doc = json!({"displayName": "Engineering", "members": [{"value": "u1"}, {"value": "u2"}]});
    doc.as_object().cloned().unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else { return };
    for (schema, id, doc) in [(&USER, "u0", user()), (&GROUP, "g0", group())] {
        if let Ok(ops) = axid::scim::patch::parse_request(&body) {
            let _ = axid::scim::patch::apply(schema, id, doc, ops);
        }
    }
});
