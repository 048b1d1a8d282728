//! The transcript runner's expectations: the subset matcher of `expect.body` and `{{name}}`
//! substitution of saved variables (the format is in transcripts.rs).

use std::collections::HashMap;

use serde_json::Value;

/// Saved variables by name.
pub type Vars = HashMap<String, String>;

/// Subset match of `want` against `got` (`None`: missing), as transcripts.rs describes it.
pub fn matches(want: &Value, got: Option<&Value>, at: &str) -> Result<(), String> {
    let here = if at.is_empty() { "body" } else { at };
    let Some(got) = got else {
        return Err(format!("{here} is missing, expected {want}"));
    };
    let ok = match want {
        Value::String(m) if m.starts_with('$') => match m.as_str() {
            "$any" => true,
            "$string" => got.is_string(),
            "$uint" => got.is_u64(),
            "$array" => got.is_array(),
            "$object" => got.is_object(),
            _ => return Err(format!("{here}: unknown matcher {m:?}")),
        },
        Value::Object(o) if o.contains_key("$exact") => {
            if o.len() != 1 {
                return Err(format!("{here}: $exact must be the only key"));
            }
            got == &o["$exact"]
        }
        Value::Object(o) => {
            if !got.is_object() {
                return Err(format!("{here} is {got}, expected an object like {want}"));
            }
            for (key, w) in o {
                let esc = key.replace('~', "~0").replace('/', "~1");
                matches(w, got.get(key), &format!("{at}/{esc}"))?;
            }
            true
        }
        Value::Array(items) => {
            let Some(got_items) = got.as_array().filter(|g| g.len() == items.len()) else {
                return Err(format!(
                    "{here} is {got}, expected {} item(s) like {want}",
                    items.len()
                ));
            };
            for (i, (w, g)) in items.iter().zip(got_items).enumerate() {
                matches(w, Some(g), &format!("{at}/{i}"))?;
            }
            true
        }
        scalar => got == scalar,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{here} is {got}, expected {want}"))
    }
}

/// Replaces every `{{name}}` with a saved variable; an unknown one is an error.
pub fn subst(s: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed {{{{ in {s:?}"))?;
        let name = &after[..end];
        let value = vars
            .get(name)
            .ok_or_else(|| format!("unknown variable {name:?} in {s:?}"))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

pub fn subst_value(v: &Value, vars: &Vars) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(subst(s, vars)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| subst_value(i, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, i)| Ok((subst(k, vars)?, subst_value(i, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[test]
fn the_matcher_rejects_what_it_must() {
    use serde_json::json;
    let got = json!({"id": "u1", "n": 3, "a": [{"v": 1, "w": 2}], "e": {"x": 1, "y": null}});
    let ok = |want: Value| matches(&want, Some(&got), "");
    assert!(ok(json!({"id": "$string", "n": "$uint", "a": [{"v": 1}], "e": "$object"})).is_ok());
    assert!(ok(json!({"e": {"$exact": {"x": 1, "y": null}}, "a": "$array", "id": "$any"})).is_ok());
    for bad in [
        json!({"id": "u2"}),
        json!({"n": "3"}),
        json!({"id": "$uint"}),
        json!({"missing": "$any"}),
        json!({"a": []}),
        json!({"a": [{"v": 1}, {"v": 1}]}),
        json!({"a": [{"v": 2}]}),
        json!({"e": {"$exact": {"x": 1}}}),
        json!({"id": "$strnig"}),
        json!({"e": {"x": 1, "$exact": {}}}),
        json!([]),
        Value::Null,
    ] {
        assert!(ok(bad.clone()).is_err(), "{bad} must not match {got}");
    }
    let vars = Vars::from([("id".to_owned(), "u1".to_owned())]);
    assert_eq!(subst("/Users/{{id}}", &vars), Ok("/Users/u1".to_owned()));
    assert!(subst("/Users/{{other}}", &vars).is_err());
    assert!(subst("/Users/{{id", &vars).is_err());
}
