//! The IdP adapter layer: every dialect quirk of IDP_QUIRKS.md is normalised here, before the
//! SCIM core sees a request, so handlers and the PATCH engine speak only RFC 7643/7644.
//!
//! | IdP | quirk | where |
//! |---|---|---|
//! | Entra | `emails[type eq "work"].value eq "x"` filters (outside the ABNF) | `entra::rewrite_value_path_comparison` |
//! | Entra | capitalised ops, string booleans `"True"`, `null` attributes, client `meta`, non-URN `schemas` | `normalize_patch`, `coerce` (nulls, booleans, meta and schemas ignored) |
//! | Entra | remove members with a value array | PATCH engine (`remove` with a value on a multi-valued attribute) |
//! | Okta | pathless replace carrying the read-only `id` | `okta::drop_own_id` |
//! | Okta, Auth0 | `password` and `groups` in POST/PUT bodies | `coerce` (write-only and read-only attributes are not kept) |
//! | Auth0 | partial PUT ("not asserted" attributes are kept) | `auth0::keep_unasserted` |
//! | OneLogin | `roles` as a comma-separated string, string booleans, custom extension URNs | `onelogin::split_roles`, `coerce` |
//! | Google, JumpCloud | nothing beyond RFC 7644 (count=1 probes, create-then-delete tests) | core |

mod auth0;
mod entra;
mod okta;
mod onelogin;

use std::borrow::Cow;

use serde_json::{Map, Value};

pub use auth0::keep_unasserted;
pub use okta::drop_own_id;

/// A filter in RFC 7644 grammar.
pub fn normalize_filter(text: &str) -> Cow<'_, str> {
    entra::rewrite_value_path_comparison(text)
}

/// A resource body (POST, PUT) before coercion.
pub fn normalize_body(body: &mut Value) {
    if let Value::Object(obj) = body {
        onelogin::split_roles(obj);
    }
}

/// One PATCH operation object: the op name in lower case (Entra sends `Add`, `Replace`,
/// `Remove`), and its value normalised like a body when it is an object.
pub fn normalize_patch(op: &mut Map<String, Value>) {
    let key = op.keys().find(|k| k.eq_ignore_ascii_case("op")).cloned();
    if let Some(key) = key {
        if let Some(Value::String(name)) = op.remove(&key) {
            op.insert("op".into(), Value::String(name.to_ascii_lowercase()));
        }
    }
    for k in ["path", "value"] {
        let found = op
            .keys()
            .find(|x| x.eq_ignore_ascii_case(k) && x.as_str() != k)
            .cloned();
        if let Some(found) = found {
            if let Some(v) = op.remove(&found) {
                op.insert(k.into(), v);
            }
        }
    }
    if let Some(Value::Object(value)) = op.get_mut("value") {
        onelogin::split_roles(value);
    }
}
