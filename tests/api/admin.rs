//! The admin organization API (CONTRACT.md §3) and its credential rules (§1).

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_dbs;
use crate::helpers::{json_of, spawn_app_with, Db, TestApp, ADMIN_KEY, ORG_PASSWORD};

both_dbs!(
    creating_an_org_returns_it_and_a_second_create_conflicts,
    bad_org_bodies_get_their_documented_errors,
    the_admin_api_refuses_missing_or_wrong_keys,
    organizations_page_with_an_opaque_cursor,
    patch_changes_fields_and_suspension_ends_sessions,
    deleting_an_org_removes_it_and_everything_it_owns,
    setting_the_password_revokes_password_sessions,
    licenses_are_set_read_and_removed,
);

async fn creating_an_org_returns_it_and_a_second_create_conflicts(app: TestApp) {
    let org = app.create_org("acme").await;
    assert_eq!(org["org_id"], "acme");
    assert_eq!(org["name"], "acme Inc");
    assert_eq!(org["status"], "active");
    assert_eq!(org["contact_email"], "it@acme.test");
    assert_eq!(org["license"], Value::Null);
    assert!(org["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(org.get("password").is_none() && org.get("password_hash").is_none());

    let again = app
        .admin(
            Method::POST,
            "/api/v1/admin/organizations",
            Some(json!({"org_id": "acme", "name": "Other"})),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(json_of(again).await["error"], "org_exists");
}

async fn bad_org_bodies_get_their_documented_errors(app: TestApp) {
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"org_id": "Acme Corp", "name": "x"}),
            400,
            "invalid_org_id",
        ),
        (
            json!({"org_id": "-acme", "name": "x"}),
            400,
            "invalid_org_id",
        ),
        (json!({"name": "no id"}), 400, "invalid_request"),
        (
            json!({"org_id": "acme", "name": "x", "password": "short"}),
            422,
            "weak_password",
        ),
        (
            json!({"org_id": "acme", "name": "x", "contact_email": "not an email"}),
            400,
            "invalid_email",
        ),
        (json!({"org_id": "acme", "name": ""}), 400, "invalid_name"),
        (json!({"org_id": 42, "name": "x"}), 400, "invalid_request"),
    ];
    for (body, status, code) in cases {
        let res = app
            .admin(
                Method::POST,
                "/api/v1/admin/organizations",
                Some(body.clone()),
            )
            .await;
        assert_eq!(res.status(), status, "{body}");
        assert_eq!(json_of(res).await["error"], code, "{body}");
    }
    let url = app.url("/api/v1/admin/organizations");
    let send = |ct: &'static str, body: Vec<u8>| {
        app.client
            .post(&url)
            .header("X-Admin-API-Key", ADMIN_KEY)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let malformed = send("application/json", b"{\"org_id\": ".to_vec())
        .await
        .expect("send");
    assert_eq!(malformed.status(), 400);
    assert_eq!(json_of(malformed).await["error"], "invalid_request");
    let form = send("application/x-www-form-urlencoded", b"org_id=acme".to_vec())
        .await
        .expect("send");
    assert_eq!(form.status(), 415);
    assert_eq!(json_of(form).await["error"], "unsupported_media_type");
    let huge = format!(
        "{{\"org_id\":\"acme\",\"name\":\"{}\"}}",
        "x".repeat(300 * 1024)
    );
    let too_large = send("application/json", huge.into_bytes())
        .await
        .expect("send");
    assert_eq!(too_large.status(), 413);
    assert_eq!(json_of(too_large).await["error"], "payload_too_large");
}

async fn the_admin_api_refuses_missing_or_wrong_keys(app: TestApp) {
    let url = app.url("/api/v1/admin/organizations");
    let none = app.client.get(&url).send().await.expect("send");
    assert_eq!(none.status(), 401);
    assert_eq!(json_of(none).await["error"], "unauthenticated");
    let wrong = app
        .client
        .get(&url)
        .header("X-Admin-API-Key", "test-admin-key-012345678X")
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), 401);
    // An org session is not an admin credential.
    app.org_admin_session("acme").await;
    assert_eq!(app.get("/api/v1/admin/organizations").await.status(), 401);
}

async fn organizations_page_with_an_opaque_cursor(app: TestApp) {
    for id in ["org-c", "org-a", "org-b"] {
        app.create_org(id).await;
    }
    let first = json_of(
        app.admin(Method::GET, "/api/v1/admin/organizations?limit=2", None)
            .await,
    )
    .await;
    let ids: Vec<&str> = first["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["org_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["org-a", "org-b"]);
    let cursor = first["next_cursor"].as_str().expect("a next cursor");
    let second = json_of(
        app.admin(
            Method::GET,
            &format!("/api/v1/admin/organizations?limit=2&cursor={cursor}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(second["organizations"][0]["org_id"], "org-c");
    assert_eq!(second["organizations"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);
    let bad = app
        .admin(Method::GET, "/api/v1/admin/organizations?limit=0", None)
        .await;
    assert_eq!(bad.status(), 400);
    let bad_cursor = app
        .admin(Method::GET, "/api/v1/admin/organizations?cursor=%%%", None)
        .await;
    assert_eq!(bad_cursor.status(), 400);
}

async fn patch_changes_fields_and_suspension_ends_sessions(app: TestApp) {
    app.org_admin_session("acme").await;
    assert_eq!(app.get("/api/v1/auth/session").await.status(), 200);
    let patched = app
        .admin(
            Method::PATCH,
            "/api/v1/admin/organizations/acme",
            Some(json!({"name": "Acme Corp", "contact_email": null, "status": "suspended"})),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let org = json_of(patched).await;
    assert_eq!(org["name"], "Acme Corp");
    assert_eq!(org["contact_email"], Value::Null);
    assert_eq!(org["status"], "suspended");
    assert_eq!(app.get("/api/v1/auth/session").await.status(), 401);
    let login = app.login("acme").await;
    assert_eq!(login.status(), 403);
    assert_eq!(json_of(login).await["error"], "org_suspended");

    let bad = app
        .admin(
            Method::PATCH,
            "/api/v1/admin/organizations/acme",
            Some(json!({"status": "deleted"})),
        )
        .await;
    assert_eq!(bad.status(), 400);
    let missing = app
        .admin(
            Method::PATCH,
            "/api/v1/admin/organizations/nope",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(missing.status(), 404);
    let reactivated = app
        .admin(
            Method::PATCH,
            "/api/v1/admin/organizations/acme",
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(reactivated.status(), 200);
    assert_eq!(app.login("acme").await.status(), 200);
}

async fn deleting_an_org_removes_it_and_everything_it_owns(app: TestApp) {
    app.org_admin_session("acme").await;
    app.scim_token("okta").await;
    let deleted = app
        .admin(Method::DELETE, "/api/v1/admin/organizations/acme", None)
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.admin(Method::GET, "/api/v1/admin/organizations/acme", None)
            .await
            .status(),
        404
    );
    assert_eq!(app.get("/api/v1/auth/session").await.status(), 401);
    assert_eq!(
        app.admin(Method::DELETE, "/api/v1/admin/organizations/acme", None)
            .await
            .status(),
        404
    );
    // The id is free again.
    app.create_org("acme").await;
}

async fn setting_the_password_revokes_password_sessions(app: TestApp) {
    app.org_admin_session("acme").await;
    let new_password = "a brand new passphrase";
    let path = "/api/v1/admin/organizations/acme/password";
    let weak = app
        .admin(Method::POST, path, Some(json!({"password": "short"})))
        .await;
    assert_eq!(weak.status(), 422);
    let set = app
        .admin(Method::POST, path, Some(json!({"password": new_password})))
        .await;
    assert_eq!(set.status(), 204);
    assert_eq!(app.get("/api/v1/auth/session").await.status(), 401);
    assert_eq!(app.login("acme").await.status(), 401);
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"org_id": "acme", "password": new_password}),
        )
        .await;
    assert_eq!(login.status(), 200);
    let unknown = app
        .admin(
            Method::POST,
            "/api/v1/admin/organizations/nope/password",
            Some(json!({"password": ORG_PASSWORD})),
        )
        .await;
    assert_eq!(unknown.status(), 404);
}

async fn licenses_are_set_read_and_removed(app: TestApp) {
    app.create_org("acme").await;
    let path = "/api/v1/admin/organizations/acme/license";
    assert_eq!(app.admin(Method::GET, path, None).await.status(), 404);
    let body = json!({"tier": "enterprise", "seats": 25, "expires_at": "2030-01-01T00:00:00Z"});
    let set = app.admin(Method::POST, path, Some(body)).await;
    assert_eq!(set.status(), 200);
    let license = json_of(set).await;
    assert_eq!(license["tier"], "enterprise");
    assert_eq!(license["seats"], 25);
    assert_eq!(license["expires_at"], "2030-01-01T00:00:00Z");
    let org = json_of(
        app.admin(Method::GET, "/api/v1/admin/organizations/acme", None)
            .await,
    )
    .await;
    assert_eq!(org["license"]["seats"], 25);
    let replaced = json_of(
        app.admin(
            Method::POST,
            path,
            Some(json!({"tier": "pro", "seats": null})),
        )
        .await,
    )
    .await;
    assert_eq!(replaced["tier"], "pro");
    assert_eq!(replaced["seats"], Value::Null);
    for bad in [
        json!({"tier": "gold"}),
        json!({"tier": "pro", "seats": -1}),
        json!({"tier": "pro", "expires_at": "tomorrow"}),
    ] {
        assert_eq!(
            app.admin(Method::POST, path, Some(bad.clone()))
                .await
                .status(),
            400,
            "{bad}"
        );
    }
    assert_eq!(app.admin(Method::DELETE, path, None).await.status(), 204);
    assert_eq!(app.admin(Method::GET, path, None).await.status(), 404);
    assert_eq!(
        app.admin(
            Method::GET,
            "/api/v1/admin/organizations/nope/license",
            None
        )
        .await
        .status(),
        404
    );
}

mod community_mode {
    use super::*;

    /// With no ADMIN_API_KEY in community mode, loopback peers (the tests) may use the API.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_an_admin_key_loopback_clients_are_trusted() {
        let app = spawn_app_with(
            Db::Sqlite,
            &[("ADMIN_API_KEY", ""), ("DEPLOYMENT_MODE", "community")],
        )
        .await
        .expect("app");
        let res = app
            .post_json(
                "/api/v1/admin/organizations",
                &json!({"org_id": "acme", "name": "Acme"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
}
