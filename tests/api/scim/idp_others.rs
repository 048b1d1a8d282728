//! Google Workspace, OneLogin and JumpCloud sequences (IDP_QUIRKS.md).

use serde_json::json;

use super::{patch_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    google_sequence,
    onelogin_template_bodies,
    jumpcloud_setup_and_membership
);

async fn google_sequence(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let probe = scim.get("/Users?count=1").await.expect(200);
    assert_eq!(probe["totalResults"], 0);
    assert_eq!(probe["Resources"], json!([]));
    let id = scim.user("g@workspace.test").await;
    assert_eq!(
        scim.get("/Users?count=1").await.expect(200)["Resources"][0]["id"],
        id.as_str()
    );
    assert_eq!(scim.delete(&format!("/Users/{id}")).await.status, 204);
    scim.get(&format!("/Users/{id}")).await.error(404, None);
}

async fn onelogin_template_bodies(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:onelogin:custom:1.0"],
        "userName": "ol@onelogin.test", "active": "true", "roles": "admin, sales",
        "emails": [{"value": "ol@onelogin.test", "primary": "true"}],
        "urn:onelogin:custom:1.0": {"costCode": "77"}});
    let u = scim.post("/Users", &body).await.expect(201);
    assert_eq!(u["active"], true);
    assert_eq!(u["roles"], json!([{"value": "admin"}, {"value": "sales"}]));
    assert_eq!(u["emails"][0]["primary"], true);
    assert!(
        u.get("urn:onelogin:custom:1.0").is_none(),
        "undeclared extensions are dropped"
    );
    let id = u["id"].as_str().expect("id");
    let ops =
        patch_body(json!([{"op": "replace", "value": {"active": "false", "roles": "viewer"}}]));
    let u = scim.patch(&format!("/Users/{id}"), &ops).await.expect(200);
    assert_eq!(u["active"], false);
    assert_eq!(u["roles"], json!([{"value": "viewer"}]));
}

async fn jumpcloud_setup_and_membership(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    // Setup: create then delete a test user and a test group.
    let tu = scim.user("jc-test-user@jumpcloud.test").await;
    let tg = scim.group("jc-test-group").await;
    assert_eq!(scim.delete(&format!("/Users/{tu}")).await.status, 204);
    assert_eq!(scim.delete(&format!("/Groups/{tg}")).await.status, 204);
    let u = scim.user("jc@jumpcloud.test").await;
    let g = scim.group("JC Team").await;
    let add = patch_body(json!([{"op": "add", "path": "members", "value": [{"value": u}]}]));
    assert_eq!(
        scim.patch(&format!("/Groups/{g}"), &add).await.expect(200)["members"][0]["value"],
        u.as_str()
    );
    let rename = patch_body(json!([{"op": "replace", "value": {"displayName": "JC Team 2"}}]));
    assert_eq!(
        scim.patch(&format!("/Groups/{g}"), &rename)
            .await
            .expect(200)["displayName"],
        "JC Team 2"
    );
    let rm = patch_body(json!([{"op": "remove", "path": "members", "value": [{"value": u}]}]));
    assert_eq!(
        scim.patch(&format!("/Groups/{g}"), &rm).await.expect(200)["members"],
        json!([])
    );
}
