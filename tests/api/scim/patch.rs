//! The PATCH engine over HTTP (RFC 7644 §3.5.2): paths, filters, pathless ops, atomicity,
//! and its typed errors.

use serde_json::json;

use super::{patch_body, user_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    paths_filters_and_sub_attributes_apply,
    pathless_ops_take_attribute_paths_as_keys,
    a_failing_operation_rolls_back_the_whole_request,
    bad_paths_values_and_read_only_targets_get_typed_errors,
    member_changes_are_per_member
);

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

async fn paths_filters_and_sub_attributes_apply(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let mut body = user_body("kim");
    body["emails"] = json!([{"value": "kim@work.test", "type": "work", "primary": true}, {"value": "kim@home.test", "type": "home"}]);
    let id = scim.post("/Users", &body).await.expect(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let ops = patch_body(json!([
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "kim@new.test"},
        {"op": "remove", "path": "emails[type eq \"home\"]"},
        {"op": "add", "path": "phoneNumbers", "value": [{"value": "555", "type": "mobile"}]},
        {"op": "replace", "path": "name.familyName", "value": "Kimura"},
        {"op": "add", "path": format!("{ENT}:employeeNumber"), "value": "42"},
        {"op": "replace", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St"}
    ]));
    let u = scim.patch(&format!("/Users/{id}"), &ops).await.expect(200);
    assert_eq!(
        u["emails"],
        json!([{"value": "kim@new.test", "type": "work", "primary": true}])
    );
    assert_eq!(u["phoneNumbers"][0]["value"], "555");
    assert_eq!(u["name"]["familyName"], "Kimura");
    assert_eq!(u["name"]["givenName"], "Barbara");
    assert_eq!(u[ENT]["employeeNumber"], "42");
    assert_eq!(
        u["addresses"],
        json!([{"type": "work", "formatted": "1 Main St"}])
    );
    assert!(u["schemas"]
        .as_array()
        .expect("schemas")
        .contains(&json!(ENT)));
    let found = scim
        .filter("Users", r#"emails.value eq "KIM@new.test""#)
        .await
        .expect(200);
    assert_eq!(found["totalResults"], 1);
    let found = scim
        .filter("Users", &format!(r#"{ENT}:employeeNumber eq "42""#))
        .await
        .expect(200);
    assert_eq!(found["totalResults"], 1);
    let ops = patch_body(
        json!([{"op": "remove", "path": format!("{ENT}:employeeNumber")}, {"op": "remove", "path": "phoneNumbers"}]),
    );
    let u = scim.patch(&format!("/Users/{id}"), &ops).await.expect(200);
    assert!(u.get(ENT).is_none() && u.get("phoneNumbers").is_none());
    assert_eq!(
        u["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
}

async fn pathless_ops_take_attribute_paths_as_keys(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("lee").await;
    let ops = patch_body(json!([{"op": "replace", "value": {
        "name.givenName": "K", "displayName": "Lee K", "active": false,
        ENT: {"department": "R&D"}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "7"}}]));
    let u = scim.patch(&format!("/Users/{id}"), &ops).await.expect(200);
    assert_eq!(u["name"]["givenName"], "K");
    assert_eq!(u["name"]["familyName"], "Jensen");
    assert_eq!(u["displayName"], "Lee K");
    assert_eq!(u["active"], false);
    assert_eq!(u[ENT], json!({"department": "R&D", "employeeNumber": "7"}));
}

async fn a_failing_operation_rolls_back_the_whole_request(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("max").await;
    scim.user("taken").await;
    let ops = patch_body(json!([
        {"op": "replace", "path": "displayName", "value": "changed"},
        {"op": "replace", "path": "nickName", "value": 12}
    ]));
    scim.patch(&format!("/Users/{id}"), &ops)
        .await
        .error(400, Some("invalidValue"));
    let ops = patch_body(json!([
        {"op": "replace", "path": "displayName", "value": "changed"},
        {"op": "replace", "path": "userName", "value": "TAKEN"}
    ]));
    scim.patch(&format!("/Users/{id}"), &ops)
        .await
        .error(409, Some("uniqueness"));
    let u = scim.get(&format!("/Users/{id}")).await.expect(200);
    assert!(u.get("displayName").is_none());
    assert_eq!(u["userName"], "max");
    assert_eq!(
        u["meta"]["version"], "W/\"1\"",
        "failed requests leave the version alone"
    );
}

async fn bad_paths_values_and_read_only_targets_get_typed_errors(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("ned").await;
    let path = format!("/Users/{id}");
    let cases = [
        (
            json!([{"op": "replace", "path": "nope", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "name.nope", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "meta.created", "value": "x"}]),
            "mutability",
        ),
        (
            json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "active", "value": "maybe"}]),
            "invalidValue",
        ),
        (
            json!([{"op": "replace", "path": "emails", "value": 5}]),
            "invalidValue",
        ),
        (json!([{"op": "remove"}]), "noTarget"),
        (
            json!([{"op": "replace", "path": "emails[type co \"x\"].value", "value": "a@b"}]),
            "noTarget",
        ),
        (
            json!([{"op": "remove", "path": "userName"}]),
            "invalidValue",
        ),
        (
            json!([{"op": "jump", "path": "title", "value": "x"}]),
            "invalidSyntax",
        ),
    ];
    for (ops, scim_type) in cases {
        scim.patch(&path, &patch_body(ops.clone()))
            .await
            .error(400, Some(scim_type));
    }
    scim.patch(&path, &json!({"Operations": []}))
        .await
        .error(400, Some("invalidSyntax"));
}

async fn member_changes_are_per_member(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let users: Vec<String> = futures_join(&scim, 4).await;
    let gid = scim.group("Crew").await;
    let path = format!("/Groups/{gid}");
    let add = patch_body(
        json!([{"op": "add", "path": "members", "value": [{"value": users[0]}, {"value": users[1]}, {"value": users[2]}]}]),
    );
    let g = scim.patch(&path, &add).await.expect(200);
    assert_eq!(g["members"].as_array().map(Vec::len), Some(3));
    let swap = patch_body(json!([
        {"op": "remove", "path": format!("members[value eq \"{}\"]", users[0])},
        {"op": "add", "path": "members", "value": [{"value": users[3]}]}
    ]));
    let g = scim.patch(&path, &swap).await.expect(200);
    let mut ids: Vec<&str> = g["members"]
        .as_array()
        .expect("m")
        .iter()
        .filter_map(|m| m["value"].as_str())
        .collect();
    ids.sort();
    let mut want = vec![users[1].as_str(), users[2].as_str(), users[3].as_str()];
    want.sort();
    assert_eq!(ids, want);
    let clear = patch_body(json!([{"op": "replace", "path": "members", "value": []}]));
    let g = scim
        .patch(&format!("{path}?excludedAttributes=members"), &clear)
        .await
        .expect(200);
    assert!(g.get("members").is_none());
    let g = scim.get(&path).await.expect(200);
    assert_eq!(g["members"], json!([]));
    scim.patch(
        &path,
        &patch_body(
            json!([{"op": "add", "path": "members[value eq \"x\"]", "value": [{"value": "x"}]}]),
        ),
    )
    .await
    .error(400, Some("invalidPath"));
}

async fn futures_join(scim: &Scim<'_>, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(scim.user(&format!("member{i}")).await);
    }
    out
}
