//! The clients API (CONTRACT.md §12): shown once, SHA-256 only, roles, rotation, revocation.

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;

use super::{api_key, create_client, service_client, token_response, HIGH_LIMIT};
use crate::both_dbs_with;
use crate::helpers::{json_of, new_client, TestApp};

both_dbs_with!(HIGH_LIMIT;
    a_client_secret_is_shown_once_and_stored_as_sha256_only,
    admins_write_clients_and_editors_and_viewers_only_read_them,
    rotation_keeps_two_live_secrets_and_revocation_stops_at_once,
    last_used_is_written_at_most_once_a_minute,
    one_organization_never_reaches_anothers_clients,
);

async fn db_rows(app: &TestApp, sql: &str) -> Vec<sqlx::any::AnyRow> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.expect("connect");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_all(&pool)
        .await
        .expect("query");
    pool.close().await;
    rows
}

/// The audit trail has no portal feed of its own yet (the SSO feed shows SSO events).
async fn audit_events(app: &TestApp) -> Vec<String> {
    let rows = db_rows(app, "SELECT event FROM audit_events WHERE org_id = 'acme' AND event LIKE 'client%' AND detail LIKE '%axc_%'").await;
    rows.iter().map(|r| r.get(0)).collect()
}

async fn a_client_secret_is_shown_once_and_stored_as_sha256_only(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = create_client(
        &app,
        json!({"name": "billing", "type": "service", "roles": ["billing:read", "billing:read"],
               "audiences": ["https://api.acme.test"], "token_ttl_secs": 900}),
    )
    .await;
    assert!(c.client_id.starts_with("axc_"));
    assert!(
        c.secret.starts_with("axcs_") && c.secret.len() >= 5 + 43,
        "256 random bits"
    );
    assert_eq!(c.body["roles"], json!(["billing:read"]));
    assert_eq!(c.body["token_ttl_secs"], 900);
    assert_eq!(c.body["disabled"], false);
    assert_eq!(c.body["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(
        c.body["secrets"][0]["prefix"].as_str().unwrap(),
        &c.secret[..13]
    );
    let read = json_of(app.get(&format!("/api/v1/clients/{}", c.id)).await).await;
    assert!(read.get("client_secret").is_none());
    let by_client_id = app.get(&format!("/api/v1/clients/{}", c.client_id)).await;
    assert_eq!(by_client_id.status(), 200);
    let list = json_of(app.get("/api/v1/clients").await).await;
    assert_eq!(list["clients"].as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(&c.secret));
    let hashes: Vec<String> = db_rows(&app, "SELECT secret_hash FROM oauth_client_secrets")
        .await
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(hashes, vec![axid::domain::hash_secret(&c.secret)]);
    for (bad, status, code) in [
        (json!({"name": "x", "type": "robot"}), 400, "invalid_type"),
        (json!({"name": "", "type": "service"}), 400, "invalid_name"),
        (
            json!({"name": "x", "type": "service", "roles": ["Not A Role"]}),
            400,
            "invalid_role",
        ),
        (
            json!({"name": "x", "type": "service", "token_ttl_secs": 3601}),
            422,
            "invalid_token_ttl",
        ),
        (
            json!({"name": "x", "type": "web", "redirect_uris": ["http://evil.test/cb"]}),
            400,
            "invalid_redirect_uri",
        ),
        (
            json!({"name": "x", "type": "web", "redirect_uris": ["https://app.test/cb#frag"]}),
            400,
            "invalid_redirect_uri",
        ),
        (
            json!({"name": "x", "type": "service", "signing_alg": "HS256"}),
            400,
            "invalid_signing_alg",
        ),
    ] {
        let res = app.post_json("/api/v1/clients", &bad).await;
        assert_eq!(res.status(), status, "{bad}");
        assert_eq!(json_of(res).await["error"], code, "{bad}");
    }
}

async fn admins_write_clients_and_editors_and_viewers_only_read_them(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &["reader"]).await;
    for role in ["viewer", "editor"] {
        let key = api_key(&app, role).await;
        let anon = new_client();
        let list = anon
            .get(app.url("/api/v1/clients"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), 200, "{role} lists");
        let create = anon
            .post(app.url("/api/v1/clients"))
            .bearer_auth(&key)
            .json(&json!({"name": "x", "type": "service"}))
            .send()
            .await
            .unwrap();
        assert_eq!(create.status(), 403, "{role} cannot create");
        assert_eq!(json_of(create).await["error"], "forbidden");
        let rotate = anon
            .post(app.url(&format!("/api/v1/clients/{}/secrets", c.id)))
            .bearer_auth(&key)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(rotate.status(), 403);
    }
    let nobody = new_client()
        .get(app.url("/api/v1/clients"))
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), 401);
    let patched = app
        .client
        .patch(app.url(&format!("/api/v1/clients/{}", c.id)))
        .json(&json!({"name": "renamed", "roles": ["reader", "writer"], "signing_alg": "ES256"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let patched = json_of(patched).await;
    assert_eq!(patched["name"], "renamed");
    assert_eq!(patched["roles"], json!(["reader", "writer"]));
    assert_eq!(patched["signing_alg"], "ES256");
    let events = audit_events(&app).await;
    for event in ["client_created", "client_updated"] {
        assert!(
            events.iter().any(|e| e == event),
            "audited: {event} in {events:?}"
        );
    }
}

async fn rotate(app: &TestApp, id: &str, body: Value) -> Value {
    let res = app
        .post_json(&format!("/api/v1/clients/{id}/secrets"), &body)
        .await;
    assert_eq!(res.status(), 201);
    json_of(res).await
}

async fn status_with(app: &TestApp, client_id: &str, secret: &str) -> u16 {
    token_response(app, client_id, secret, &[])
        .await
        .status()
        .as_u16()
}

async fn rotation_keeps_two_live_secrets_and_revocation_stops_at_once(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let s1 = c.secret.clone();
    let r2 = rotate(&app, &c.id, json!({"previous_secret_ttl_secs": 3600})).await;
    let s2 = r2["client_secret"].as_str().unwrap().to_owned();
    assert!(s2.starts_with("axcs_") && s2 != s1);
    assert_eq!(
        status_with(&app, &c.client_id, &s1).await,
        200,
        "the previous secret keeps working"
    );
    assert_eq!(status_with(&app, &c.client_id, &s2).await, 200);
    let r3 = rotate(&app, &c.id, json!({})).await;
    let s3 = r3["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(
        status_with(&app, &c.client_id, &s1).await,
        401,
        "at most two live secrets"
    );
    assert_eq!(
        status_with(&app, &c.client_id, &s2).await,
        200,
        "default: the previous lasts a day"
    );
    let listed = json_of(app.get(&format!("/api/v1/clients/{}", c.id)).await).await;
    let secrets = listed["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 2);
    assert!(secrets[0]["expires_at"].is_string() && secrets[1]["expires_at"].is_null());
    app.clock.advance_secs(86_401);
    assert_eq!(
        status_with(&app, &c.client_id, &s2).await,
        401,
        "expired after previous_secret_ttl_secs"
    );
    assert_eq!(status_with(&app, &c.client_id, &s3).await, 200);
    assert_eq!(
        app.login("acme").await.status(),
        200,
        "the day outlived the session"
    );
    let token = super::access_token(
        &app,
        &super::Client {
            secret: s3.clone(),
            ..c.clone()
        },
    )
    .await;
    let revoke = app
        .client
        .delete(app.url(&format!(
            "/api/v1/clients/{}/secrets/{}",
            c.id,
            r3["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    assert_eq!(
        status_with(&app, &c.client_id, &s3).await,
        401,
        "revoked at once"
    );
    let other = service_client(&app, &[]).await;
    assert_eq!(
        super::introspect(&app, &other, &token).await,
        json!({"active": false}),
        "its tokens stop too"
    );
    let again = app
        .client
        .delete(app.url(&format!(
            "/api/v1/clients/{}/secrets/{}",
            c.id,
            r3["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    let bad_ttl = app
        .post_json(
            &format!("/api/v1/clients/{}/secrets", c.id),
            &json!({"previous_secret_ttl_secs": -1}),
        )
        .await;
    assert_eq!(bad_ttl.status(), 422);
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/clients/{}", c.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.get(&format!("/api/v1/clients/{}", c.id)).await.status(),
        404
    );
    let events = audit_events(&app).await;
    for event in [
        "client_secret_rotated",
        "client_secret_revoked",
        "client_deleted",
    ] {
        assert!(
            events.iter().any(|e| e == event),
            "audited: {event} in {events:?}"
        );
    }
}

async fn last_used(app: &TestApp) -> (Option<i64>, Option<i64>) {
    let rows = db_rows(app, "SELECT c.last_used_at, s.last_used_at FROM oauth_clients c JOIN oauth_client_secrets s ON s.client_ref = c.id").await;
    (rows[0].get(0), rows[0].get(1))
}

async fn last_used_is_written_at_most_once_a_minute(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    assert_eq!(last_used(&app).await, (None, None));
    assert_eq!(status_with(&app, &c.client_id, &c.secret).await, 200);
    let first = last_used(&app).await;
    assert!(first.0.is_some() && first.1.is_some());
    app.clock.advance_secs(30);
    assert_eq!(status_with(&app, &c.client_id, &c.secret).await, 200);
    assert_eq!(
        last_used(&app).await,
        first,
        "not rewritten within the minute"
    );
    app.clock.advance_secs(31);
    assert_eq!(status_with(&app, &c.client_id, &c.secret).await, 200);
    assert!(last_used(&app).await.0 > first.0);
    let shown = json_of(app.get(&format!("/api/v1/clients/{}", c.id)).await).await;
    assert!(shown["last_used_at"].is_string() && shown["secrets"][0]["last_used_at"].is_string());
}

async fn one_organization_never_reaches_anothers_clients(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let other = super::org_session(&app, "globex").await;
    let list = json_of(other.get(app.url("/api/v1/clients")).send().await.unwrap()).await;
    assert_eq!(list["clients"], json!([]));
    for (method, path) in [
        (Method::GET, format!("/api/v1/clients/{}", c.id)),
        (Method::GET, format!("/api/v1/clients/{}", c.client_id)),
        (Method::DELETE, format!("/api/v1/clients/{}", c.id)),
        (Method::POST, format!("/api/v1/clients/{}/secrets", c.id)),
    ] {
        let res = other
            .request(method.clone(), app.url(&path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{method} {path}");
    }
    assert_eq!(
        status_with(&app, &c.client_id, &c.secret).await,
        200,
        "untouched"
    );
}
