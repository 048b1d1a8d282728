//! Auth0's outbound SCIM action sends PUT with a partial body: attributes it leaves out are
//! "not asserted" and must be kept. axid keeps the stored value of every attribute the PUT
//! body does not name at all; an attribute sent as `null` or `""` is cleared (RFC 7644 §3.5.1).

use serde_json::{Map, Value};

/// Copies into `new` each stored attribute whose name does not appear in the client `body`.
pub fn keep_unasserted(new: &mut Map<String, Value>, stored: &Map<String, Value>, body: &Value) {
    let Value::Object(sent) = body else { return };
    for (name, value) in stored {
        if !sent.keys().any(|k| k.eq_ignore_ascii_case(name)) && !new.contains_key(name) {
            new.insert(name.clone(), value.clone());
        }
    }
}
