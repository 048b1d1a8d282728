//! Unit tests of the PATCH engine: one request's operations on a document.

use serde_json::{json, Map, Value};

use super::{apply, parse_request, Member, MemberOp};
use crate::scim::error::ScimType;
use crate::scim::schema::{GROUP, USER};

fn doc(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("object"),
    }
}

fn run(start: Value, ops: Value) -> Result<Value, ScimType> {
    let body =
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    let ops = parse_request(&body).map_err(|e| e.scim_type.expect("typed"))?;
    apply(&USER, "me", doc(start), ops)
        .map(|o| Value::Object(o.doc))
        .map_err(|e| e.scim_type.expect("typed"))
}

#[test]
fn add_appends_to_multi_valued_attributes_without_duplicates() {
    let got = run(
        json!({"userName": "a", "emails": [{"value": "x@a"}]}),
        json!([{"op": "add", "path": "emails", "value": [{"value": "x@a"}, {"value": "y@a"}]}]),
    );
    assert_eq!(
        got,
        Ok(json!({"userName": "a", "emails": [{"value": "x@a"}, {"value": "y@a"}]}))
    );
}

#[test]
fn replace_on_a_complex_attribute_merges_its_sub_attributes() {
    let got = run(
        json!({"userName": "a", "name": {"givenName": "A", "familyName": "B"}}),
        json!([{"op": "Replace", "path": "NAME", "value": {"familyName": "C"}}]),
    );
    assert_eq!(
        got,
        Ok(json!({"userName": "a", "name": {"givenName": "A", "familyName": "C"}}))
    );
}

#[test]
fn filtered_paths_touch_only_matching_elements() {
    let start = json!({"userName": "a", "emails": [{"value": "w@a", "type": "work"}, {"value": "h@a", "type": "home"}]});
    let got = run(
        start.clone(),
        json!([{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "h2@a"}]),
    );
    assert_eq!(got.expect("ok")["emails"][1]["value"], "h2@a");
    let got = run(
        start,
        json!([{"op": "remove", "path": "emails[type eq \"work\"]"}]),
    );
    assert_eq!(
        got.expect("ok")["emails"],
        json!([{"value": "h@a", "type": "home"}])
    );
}

#[test]
fn string_booleans_and_capitalised_ops_are_accepted() {
    let got = run(
        json!({"userName": "a", "active": true}),
        json!([{"Op": "Replace", "Path": "active", "Value": "False"}]),
    );
    assert_eq!(got.expect("ok")["active"], false);
}

#[test]
fn pathless_values_may_use_attribute_paths_and_extension_objects() {
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let got = run(
        json!({"userName": "a"}),
        json!([{"op": "add", "value": {"name.givenName": "G", ent: {"department": "D"}, "emails[type eq \"work\"].value": "w@a"}}]),
    )
    .expect("ok");
    assert_eq!(got["name"]["givenName"], "G");
    assert_eq!(got[ent]["department"], "D");
    assert_eq!(got["emails"], json!([{"type": "work", "value": "w@a"}]));
}

#[test]
fn errors_are_typed_as_rfc_7644_says() {
    let start = json!({"userName": "a"});
    assert_eq!(
        run(
            start.clone(),
            json!([{"op": "add", "path": "bogus", "value": 1}])
        ),
        Err(ScimType::InvalidPath)
    );
    assert_eq!(
        run(
            start.clone(),
            json!([{"op": "add", "path": "groups", "value": []}])
        ),
        Err(ScimType::Mutability)
    );
    assert_eq!(
        run(
            start.clone(),
            json!([{"op": "add", "path": "title", "value": {"a": 1}}])
        ),
        Err(ScimType::InvalidValue)
    );
    assert_eq!(
        run(start.clone(), json!([{"op": "remove"}])),
        Err(ScimType::NoTarget)
    );
    assert_eq!(
        run(
            start,
            json!([{"op": "replace", "path": "emails[value sw \"q\"].type", "value": "x"}])
        ),
        Err(ScimType::NoTarget)
    );
}

#[test]
fn member_operations_become_per_member_changes() {
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}]},
        {"op": "remove", "path": "members[value eq \"u3\" or value eq \"u4\"]"},
        {"op": "Remove", "path": "members", "value": [{"value": "u5"}]},
        {"op": "replace", "path": "members", "value": []},
        {"op": "replace", "value": {"id": "g1", "displayName": "New"}}
    ]});
    let out = apply(
        &GROUP,
        "g1",
        doc(json!({"displayName": "Old"})),
        parse_request(&body).expect("parsed"),
    )
    .expect("applied");
    assert_eq!(
        out.members,
        vec![
            MemberOp::Add(Member::id("u1")),
            MemberOp::Add(Member::id("u2")),
            MemberOp::Remove("u3".into()),
            MemberOp::Remove("u4".into()),
            MemberOp::Remove("u5".into()),
            MemberOp::Clear,
        ]
    );
    assert_eq!(Value::Object(out.doc), json!({"displayName": "New"}));
}
