//! Defects found while describing the routes for the OpenAPI document, each kept fixed.

use serde_json::{json, Value};

use crate::helpers::{json_of, TestApp};

crate::both_dbs!(an_optional_rotation_body_is_refused_when_malformed_not_ignored);

/// `POST /clients/{id}/secrets` and `POST /webhooks/{id}/secret` take an optional body.
/// Leaving it out rotates with the defaults; a body that is sent is held to CONTRACT §2
/// (400 for bad JSON or a wrong type, 415 for another media type) instead of being
/// dropped and answered 2xx with the default overlap, as before.
async fn an_optional_rotation_body_is_refused_when_malformed_not_ignored(app: TestApp) {
    app.org_admin_session("acme").await;
    let client = app
        .post_json(
            "/api/v1/clients",
            &json!({"name": "svc", "type": "service", "roles": ["viewer"]}),
        )
        .await;
    assert_eq!(client.status(), 201);
    let client_id = json_of(client).await["id"].as_str().expect("id").to_owned();
    let hook = app
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example/in"}),
        )
        .await;
    assert_eq!(hook.status(), 201);
    let hook_id = json_of(hook).await["id"].as_str().expect("id").to_owned();

    for path in [
        format!("/api/v1/clients/{client_id}/secrets"),
        format!("/api/v1/webhooks/{hook_id}/secret"),
    ] {
        let wrong_type = app
            .post_json(&path, &json!({"previous_secret_ttl_secs": "a day"}))
            .await;
        assert_eq!(wrong_type.status(), 400, "{path}");
        assert_eq!(
            json_of(wrong_type).await["error"],
            "invalid_request",
            "{path}"
        );

        let not_json = send(&app, &path, "application/json", "{not json").await;
        assert_eq!(not_json.0, 400, "{path}");
        assert_eq!(not_json.1["error"], "invalid_request", "{path}");

        let text = send(&app, &path, "text/plain", "previous_secret_ttl_secs=0").await;
        assert_eq!(text.0, 415, "{path}");
        assert_eq!(text.1["error"], "unsupported_media_type", "{path}");

        let none = app.client.post(app.url(&path)).send().await.expect("send");
        assert!(
            none.status().is_success(),
            "{path}: no body rotates with the defaults"
        );
    }
}

async fn send(app: &TestApp, path: &str, kind: &str, body: &'static str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .expect("send");
    (res.status().as_u16(), json_of(res).await)
}
