//! SSO sessions follow what granted them: the flow is bound to the browser that started it
//! (login CSRF), roles are recomputed from the asserted groups and the SCIM groups after a
//! membership change and after a configuration change, a disabled or deleted configuration
//! ends them, and an admin can list and revoke sessions.

use serde_json::{json, Value};

use super::*;
use crate::helpers::{json_of, new_client, spawn_app_with, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(
    a_response_posted_by_another_browser_is_refused_with_browser_mismatch,
    asserted_groups_survive_a_scim_membership_change,
    a_configuration_change_recomputes_or_ends_sso_sessions,
    an_admin_lists_and_revokes_sessions
);

/// An SP-initiated SAML login of `name_id` with `groups`; returns the browser holding the
/// session.
async fn sign_in(app: &TestApp, name_id: &str, groups: &[&str]) -> reqwest::Client {
    let flow = start_login(app, "acme", "/").await;
    let mut spec = spec_for(app, "acme", Some(&flow), name_id);
    spec.attributes.push((
        "groups".into(),
        groups.iter().map(|g| (*g).to_owned()).collect(),
    ));
    let browser = new_client();
    let res = browser
        .post(acs_url(app, "acme"))
        .header("Cookie", flow.cookie())
        .form(&[
            ("SAMLResponse", idp().response_b64(&spec).expect("sign")),
            ("RelayState", flow.relay_state.clone()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    browser
}

async fn session_of(app: &TestApp, browser: &reqwest::Client) -> (u16, Value) {
    let res = browser
        .get(app.url("/api/v1/auth/session"))
        .send()
        .await
        .expect("session");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn a_response_posted_by_another_browser_is_refused_with_browser_mismatch(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    // The attacker starts a flow and signs in at the IdP as themselves...
    let flow = start_login(&app, "acme", "/").await;
    let response = idp()
        .response_b64(&spec_for(&app, "acme", Some(&flow), "mallory@acme.com"))
        .expect("sign");
    // ...then makes the victim's browser post it: without the binding cookie, or with the
    // victim's own cookie of another flow.
    let res = post_response(&app, "acme", &response, Some(&flow.relay_state)).await;
    assert_refused(res, 400, "browser_mismatch").await;
    let other = start_login(&app, "acme", "/").await;
    let flow2 = start_login(&app, "acme", "/").await;
    let response2 = idp()
        .response_b64(&spec_for(&app, "acme", Some(&flow2), "mallory@acme.com"))
        .expect("sign");
    let crossed = Flow {
        request_id: flow2.request_id.clone(),
        relay_state: flow2.relay_state.clone(),
        binding: other.binding.clone(),
    };
    assert_refused(
        post_in_flow(&app, "acme", &response2, &crossed).await,
        400,
        "browser_mismatch",
    )
    .await;
    assert!(audit_reasons(&app)
        .await
        .iter()
        .any(|r| r == "browser_mismatch"));
    // The browser that started a flow completes it, and the spent binding cookie is cleared.
    let flow3 = start_login(&app, "acme", "/").await;
    let response3 = idp()
        .response_b64(&spec_for(&app, "acme", Some(&flow3), "alice@acme.com"))
        .expect("sign");
    let res = post_in_flow(&app, "acme", &response3, &flow3).await;
    assert_eq!(res.status(), 303);
    let cleared = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap_or("").starts_with("axid_saml_flow=;"));
    assert!(cleared, "the binding cookie is removed after the login");
}

async fn asserted_groups_survive_a_scim_membership_change(app: TestApp) {
    configured(
        &app,
        "acme",
        json!({"group_role_mappings": [
            {"group": "axid-admins", "role": "admin"},
            {"group": "scim-editors", "role": "editor"}
        ]}),
    )
    .await;
    let browser = sign_in(&app, "alice@acme.com", &["axid-admins"]).await;
    assert_eq!(
        session_of(&app, &browser).await.1["roles"],
        json!(["admin"])
    );
    // SCIM puts her into a group: roles come from both the IdP's and SCIM's groups.
    let token = app.scim_token("okta").await;
    let users = json_of(app.get("/api/v1/users").await).await;
    let user_id = users["users"][0]["id"]
        .as_str()
        .expect("user id")
        .to_owned();
    let res = app
        .client
        .post(app.url("/scim/v2/Groups"))
        .bearer_auth(&token)
        .json(&json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "scim-editors",
            "members": [{"value": user_id}]
        }))
        .send()
        .await
        .expect("group");
    assert_eq!(res.status(), 201);
    assert_eq!(
        session_of(&app, &browser).await.1["roles"],
        json!(["admin", "editor"])
    );
}

async fn a_configuration_change_recomputes_or_ends_sso_sessions(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let browser = sign_in(&app, "alice@acme.com", &["axid-admins"]).await;
    assert_eq!(
        session_of(&app, &browser).await.1["roles"],
        json!(["admin"])
    );
    // The mapping that made her admin goes: the session falls back to the default role.
    let patch = |body: Value| {
        app.client
            .patch(app.url("/api/v1/sso/config"))
            .json(&body)
            .send()
    };
    assert_eq!(
        patch(json!({"group_role_mappings": []}))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        session_of(&app, &browser).await.1["roles"],
        json!(["viewer"])
    );
    // Without a default role either, the session has no role left and ends.
    assert_eq!(
        patch(json!({"default_role": null})).await.unwrap().status(),
        200
    );
    assert_eq!(session_of(&app, &browser).await.0, 401);
    // Disabling SSO ends every SSO session; deleting the configuration does too.
    assert_eq!(
        patch(json!({"default_role": "viewer"}))
            .await
            .unwrap()
            .status(),
        200
    );
    let second = sign_in(&app, "bob@acme.com", &[]).await;
    assert_eq!(session_of(&app, &second).await.0, 200);
    assert_eq!(
        patch(json!({"enabled": false})).await.unwrap().status(),
        200
    );
    assert_eq!(session_of(&app, &second).await.0, 401);
    assert_eq!(patch(json!({"enabled": true})).await.unwrap().status(), 200);
    let third = sign_in(&app, "carol@acme.com", &[]).await;
    let res = app
        .client
        .delete(app.url("/api/v1/sso/config"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(session_of(&app, &third).await.0, 401);
    // The admin's password session is not an SSO session and stays.
    assert_eq!(app.get("/api/v1/auth/session").await.status(), 200);
}

async fn an_admin_lists_and_revokes_sessions(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let browser = sign_in(&app, "alice@acme.com", &["axid-admins"]).await;
    let list = json_of(app.get("/api/v1/sessions").await).await;
    let sessions = list["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2, "{list}");
    let alice = sessions
        .iter()
        .find(|s| s["principal"]["email"] == "alice@acme.com")
        .expect("alice's session");
    assert_eq!(alice["auth_method"], "saml");
    let id = alice["id"].as_str().expect("id");
    assert_eq!(id.len(), 16);
    // Alice signed in as admin through SSO; she may list them too.
    assert_eq!(
        browser
            .get(app.url("/api/v1/sessions"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/sessions/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(session_of(&app, &browser).await.0, 401);
    let again = app
        .client
        .delete(app.url(&format!("/api/v1/sessions/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    let events = json_of(app.get("/api/v1/sso/audit").await).await;
    assert!(events["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["event"] == "session.revoked" && e["detail"]["id"] == id));
    // Another organization's admin can neither see nor end acme's sessions.
    let browser2 = sign_in(&app, "bob@acme.com", &[]).await;
    let bob_id = json_of(app.get("/api/v1/sessions").await).await["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["principal"]["email"] == "bob@acme.com")
        .expect("bob")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.create_org("globex").await;
    let globex = new_client();
    let login = globex
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"org_id": "globex", "password": crate::helpers::ORG_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let theirs = json_of(
        globex
            .get(app.url("/api/v1/sessions"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(theirs["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["principal"]["id"] == "globex"));
    let res = globex
        .delete(app.url(&format!("/api/v1/sessions/{bob_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(session_of(&app, &browser2).await.0, 200);
}

#[tokio::test]
async fn the_binding_cookie_is_samesite_none_and_secure_on_https_and_has_no_samesite_on_http() {
    for (public_url, expected) in [
        ("http://127.0.0.1:1", None),
        ("https://sso.example.test", Some("SameSite=None")),
    ] {
        let app = spawn_app_with(
            crate::helpers::Db::Sqlite,
            &[("SSO_DATA_KEY", TEST_DATA_KEY), ("PUBLIC_URL", public_url)],
        )
        .await
        .expect("app");
        configured(&app, "acme", json!({})).await;
        let res = new_client()
            .get(app.url("/auth/saml/acme/login"))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 302);
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap_or("").to_owned())
            .find(|c| c.starts_with("axid_saml_flow="))
            .expect("binding cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("Path=/auth/saml/acme/"), "{cookie}");
        match expected {
            Some(same_site) => {
                assert!(cookie.contains(same_site), "{cookie}");
                assert!(cookie.contains("Secure"), "{cookie}");
            }
            None => assert!(!cookie.contains("SameSite"), "{cookie}"),
        }
    }
}
