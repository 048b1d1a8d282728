//! Every failure on /scim/v2 is an RFC 7644 §3.12 body: auth, unknown paths and ids, methods,
//! media types, sizes, malformed JSON. Never a 500, never actix's plain text.

use reqwest::Method;
use serde_json::{json, Value};

use super::{Answer, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    missing_wrong_or_foreign_credentials_get_401_scim_errors,
    suspended_organizations_get_403,
    unknown_ids_of_any_shape_get_404,
    wrong_media_type_gets_415_and_oversized_bodies_413,
    malformed_json_and_wrong_types_get_400
);

async fn raw(app: &TestApp, auth: Option<&str>) -> Answer {
    let mut req = app.client.get(app.url("/scim/v2/Users"));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body: Value = res.json().await.expect("json");
    Answer {
        status,
        headers,
        body,
    }
}

async fn missing_wrong_or_foreign_credentials_get_401_scim_errors(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    raw(&app, None).await.error(401, None);
    raw(&app, Some("Basic dXNlcjpwYXNz")).await.error(401, None);
    raw(&app, Some("Bearer axs_not-a-token"))
        .await
        .error(401, None);
    // A portal API key is not a SCIM credential (CONTRACT.md §1).
    let key = app
        .post_json("/api/v1/keys", &json!({"name": "k", "role": "admin"}))
        .await;
    let key: Value = key.json().await.expect("json");
    let key = key["key"].as_str().expect("key");
    raw(&app, Some(&format!("Bearer {key}")))
        .await
        .error(401, None);
    // And the SCIM token is refused on the portal.
    let res = app
        .client
        .get(app.url("/api/v1/keys"))
        .bearer_auth(&scim.token)
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 401);
    raw(&app, Some(&format!("bearer {}", scim.token)))
        .await
        .expect(200);
}

async fn suspended_organizations_get_403(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let res = app
        .admin(
            Method::PATCH,
            "/api/v1/admin/organizations/acme",
            Some(json!({"status": "suspended"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    scim.get("/Users").await.error(403, None);
    scim.post("/Users", &super::user_body("a@acme.test"))
        .await
        .error(403, None);
}

async fn unknown_ids_of_any_shape_get_404(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    for id in [
        "010101001010101011001010101011",
        "00000000-0000-0000-0000-000000000000",
        "%27%20OR%201=1",
    ] {
        scim.get(&format!("/Users/{id}")).await.error(404, None);
        scim.get(&format!("/Groups/{id}")).await.error(404, None);
        scim.delete(&format!("/Users/{id}")).await.error(404, None);
        scim.patch(
            &format!("/Groups/{id}"),
            &super::patch_body(json!([{"op": "add", "path": "members", "value": []}])),
        )
        .await
        .error(404, None);
    }
    scim.get("/Nope").await.error(404, None);
    scim.get("").await.error(404, None);
    scim.send(Method::PUT, "/Users", Some(&json!({})))
        .await
        .error(405, None);
}

async fn wrong_media_type_gets_415_and_oversized_bodies_413(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let send = |ct: &'static str, body: String| {
        let req = app
            .client
            .post(app.url("/scim/v2/Users"))
            .bearer_auth(&scim.token)
            .header("content-type", ct)
            .body(body);
        async move {
            let res = req.send().await.expect("req");
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            let body: Value = res.json().await.expect("json");
            Answer {
                status,
                headers,
                body,
            }
        }
    };
    send("text/plain", super::user_body("a@x").to_string())
        .await
        .error(415, None);
    send("application/json", super::user_body("a@x").to_string())
        .await
        .expect(201);
    let huge = json!({"userName": "big", "displayName": "x".repeat(2 * 1024 * 1024)});
    send("application/scim+json", huge.to_string())
        .await
        .error(413, None);
}

async fn malformed_json_and_wrong_types_get_400(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let res = app
        .client
        .post(app.url("/scim/v2/Users"))
        .bearer_auth(&scim.token)
        .header("content-type", super::SCIM_JSON)
        .body("{\"userName\": ")
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["scimType"], "invalidSyntax");
    scim.post("/Users", &json!({"userName": 42}))
        .await
        .error(400, Some("invalidValue"));
    scim.post("/Users", &json!({"userName": "a", "active": "sometimes"}))
        .await
        .error(400, Some("invalidValue"));
    scim.post("/Users", &json!({"name": {"givenName": "no userName"}}))
        .await
        .error(400, Some("invalidValue"));
    scim.post("/Users", &json!([1, 2]))
        .await
        .error(400, Some("invalidSyntax"));
}
