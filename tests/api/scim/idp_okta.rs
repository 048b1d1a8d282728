//! Okta: its SCIM 2.0 SPEC test (12 steps), a published app's GET-then-PUT updates and
//! pathless deactivation, and group push (IDP_QUIRKS.md "Okta").

use reqwest::Method;
use serde_json::{json, Value};

use super::{patch_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    okta_spec_test_passes_step_by_step,
    okta_user_updates_and_group_push
);

fn okta_user(user_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Okta", "familyName": "Tester"},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": "Okta Tester",
        "locale": "en-US",
        "externalId": "00u1abcd",
        "groups": [],
        "password": "1mpossible!Pass",
        "active": true
    })
}

async fn okta_spec_test_passes_step_by_step(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    scim.user("seed@acme.test").await;
    // 1. Users endpoint with paging numbers.
    let list = scim.get("/Users?count=1&startIndex=1").await.expect(200);
    assert_eq!(
        list["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert!(
        list["totalResults"].is_u64()
            && list["itemsPerPage"].is_u64()
            && list["startIndex"].is_u64()
    );
    assert_eq!(list["Resources"].as_array().map(Vec::len), Some(1));
    // 2. Get the first user by id.
    let first = list["Resources"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        scim.get(&format!("/Users/{first}")).await.expect(200)["id"],
        first.as_str()
    );
    // 3. An invalid userName filter: empty list.
    assert_eq!(
        scim.filter("Users", r#"userName eq "invalid@okta.test""#)
            .await
            .expect(200)["totalResults"],
        0
    );
    // 4. An invalid id: 404 with a SCIM error.
    scim.get("/Users/010101001010101011001010101011")
        .await
        .error(404, None);
    // 5. A random user does not exist.
    assert_eq!(
        scim.filter("Users", r#"userName eq "random9f@okta.test""#)
            .await
            .expect(200)["totalResults"],
        0
    );
    // 6. Create with realistic values (Content-Type: application/json).
    let res = app
        .client
        .post(app.url("/scim/v2/Users"))
        .bearer_auth(&scim.token)
        .json(&okta_user("random9f@okta.test"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.expect("json");
    let id = created["id"].as_str().expect("string id").to_owned();
    assert_eq!(created["active"], true);
    assert!(created.get("password").is_none());
    // 7. Verify it was created.
    assert_eq!(
        scim.get(&format!("/Users/{id}")).await.expect(200)["userName"],
        "random9f@okta.test"
    );
    // 8. Recreating the same user fails with 409.
    scim.post("/Users", &okta_user("random9f@okta.test"))
        .await
        .error(409, Some("uniqueness"));
    // 9. userName matching is case-insensitive.
    let upper = scim
        .filter("Users", r#"userName eq "RANDOM9F@OKTA.TEST""#)
        .await
        .expect(200);
    assert_eq!(upper["totalResults"], 1);
    // 10. Groups endpoint answers.
    assert!(scim.get("/Groups").await.expect(200)["Resources"].is_array());
    // 11. Missing or non-Bearer credentials: 401 with a SCIM error.
    let res = app
        .client
        .get(app.url("/scim/v2/Users"))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "401");
    // 12. Deactivate with a pathless PATCH; the user stays readable.
    let ops = patch_body(json!([{"op": "replace", "value": {"active": false}}]));
    assert_eq!(
        scim.patch(&format!("/Users/{id}"), &ops).await.expect(200)["active"],
        false
    );
    assert_eq!(
        scim.get(&format!("/Users/{id}")).await.expect(200)["active"],
        false
    );
}

async fn okta_user_updates_and_group_push(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let created = scim
        .post("/Users", &okta_user("pat@okta.test"))
        .await
        .expect(201);
    let id = created["id"].as_str().expect("id").to_owned();
    // Published apps: GET then PUT of the merged resource, with id, meta, groups and "".
    let mut merged = scim.get(&format!("/Users/{id}")).await.expect(200);
    merged["name"]["givenName"] = json!("Patricia");
    merged["nickName"] = json!("");
    merged["groups"] = json!([]);
    merged["password"] = json!("another!Pass1");
    let updated = scim.put(&format!("/Users/{id}"), &merged).await.expect(200);
    assert_eq!(updated["name"]["givenName"], "Patricia");
    assert!(updated.get("nickName").is_none());
    // Wizard apps deactivate with PUT.
    merged["active"] = json!(false);
    assert_eq!(
        scim.put(&format!("/Users/{id}"), &merged).await.expect(200)["active"],
        false
    );
    merged["active"] = json!(true);
    scim.put(&format!("/Users/{id}"), &merged).await.expect(200);
    // Import pages.
    let page = scim.get("/Users?startIndex=1&count=100").await.expect(200);
    assert_eq!(page["totalResults"], 1);

    // Group push.
    let other = scim.user("quinn@okta.test").await;
    let g = scim.post("/Groups", &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Okta Push", "members": []})).await.expect(201);
    let gid = g["id"].as_str().expect("id").to_owned();
    let rename =
        patch_body(json!([{"op": "replace", "value": {"id": gid, "displayName": "Okta Push 2"}}]));
    assert_eq!(
        scim.patch(&format!("/Groups/{gid}"), &rename)
            .await
            .expect(200)["displayName"],
        "Okta Push 2"
    );
    let add = patch_body(
        json!([{"op": "add", "path": "members", "value": [{"value": id, "display": "pat@okta.test"}]}]),
    );
    scim.patch(&format!("/Groups/{gid}"), &add)
        .await
        .expect(200);
    let swap = patch_body(json!([
        {"op": "remove", "path": format!("members[value eq \"{id}\"]")},
        {"op": "add", "path": "members", "value": [{"value": other, "display": "quinn@okta.test"}]}
    ]));
    let g = scim
        .patch(&format!("/Groups/{gid}"), &swap)
        .await
        .expect(200);
    assert_eq!(g["members"].as_array().map(Vec::len), Some(1));
    assert_eq!(g["members"][0]["value"], other.as_str());
    let empty = patch_body(json!([{"op": "replace", "path": "members", "value": []}]));
    assert_eq!(
        scim.patch(&format!("/Groups/{gid}"), &empty)
            .await
            .expect(200)["members"],
        json!([])
    );
    // Someone else's id in a rename is a real mutability error.
    let bad =
        patch_body(json!([{"op": "replace", "value": {"id": "someone-else", "displayName": "x"}}]));
    scim.patch(&format!("/Groups/{gid}"), &bad)
        .await
        .error(400, Some("mutability"));
    let res = scim.send(Method::GET, "/Groups", None).await.expect(200);
    assert_eq!(res["totalResults"], 1);
}
