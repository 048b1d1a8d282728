//! Okta's group push renames with a pathless replace that carries the group's own read-only
//! `id` (`{"op":"replace","value":{"id":"<gid>","displayName":"..."}}`): the `id` is dropped
//! when it names the resource itself (any other id is a real mutability error).

use serde_json::{Map, Value};

pub fn drop_own_id(value: &mut Map<String, Value>, own_id: &str) {
    let key = value.keys().find(|k| k.eq_ignore_ascii_case("id")).cloned();
    if let Some(key) = key {
        if value.get(&key).and_then(Value::as_str) == Some(own_id) {
            value.remove(&key);
        }
    }
}
