//! Portal read APIs over the directory and the SCIM request log (org admins only).

use std::time::Duration;

use serde_json::{json, Value};

use super::{patch_body, Scim};
use crate::both_dbs;
use crate::helpers::{json_of, new_client, TestApp};

both_dbs!(
    admins_read_users_groups_and_effective_roles,
    the_scim_request_log_keeps_redacted_requests,
    log_pages_lose_no_entry_logged_in_the_same_millisecond,
    a_nul_in_one_request_loses_no_log_entry
);

/// Stores an SSO configuration row directly (its API belongs to another surface).
async fn sso_config(app: &TestApp, org: &str, config: Value) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.expect("pool");
    sqlx::query("INSERT INTO sso_configs (org_id, protocol, enabled, enforce_sso, config, created_at, updated_at) VALUES ($1, 'saml', $2, $3, $4, 0, 0)")
        .bind(org)
        .bind(true)
        .bind(false)
        .bind(config.to_string())
        .execute(&pool)
        .await
        .expect("insert");
    pool.close().await;
}

async fn admins_read_users_groups_and_effective_roles(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let alice = scim.user("alice@acme.test").await;
    let bob = scim.user("bob@acme.test").await;
    let admins = scim
        .post(
            "/Groups",
            &json!({"displayName": "axid-admins", "externalId": "okta-00g1"}),
        )
        .await
        .expect(201);
    let gid = admins["id"].as_str().expect("id");
    scim.patch(
        &format!("/Groups/{gid}"),
        &patch_body(json!([{"op": "add", "path": "members", "value": [{"value": alice}]}])),
    )
    .await
    .expect(200);
    let list = json_of(app.get("/api/v1/users?limit=1").await).await;
    assert_eq!(list["users"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["total"], 2);
    let next = list["next_cursor"].as_str().expect("cursor");
    // A cursor past any directory is refused, never an overflow (issue 10, "Also").
    for cursor in ["9223372036854775807", "1099511627777", "-1", "1e3"] {
        let bad = app.get(&format!("/api/v1/users?cursor={cursor}")).await;
        assert_eq!(bad.status(), 400, "cursor {cursor}");
        assert_eq!(
            json_of(bad).await["error"],
            "invalid_cursor",
            "cursor {cursor}"
        );
    }
    let page2 = json_of(
        app.get(&format!("/api/v1/users?limit=1&cursor={next}"))
            .await,
    )
    .await;
    let mut both = vec![
        list["users"][0]["id"].clone(),
        page2["users"][0]["id"].clone(),
    ];
    both.sort_by_key(|v| v.to_string());
    let mut want = vec![json!(alice), json!(bob)];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(both, want);
    assert_eq!(page2["next_cursor"], Value::Null);

    // No SSO configuration: no roles.
    let detail = json_of(app.get(&format!("/api/v1/users/{alice}")).await).await;
    assert_eq!(detail["source"], "scim");
    assert_eq!(detail["roles"], json!([]));
    assert_eq!(detail["groups"][0]["display_name"], "axid-admins");
    sso_config(&app, "acme", json!({"default_role": "viewer", "group_role_mappings": [
        {"group": "AXID-ADMINS", "role": "admin"}, {"group": "okta-00g1", "role": "billing:read"}]})).await;
    let detail = json_of(app.get(&format!("/api/v1/users/{alice}")).await).await;
    assert_eq!(detail["roles"], json!(["admin", "billing:read"]));
    let detail = json_of(app.get(&format!("/api/v1/users/{bob}")).await).await;
    assert_eq!(detail["roles"], json!(["viewer"]));
    // Deactivated: roles are gone though memberships remain.
    scim.patch(
        &format!("/Users/{alice}"),
        &patch_body(json!([{"op": "replace", "path": "active", "value": false}])),
    )
    .await
    .expect(200);
    let detail = json_of(app.get(&format!("/api/v1/users/{alice}")).await).await;
    assert_eq!(detail["roles"], json!([]));
    assert_eq!(detail["groups"].as_array().map(Vec::len), Some(1));

    let groups = json_of(app.get("/api/v1/groups").await).await;
    assert_eq!(groups["groups"][0]["display_name"], "axid-admins");
    let res = app.get("/api/v1/users/nope").await;
    assert_eq!(res.status(), 404);
    // A viewer key may not read the directory; no credential is 401; a SCIM token is 401.
    let key = json_of(
        app.post_json("/api/v1/keys", &json!({"name": "v", "role": "viewer"}))
            .await,
    )
    .await;
    let key = key["key"].as_str().expect("key");
    let anon = new_client();
    let res = anon
        .get(app.url("/api/v1/users"))
        .bearer_auth(key)
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 403);
    let res = anon
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 401);
    let res = anon
        .get(app.url("/api/v1/groups"))
        .bearer_auth(&scim.token)
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 401);
}

async fn the_scim_request_log_keeps_redacted_requests(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let mut body = super::user_body("log@acme.test");
    body["password"] = json!("s3cret-Passw0rd");
    scim.post("/Users", &body).await.expect(201);
    scim.filter("Users", "userName zz 1")
        .await
        .error(400, Some("invalidFilter"));
    let mut requests = Value::Null;
    for _ in 0..50 {
        requests = json_of(app.get("/api/v1/scim/requests").await).await;
        if requests["requests"]
            .as_array()
            .is_some_and(|r| r.len() >= 2)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = requests["requests"].as_array().expect("requests");
    assert_eq!(list.len(), 2, "{requests}");
    let bad = list.iter().find(|r| r["status"] == 400).expect("the 400");
    assert_eq!(bad["method"], "GET");
    assert_eq!(bad["scim_type"], "invalidFilter");
    assert!(bad["path"]
        .as_str()
        .expect("path")
        .starts_with("/scim/v2/Users?filter="));
    let created = list.iter().find(|r| r["status"] == 201).expect("the 201");
    assert_eq!(created["body"]["userName"], "log@acme.test");
    assert_eq!(created["body"]["password"], "[redacted]");
    assert!(!requests.to_string().contains("s3cret-Passw0rd"));
    assert!(created["duration_ms"].is_i64());
}

/// Issue 10, item 4: on PostgreSQL a NUL in a PATCH path used to make the shared log batch
/// fail, dropping every tenant's entries with it. Both entries of the batch are kept, the
/// NUL shown as U+FFFD.
async fn a_nul_in_one_request_loses_no_log_entry(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("nul@acme.test").await;
    let patch = patch_body(json!([{"op": "replace", "path": "\u{0}", "value": "x"}]));
    let refused = scim.patch(&format!("/Users/{id}"), &patch).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    scim.get("/Users?count=1").await.expect(200);
    let mut requests = Value::Null;
    for _ in 0..50 {
        requests = json_of(app.get("/api/v1/scim/requests").await).await;
        if requests["requests"]
            .as_array()
            .is_some_and(|r| r.len() >= 3)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = requests["requests"].as_array().expect("requests");
    assert_eq!(
        list.len(),
        3,
        "create, the refused PATCH and the GET: {requests}"
    );
    let bad = list.iter().find(|r| r["status"] == 400).expect("the 400");
    assert_eq!(bad["method"], "PATCH");
    assert!(!requests.to_string().contains("\\u0000"), "{requests}");
}

mod session_roles {
    use super::*;
    use axid::clock::Clock;
    use axid::domain::OrgId;
    use axid::store::NewSession;

    both_dbs!(live_sessions_follow_membership_changes);

    async fn roles_of(app: &TestApp, hash: &str) -> Option<Value> {
        let now = app.clock.now_ms();
        let s = app
            .state
            .store
            .find_live_session(hash, now, now - 3_600_000)
            .await
            .expect("lookup")?;
        Some(serde_json::from_str(&s.roles).expect("roles json"))
    }

    async fn live_sessions_follow_membership_changes(app: TestApp) {
        let scim = Scim::new(&app, "acme").await;
        sso_config(&app, "acme", json!({"group_role_mappings": [{"group": "axid-admins", "role": "admin"}, {"group": "staff", "role": "viewer"}]})).await;
        let uid = scim.user("sam@acme.test").await;
        let staff = scim.group("staff").await;
        let admins = scim.group("axid-admins").await;
        let add = |u: &str| {
            patch_body(json!([{"op": "add", "path": "members", "value": [{"value": u}]}]))
        };
        scim.patch(&format!("/Groups/{staff}"), &add(&uid))
            .await
            .expect(200);
        let org = OrgId::parse("acme").expect("org");
        let now = app.clock.now_ms();
        let s = NewSession {
            id_hash: "hash-sam",
            principal_type: "user",
            principal_id: &uid,
            email: None,
            name: None,
            roles_json: "[\"viewer\"]",
            auth_method: "saml",
            expires_at: now + 3_600_000,
            idp_groups_json: None,
            saml_name_id: None,
            saml_session_index: None,
        };
        app.state
            .store
            .insert_session(&org, &s, now)
            .await
            .expect("session");
        scim.patch(&format!("/Groups/{admins}"), &add(&uid))
            .await
            .expect(200);
        assert_eq!(
            roles_of(&app, "hash-sam").await,
            Some(json!(["admin", "viewer"]))
        );
        // Renaming a mapped group changes what it maps to.
        let rename =
            patch_body(json!([{"op": "replace", "path": "displayName", "value": "former-admins"}]));
        scim.patch(&format!("/Groups/{admins}"), &rename)
            .await
            .expect(200);
        assert_eq!(roles_of(&app, "hash-sam").await, Some(json!(["viewer"])));
        // Without a default role, losing the last mapped group ends the session.
        assert_eq!(scim.delete(&format!("/Groups/{staff}")).await.status, 204);
        assert_eq!(roles_of(&app, "hash-sam").await, None);
    }
}

async fn log_pages_lose_no_entry_logged_in_the_same_millisecond(app: TestApp) {
    app.org_admin_session("acme").await;
    let now = axid::clock::Clock::now_ms(app.clock.as_ref());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.expect("pool");
    for id in ["e1", "e2", "e3"] {
        sqlx::query("INSERT INTO scim_requests (id, org_id, at, method, path, status, duration_ms) VALUES ($1, 'acme', $2, 'GET', '/scim/v2/Users', 200, 1)")
            .bind(id)
            .bind(now)
            .execute(&pool)
            .await
            .expect("insert");
    }
    pool.close().await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/scim/requests?limit=1".to_owned();
    for _ in 0..5 {
        let page = json_of(app.get(&path).await).await;
        for entry in page["requests"].as_array().expect("requests") {
            seen.push(entry["id"].as_str().expect("id").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/scim/requests?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["e3", "e2", "e1"]);
}
