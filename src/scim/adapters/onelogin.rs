//! OneLogin builds bodies from an admin-edited template: `roles` may be one comma-separated
//! string instead of an array of `{value}` objects. (String booleans and custom extension
//! URNs are handled by coercion for every IdP.)

use serde_json::{Map, Value};

pub fn split_roles(obj: &mut Map<String, Value>) {
    let key = obj
        .keys()
        .find(|k| k.eq_ignore_ascii_case("roles"))
        .cloned();
    let Some(key) = key else { return };
    if let Some(Value::String(text)) = obj.get(&key) {
        let roles: Vec<Value> = text
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| serde_json::json!({ "value": r }))
            .collect();
        obj.insert(key, Value::Array(roles));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_separated_roles_become_role_objects() {
        let mut obj = serde_json::json!({"roles": "admin, sales"});
        if let Value::Object(m) = &mut obj {
            split_roles(m);
        }
        assert_eq!(
            obj,
            serde_json::json!({"roles": [{"value": "admin"}, {"value": "sales"}]})
        );
    }
}
