//! Portal API keys and SCIM tokens (CONTRACT.md §9), surfaces kept apart (§1), roles (§5).

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;

use crate::both_dbs;
use crate::helpers::{json_of, new_client, status_of, TestApp};

both_dbs!(
    a_key_is_shown_once_and_only_its_hash_is_stored,
    keys_authenticate_by_bearer_or_header_within_their_role,
    revoked_and_expired_keys_stop_at_once,
    scim_tokens_are_managed_like_keys_but_never_open_the_portal,
    nothing_of_one_org_is_reachable_with_another_orgs_credentials,
    creating_and_revoking_credentials_is_audited_without_secrets,
);

async fn create_key(app: &TestApp, body: Value) -> Value {
    let res = app.post_json("/api/v1/keys", &body).await;
    assert_eq!(res.status(), 201, "{body}");
    json_of(res).await
}

async fn stored_hashes(app: &TestApp) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.expect("connect");
    let rows = sqlx::query("SELECT secret_hash FROM credentials")
        .fetch_all(&pool)
        .await
        .expect("query");
    pool.close().await;
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

async fn a_key_is_shown_once_and_only_its_hash_is_stored(app: TestApp) {
    app.org_admin_session("acme").await;
    let created = create_key(&app, json!({"name": "ci"})).await;
    let key = created["key"]
        .as_str()
        .expect("the secret, once")
        .to_owned();
    assert!(key.starts_with("axk_"));
    assert_eq!(created["role"], "viewer", "least privilege by default");
    assert_eq!(created["prefix"].as_str().unwrap(), &key[..12]);
    assert_eq!(created["last_used_at"], Value::Null);
    let id = created["id"].as_str().unwrap();
    let read = json_of(app.get(&format!("/api/v1/keys/{id}")).await).await;
    assert!(read.get("key").is_none());
    let list = json_of(app.get("/api/v1/keys").await).await;
    assert_eq!(list["keys"].as_array().unwrap().len(), 1);
    assert!(list["keys"][0].get("key").is_none());
    let hashes = stored_hashes(&app).await;
    assert_eq!(hashes, vec![axid::domain::hash_secret(&key)]);
    assert!(!hashes[0].contains(&key[4..]));
    for bad in [
        json!({"name": ""}),
        json!({"name": "x", "role": "Not A Role"}),
        json!({"name": "x", "expires_at": "soon"}),
    ] {
        assert_eq!(
            app.post_json("/api/v1/keys", &bad).await.status(),
            400,
            "{bad}"
        );
    }
    let past = app
        .post_json(
            "/api/v1/keys",
            &json!({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(past.status(), 422);
}

async fn keys_authenticate_by_bearer_or_header_within_their_role(app: TestApp) {
    app.org_admin_session("acme").await;
    let admin_key = create_key(&app, json!({"name": "admin", "role": "admin"})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer_key = create_key(&app, json!({"name": "viewer"})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let anonymous = new_client();
    let bearer = anonymous
        .get(app.url("/api/v1/keys"))
        .bearer_auth(&admin_key)
        .send()
        .await
        .expect("send");
    assert_eq!(bearer.status(), 200);
    let header = anonymous
        .get(app.url("/api/v1/keys"))
        .header("x-api-key", &admin_key)
        .send()
        .await
        .expect("send");
    assert_eq!(header.status(), 200);
    let listed = json_of(header).await;
    assert!(
        listed["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["last_used_at"].is_string()),
        "last_used_at is kept"
    );
    let viewer = anonymous
        .get(app.url("/api/v1/keys"))
        .bearer_auth(&viewer_key)
        .send()
        .await
        .expect("send");
    assert_eq!(viewer.status(), 403, "authenticated but not allowed");
    assert_eq!(json_of(viewer).await["error"], "forbidden");
    let nobody = anonymous
        .get(app.url("/api/v1/keys"))
        .bearer_auth("axk_not-a-real-key")
        .send()
        .await
        .expect("send");
    assert_eq!(nobody.status(), 401);
    // A key is not a portal session.
    let session = anonymous
        .get(app.url("/api/v1/auth/session"))
        .bearer_auth(&admin_key)
        .send()
        .await
        .expect("send");
    assert_eq!(session.status(), 401);
    // Keys are not cookies: no CSRF rule applies to them, any Origin is fine.
    let created = anonymous
        .post(app.url("/api/v1/keys"))
        .bearer_auth(&admin_key)
        .header("origin", "https://automation.example")
        .json(&json!({"name": "from-ci"}))
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), 201);
}

async fn revoked_and_expired_keys_stop_at_once(app: TestApp) {
    app.org_admin_session("acme").await;
    let created = create_key(
        &app,
        json!({"name": "short", "role": "admin", "expires_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let key = created["key"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    let use_key = || {
        new_client()
            .get(app.url("/api/v1/keys"))
            .bearer_auth(&key)
            .send()
    };
    assert_eq!(use_key().await.expect("send").status(), 200);
    assert_eq!(
        status_of(app.client.delete(app.url(&format!("/api/v1/keys/{id}")))).await,
        204
    );
    assert_eq!(use_key().await.expect("send").status(), 401);
    assert_eq!(
        status_of(app.client.delete(app.url(&format!("/api/v1/keys/{id}")))).await,
        404
    );

    let expiring = create_key(&app, json!({"name": "hour", "role": "admin",
        "expires_at": axid::clock::rfc3339(axid::clock::Clock::now_ms(app.clock.as_ref()) + 3_600_000)})).await;
    let key = expiring["key"].as_str().unwrap().to_owned();
    assert_eq!(
        status_of(new_client().get(app.url("/api/v1/keys")).bearer_auth(&key)).await,
        200
    );
    app.clock.advance_secs(3_601);
    assert_eq!(
        status_of(new_client().get(app.url("/api/v1/keys")).bearer_auth(&key)).await,
        401
    );
}

async fn scim_tokens_are_managed_like_keys_but_never_open_the_portal(app: TestApp) {
    app.org_admin_session("acme").await;
    let res = app
        .post_json("/api/v1/scim/tokens", &json!({"name": "okta"}))
        .await;
    assert_eq!(res.status(), 201);
    let created = json_of(res).await;
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("axs_"));
    assert!(created.get("role").is_none());
    let list = json_of(app.get("/api/v1/scim/tokens").await).await;
    assert_eq!(list["tokens"][0]["name"], "okta");
    assert!(list["tokens"][0].get("token").is_none());
    let portal = new_client()
        .get(app.url("/api/v1/keys"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(
        portal.status(),
        401,
        "a SCIM token is refused on the portal"
    );
    let as_key = new_client()
        .get(app.url("/api/v1/scim/tokens"))
        .header("x-api-key", &token)
        .send()
        .await
        .expect("send");
    assert_eq!(as_key.status(), 401);
    let id = created["id"].as_str().unwrap();
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/scim/tokens/{id}")))
        .send()
        .await
        .expect("send");
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        json_of(app.get("/api/v1/scim/tokens").await).await["tokens"],
        json!([])
    );
}

async fn nothing_of_one_org_is_reachable_with_another_orgs_credentials(app: TestApp) {
    app.org_admin_session("org-a").await;
    let a_key = create_key(&app, json!({"name": "a-admin", "role": "admin"})).await;
    let a_token = json_of(
        app.post_json("/api/v1/scim/tokens", &json!({"name": "a-scim"}))
            .await,
    )
    .await;

    let b = new_client();
    app.create_org("org-b").await;
    let login = b
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"org_id": "org-b", "password": crate::helpers::ORG_PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(login.status(), 200);
    let b_keys: Value = b
        .get(app.url("/api/v1/keys"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(b_keys["keys"], json!([]));
    let b_tokens: Value = b
        .get(app.url("/api/v1/scim/tokens"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(b_tokens["tokens"], json!([]));
    let a_key_id = a_key["id"].as_str().unwrap();
    let a_token_id = a_token["id"].as_str().unwrap();
    assert_eq!(
        status_of(b.get(app.url(&format!("/api/v1/keys/{a_key_id}")))).await,
        404
    );
    assert_eq!(
        status_of(b.delete(app.url(&format!("/api/v1/keys/{a_key_id}")))).await,
        404
    );
    assert_eq!(
        status_of(b.delete(app.url(&format!("/api/v1/scim/tokens/{a_token_id}")))).await,
        404
    );
    // Org A's key still works and still sees only org A.
    let a_view = new_client()
        .get(app.url("/api/v1/keys"))
        .bearer_auth(a_key["key"].as_str().unwrap())
        .send()
        .await
        .expect("send");
    assert_eq!(json_of(a_view).await["keys"].as_array().unwrap().len(), 1);
    let _ = Method::GET;
}

/// The org's audit events of `kind` prefix, oldest first, as an admin reads them.
pub async fn audit_events(app: &TestApp, prefix: &str) -> Vec<Value> {
    let res = app.get("/api/v1/sso/audit?limit=200").await;
    assert_eq!(res.status(), 200);
    let mut events: Vec<Value> = json_of(res).await["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["event"].as_str().unwrap_or_default().starts_with(prefix))
        .cloned()
        .collect();
    events.reverse();
    events
}

async fn creating_and_revoking_credentials_is_audited_without_secrets(app: TestApp) {
    app.org_admin_session("acme").await;
    let key = create_key(&app, json!({"name": "deploy bot", "role": "editor"})).await;
    let key_id = key["id"].as_str().unwrap().to_owned();
    // Events of one instant are ordered by id: a second between steps keeps their order.
    app.clock.advance_secs(1);
    let token = app
        .post_json("/api/v1/scim/tokens", &json!({"name": "okta"}))
        .await;
    assert_eq!(token.status(), 201);
    let token = json_of(token).await;
    let token_id = token["id"].as_str().unwrap().to_owned();
    app.clock.advance_secs(1);
    // The key itself revokes the token: the event names it as the actor.
    let admin_key = create_key(&app, json!({"name": "admin bot", "role": "admin"})).await;
    let admin_key_id = admin_key["id"].as_str().unwrap().to_owned();
    app.clock.advance_secs(1);
    let by_key = new_client()
        .delete(app.url(&format!("/api/v1/scim/tokens/{token_id}")))
        .bearer_auth(admin_key["key"].as_str().unwrap())
        .send()
        .await
        .expect("send");
    assert_eq!(by_key.status(), 204);
    app.clock.advance_secs(1);
    assert_eq!(
        app.client
            .delete(app.url(&format!("/api/v1/keys/{key_id}")))
            .send()
            .await
            .expect("send")
            .status(),
        204
    );
    let missing = app
        .client
        .delete(app.url("/api/v1/keys/no-such-key"))
        .send()
        .await
        .expect("send");
    assert_eq!(missing.status(), 404);

    let mut events = audit_events(&app, "api_key.").await;
    events.extend(audit_events(&app, "scim_token.").await);
    let summary: Vec<(String, String, String)> = events
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_owned(),
                e["detail"]["id"].as_str().unwrap().to_owned(),
                e["principal"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let admin = "org_admin".to_owned();
    assert_eq!(
        summary,
        vec![
            ("api_key.created".into(), key_id.clone(), admin.clone()),
            (
                "api_key.created".into(),
                admin_key_id.clone(),
                admin.clone()
            ),
            ("api_key.revoked".into(), key_id.clone(), admin.clone()),
            ("scim_token.created".into(), token_id.clone(), admin.clone()),
            (
                "scim_token.revoked".into(),
                token_id,
                format!("api_key:{admin_key_id}")
            ),
        ]
    );
    assert_eq!(
        events[0]["detail"],
        json!({"id": key_id, "name": "deploy bot", "role": "editor"})
    );
    assert_eq!(events[0]["outcome"], "success");
    assert_eq!(events[0]["ip"], "127.0.0.1");
    let text = serde_json::to_string(&events).unwrap();
    for secret in [
        &key["key"],
        &admin_key["key"],
        &token["token"],
        &key["prefix"],
    ] {
        assert!(
            !text.contains(secret.as_str().unwrap()),
            "a secret in the audit"
        );
    }
}
