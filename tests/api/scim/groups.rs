//! /Groups: members as rows, displayName unique per organization, users' read-only `groups`.

use serde_json::json;

use super::{patch_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    groups_carry_members_and_users_show_their_groups,
    display_names_are_unique_case_insensitively,
    put_replaces_members_and_delete_removes_the_group
);

async fn groups_carry_members_and_users_show_their_groups(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let u1 = scim.user("u1").await;
    let u2 = scim.user("u2").await;
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Sales",
        "externalId": "ext-sales", "members": [{"value": u1, "display": "User One", "type": "User"}, {"value": u2}, {"value": "not-a-user"}]});
    let res = scim.post("/Groups", &body).await;
    assert!(res.headers.get("location").is_some());
    let group = res.expect(201);
    let gid = group["id"].as_str().expect("id");
    let mut members: Vec<&str> = group["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["value"].as_str())
        .collect();
    members.sort();
    let mut want = vec![u1.as_str(), u2.as_str()];
    want.sort();
    assert_eq!(members, want);
    let first = group["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["value"] == u1.as_str())
        .expect("u1");
    assert_eq!(
        first["display"], "User One",
        "display and type are echoed as sent"
    );
    assert_eq!(first["type"], "User");
    let second = group["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["value"] == u2.as_str())
        .expect("u2");
    assert!(second.get("display").is_none() && second.get("type").is_none());
    assert_eq!(first["$ref"], app.url(&format!("/scim/v2/Users/{u1}")));
    let user = scim.get(&format!("/Users/{u1}")).await.expect(200);
    assert_eq!(
        user["groups"],
        json!([{"value": gid, "display": "Sales", "type": "direct",
        "$ref": app.url(&format!("/scim/v2/Groups/{gid}"))}])
    );
    let lean = scim
        .get(&format!("/Groups/{gid}?excludedAttributes=members"))
        .await
        .expect(200);
    assert!(lean.get("members").is_none());
    assert_eq!(lean["displayName"], "Sales");
    let other = scim.group("Empty").await;
    let all = scim.get("/Groups").await.expect(200);
    let listed = all["Resources"].as_array().expect("Resources");
    assert_eq!(listed.len(), 2);
    let sales = listed.iter().find(|g| g["id"] == gid).expect("Sales");
    assert_eq!(sales["members"].as_array().map(Vec::len), Some(2));
    let empty = listed
        .iter()
        .find(|g| g["id"] == other.as_str())
        .expect("Empty");
    assert_eq!(empty["members"], json!([]));
    let by_ext = scim
        .filter("Groups", r#"externalId eq "ext-sales""#)
        .await
        .expect(200);
    assert_eq!(by_ext["totalResults"], 1);
    let by_member = scim
        .filter("Users", &format!(r#"groups.value eq "{gid}""#))
        .await
        .expect(200);
    assert_eq!(by_member["totalResults"], 2);
}

async fn display_names_are_unique_case_insensitively(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    scim.group("Engineering").await;
    let other = scim.group("Ops").await;
    scim.post("/Groups", &json!({"displayName": "ENGINEERING"}))
        .await
        .error(409, Some("uniqueness"));
    let rename =
        patch_body(json!([{"op": "replace", "path": "displayName", "value": "engineering"}]));
    scim.patch(&format!("/Groups/{other}"), &rename)
        .await
        .error(409, Some("uniqueness"));
    scim.post("/Groups", &json!({"members": []}))
        .await
        .error(400, Some("invalidValue"));
}

async fn put_replaces_members_and_delete_removes_the_group(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let u1 = scim.user("u1").await;
    let u2 = scim.user("u2").await;
    let gid = scim.group("Team").await;
    let body = json!({"displayName": "Team A", "members": [{"value": u1}]});
    let g = scim.put(&format!("/Groups/{gid}"), &body).await.expect(200);
    assert_eq!(g["displayName"], "Team A");
    assert_eq!(g["members"].as_array().map(Vec::len), Some(1));
    let body = json!({"displayName": "Team A", "members": [{"value": u2}]});
    let g = scim.put(&format!("/Groups/{gid}"), &body).await.expect(200);
    assert_eq!(g["members"][0]["value"], u2.as_str());
    assert_eq!(scim.delete(&format!("/Groups/{gid}")).await.status, 204);
    scim.get(&format!("/Groups/{gid}")).await.error(404, None);
    let user = scim.get(&format!("/Users/{u2}")).await.expect(200);
    assert!(user.get("groups").is_none());
    // The name is free again.
    scim.group("Team A").await;
}
