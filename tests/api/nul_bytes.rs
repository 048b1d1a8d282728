//! Issue 10, item 8: a NUL (U+0000) in any text a client sends is refused the same way on
//! both databases (on PostgreSQL it used to be a 500): the surface's own 400, or 404 where
//! the text is an id, and nothing is stored.

use reqwest::Method;
use serde_json::json;

use crate::both_dbs;
use crate::helpers::{json_of, TestApp};
use crate::scim::{patch_body, user_body, Scim};

both_dbs!(
    nul_in_scim_input_is_a_scim_400_or_404,
    nul_in_portal_and_admin_input_is_a_400_or_404
);

async fn nul_in_scim_input_is_a_scim_400_or_404(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("kate@acme.test").await;
    let mut body = user_body("a\u{0}b@acme.test");
    scim.post("/Users", &body)
        .await
        .error(400, Some("invalidValue"));
    body = user_body("c@acme.test");
    body["name"] = json!({"givenName\u{0}": "x"});
    scim.post("/Users", &body)
        .await
        .error(400, Some("invalidValue"));
    let patch = patch_body(json!([{"op": "replace", "path": "displayName", "value": "x\u{0}"}]));
    scim.patch(&format!("/Users/{id}"), &patch)
        .await
        .error(400, Some("invalidValue"));
    scim.get("/Users/%00").await.error(404, None);
    scim.get(&format!("/Users/{id}%00")).await.error(404, None);
    scim.get("/Groups/%00").await.error(404, None);
    scim.get("/Users?filter=userName%20eq%20%22a%00%22")
        .await
        .error(400, Some("invalidFilter"));
    // Nothing was stored: the organization still has its one user, unchanged.
    let list = scim.get("/Users").await.expect(200);
    assert_eq!(list["totalResults"], 1, "{list}");
    assert_eq!(list["Resources"][0]["userName"], "kate@acme.test");
}

async fn nul_in_portal_and_admin_input_is_a_400_or_404(app: TestApp) {
    app.org_admin_session("acme").await;
    let key = app
        .post_json(
            "/api/v1/keys",
            &json!({"name": "ci\u{0}", "role": "viewer"}),
        )
        .await;
    assert_eq!(key.status(), 400);
    assert_eq!(json_of(key).await["error"], "invalid_request");
    for path in [
        "/api/v1/keys/%00",
        "/api/v1/users/%00",
        "/api/v1/sessions/x%00",
    ] {
        let res = app.client.delete(app.url(path)).send().await.expect("send");
        assert!(
            matches!(res.status().as_u16(), 404),
            "{path}: {}",
            res.status()
        );
        assert_eq!(json_of(res).await["error"], "not_found", "{path}");
    }
    let query = app.get("/api/v1/users?cursor=%00").await;
    assert_eq!(query.status(), 400);
    let org = app
        .admin(
            Method::POST,
            "/api/v1/admin/organizations",
            Some(json!({"org_id": "nul", "name": "N\u{0}L", "password": crate::helpers::ORG_PASSWORD})),
        )
        .await;
    assert_eq!(org.status(), 400);
    let missing = app
        .admin(Method::GET, "/api/v1/admin/organizations/n%00l", None)
        .await;
    assert_eq!(missing.status(), 404);
}
