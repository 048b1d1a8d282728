//! The events of the portal's writes (CONTRACT.md §15): SSO configuration changes, clients
//! and SCIM tokens, and `user.roles_changed` whenever a configuration, a membership or a
//! deactivation changes a directory user's mapped roles. Each shows its resource as the
//! portal API does and never a secret, a token or a hash of one.

use reqwest::Method;
use serde_json::{json, Value};

use super::{all_events, events_page, types_of};
use crate::helpers::{json_of, TestApp};
use crate::oidc::fake_provider::FakeProvider;
use crate::oidc::http_support::oidc_config;
use crate::saml::{saml_config, IDP_ENTITY};
use crate::scim::{patch_body, Scim};
use crate::{oidc_both_dbs, saml_both_dbs};

saml_both_dbs!(sso_configuration_changes_and_the_roles_they_change_are_events);
// The OIDC test app: the loopback OIDC provider is reachable over http.
oidc_both_dbs!(clients_and_scim_tokens_are_events_that_carry_no_secret);

/// The events after `cursor` and the next cursor.
async fn since(app: &TestApp, cursor: &str) -> (Vec<Value>, String) {
    let page = events_page(app, &app.client, &format!("after={cursor}&limit=500")).await;
    let events = page["events"].as_array().expect("events").clone();
    (
        events,
        page["next_cursor"].as_str().expect("cursor").to_owned(),
    )
}

async fn send(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.expect("send")
}

/// (user id, roles, previous roles) of each `user.roles_changed`, in order.
fn role_changes(events: &[Value]) -> Vec<(String, Value, Value)> {
    events
        .iter()
        .filter(|e| e["type"] == "user.roles_changed")
        .map(|e| {
            let d = &e["data"];
            (
                d["id"].as_str().expect("id").to_owned(),
                d["roles"].clone(),
                d["previous_roles"].clone(),
            )
        })
        .collect()
}

async fn sso_configuration_changes_and_the_roles_they_change_are_events(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let alice = scim.user("alice@acme.test").await;
    let bob = scim.user("bob@acme.test").await;
    let admins = scim
        .post(
            "/Groups",
            &json!({"displayName": "axid-admins", "members": [{"value": alice}]}),
        )
        .await
        .expect(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, cursor) = since(&app, "").await;

    // A new configuration maps alice's group to admin and gives bob the default role.
    let res = app
        .post_json("/api/v1/sso/config", &saml_config(json!({})))
        .await;
    assert_eq!(res.status(), 201);
    let shown = json_of(res).await;
    let (events, cursor) = since(&app, &cursor).await;
    assert_eq!(
        types_of(&events),
        [
            "sso.config_created",
            "user.roles_changed",
            "user.roles_changed"
        ]
    );
    let created = &events[0];
    assert_eq!(created["actor"]["type"], "org_admin");
    assert_eq!(created["data"]["saml"]["idp_entity_id"], IDP_ENTITY);
    assert_eq!(created["data"]["sp"], shown["sp"]);
    assert_eq!(created["data"]["created_at"], shown["created_at"]);
    let mut got = role_changes(&events);
    got.sort_by_key(|c| c.0.clone());
    let mut want = vec![
        (alice.clone(), json!(["admin"]), json!([])),
        (bob.clone(), json!(["viewer"]), json!([])),
    ];
    want.sort_by_key(|c| c.0.clone());
    assert_eq!(got, want);
    assert_eq!(
        events[1]["data"]["user_name"]
            .as_str()
            .map(|n| n.ends_with("@acme.test")),
        Some(true)
    );

    // A membership that changes roles, and a deactivation (a deactivated user has none).
    let add = patch_body(json!([{"op": "add", "path": "members", "value": [{"value": bob}]}]));
    scim.patch(&format!("/Groups/{admins}"), &add)
        .await
        .expect(200);
    let off = patch_body(json!([{"op": "replace", "path": "active", "value": false}]));
    scim.patch(&format!("/Users/{alice}"), &off)
        .await
        .expect(200);
    // A rename of a group nobody's roles depend on changes nothing.
    let other = scim.group("staff").await;
    let rename =
        patch_body(json!([{"op": "replace", "path": "displayName", "value": "all-staff"}]));
    scim.patch(&format!("/Groups/{other}"), &rename)
        .await
        .expect(200);
    let (events, cursor) = since(&app, &cursor).await;
    assert_eq!(
        types_of(&events),
        [
            "group.member_added",
            "user.roles_changed",
            "user.deactivated",
            "user.roles_changed",
            "group.created",
            "group.updated",
        ]
    );
    assert_eq!(
        role_changes(&events),
        [
            (bob.clone(), json!(["admin"]), json!(["viewer"])),
            (alice.clone(), json!([]), json!(["admin"])),
        ]
    );
    assert_eq!(events[1]["actor"]["type"], "scim");

    // A patch that changes no mapping is one event; one that drops the mapping changes bob.
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/sso/config",
        Some(json!({"enforce_sso": true})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/sso/config",
        Some(json!({"group_role_mappings": []})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let (events, cursor) = since(&app, &cursor).await;
    assert_eq!(
        types_of(&events),
        [
            "sso.config_updated",
            "sso.config_updated",
            "user.roles_changed"
        ]
    );
    assert_eq!(events[0]["data"]["enforce_sso"], true);
    assert_eq!(events[1]["data"]["group_role_mappings"], json!([]));
    assert_eq!(
        role_changes(&events),
        [(bob.clone(), json!(["viewer"]), json!(["admin"]))]
    );

    // Removing bob from the group now changes nothing: no mapping names it.
    let drop =
        patch_body(json!([{"op": "remove", "path": format!("members[value eq \"{bob}\"]")}]));
    scim.patch(&format!("/Groups/{admins}"), &drop)
        .await
        .expect(200);
    let res = send(&app, Method::DELETE, "/api/v1/sso/config", None).await;
    assert_eq!(res.status(), 204);
    let (events, _) = since(&app, &cursor).await;
    assert_eq!(
        types_of(&events),
        [
            "group.member_removed",
            "sso.config_deleted",
            "user.roles_changed"
        ]
    );
    assert_eq!(events[1]["data"]["saml"]["idp_entity_id"], IDP_ENTITY);
    assert_eq!(role_changes(&events), [(bob, json!([]), json!(["viewer"]))]);
    // A configuration that is not there is a 404 and no event.
    let res = send(&app, Method::DELETE, "/api/v1/sso/config", None).await;
    assert_eq!(res.status(), 404);
    let all = all_events(&app, &app.client).await;
    assert_eq!(
        types_of(&all)
            .iter()
            .filter(|t| t.starts_with("sso."))
            .count(),
        4
    );
}

/// An OIDC configuration's client secret never reaches an event.
async fn oidc_secret_is_not_in_events(app: &TestApp) {
    let idp = FakeProvider::start().await;
    let config = oidc_config(&idp.issuer, "axid-app", "oidc-client-secret-value-1234");
    let res = app.post_json("/api/v1/sso/config", &config).await;
    assert_eq!(
        res.status(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let events = all_events(app, &app.client).await;
    let created = events
        .iter()
        .find(|e| e["type"] == "sso.config_created")
        .expect("sso.config_created");
    assert_eq!(created["data"]["oidc"]["client_secret_set"], true);
    let text = created.to_string();
    assert!(!text.contains("oidc-client-secret-value-1234"));
    assert!(!text.contains("client_secret_enc"));
}

async fn clients_and_scim_tokens_are_events_that_carry_no_secret(app: TestApp) {
    app.org_admin_session("acme").await;
    let res = app
        .post_json("/api/v1/scim/tokens", &json!({"name": "okta"}))
        .await;
    assert_eq!(res.status(), 201);
    let token = json_of(res).await;
    let token_secret = token["token"].as_str().expect("token").to_owned();
    let res = app
        .post_json(
            "/api/v1/clients",
            &json!({"name": "billing", "type": "service", "roles": ["billing:read"]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let client = json_of(res).await;
    let id = client["id"].as_str().expect("id").to_owned();
    let first_secret = client["client_secret"].as_str().expect("secret").to_owned();
    let res = app
        .post_json(&format!("/api/v1/clients/{id}/secrets"), &json!({}))
        .await;
    assert_eq!(res.status(), 201);
    let second_secret = json_of(res).await["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let res = send(&app, Method::DELETE, &format!("/api/v1/clients/{id}"), None).await;
    assert_eq!(res.status(), 204);
    let path = format!("/api/v1/scim/tokens/{}", token["id"].as_str().expect("id"));
    assert_eq!(send(&app, Method::DELETE, &path, None).await.status(), 204);
    assert_eq!(send(&app, Method::DELETE, &path, None).await.status(), 404);
    oidc_secret_is_not_in_events(&app).await;

    let events = all_events(&app, &app.client).await;
    let ours: Vec<Value> = events
        .iter()
        .filter(|e| {
            let t = e["type"].as_str().unwrap_or_default();
            t.starts_with("client.") || t.starts_with("scim_token.")
        })
        .cloned()
        .collect();
    assert_eq!(
        types_of(&ours),
        [
            "scim_token.created",
            "client.created",
            "client.secret_rotated",
            "client.deleted",
            "scim_token.revoked",
        ]
    );
    // Each shows its resource as the portal API does.
    assert_eq!(ours[0]["data"]["id"], token["id"]);
    assert_eq!(ours[0]["data"]["name"], "okta");
    assert_eq!(ours[0]["data"]["prefix"], token["prefix"]);
    assert_eq!(ours[0]["actor"]["type"], "org_admin");
    assert_eq!(ours[1]["data"]["client_id"], client["client_id"]);
    assert_eq!(ours[1]["data"]["roles"], json!(["billing:read"]));
    assert_eq!(ours[1]["data"]["secrets"].as_array().map(Vec::len), Some(1));
    assert_eq!(ours[2]["data"]["secrets"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        ours[2]["data"]["secrets"][1]["prefix"],
        &second_secret[..13]
    );
    assert_eq!(ours[3]["data"]["id"], id.as_str());
    assert_eq!(ours[4]["data"]["id"], token["id"]);
    // No secret, token, or hash of one, anywhere in any event.
    let text = serde_json::to_string(&events).expect("json");
    for secret in [&token_secret, &first_secret, &second_secret] {
        assert!(!text.contains(secret.as_str()), "a secret is in an event");
        assert!(
            !text.contains(&axid::domain::hash_secret(secret)),
            "a hash is in an event"
        );
    }
    assert!(!text.contains("secret_hash") && !text.contains("client_secret\""));
}
