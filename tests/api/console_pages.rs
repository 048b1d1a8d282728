//! The console's admin pages over real HTTP, on SQLite and PostgreSQL: SCIM tokens and API
//! keys (created with the secret shown once, then working against SCIM and the API, revoked
//! at once, each refusal beside its field, audited as from the API), and the directory
//! with SCIM-provisioned users, their groups, roles and who is deactivated; OAuth clients
//! (the secret shown once and accepted by the token endpoint, deleted at once) and webhook
//! endpoints (the SSRF guard's refusal beside the URL, the signing secret shown once).

use serde_json::json;

use crate::both_dbs;
use crate::helpers::{json_of, new_client, TestApp};

both_dbs!(
    a_scim_token_made_in_the_console_works_once_shown_and_stops_when_revoked,
    an_api_key_form_shows_its_refusals_beside_the_field,
    the_directory_shows_roles_groups_and_deactivated_users,
    a_client_made_in_the_console_gets_tokens_until_deleted,
    a_webhook_endpoint_is_added_with_its_secret_shown_once,
);

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// A request with a bearer credential from a browser of its own.
async fn bearer_get(app: &TestApp, path: &str, credential: &str) -> reqwest::Response {
    new_client()
        .get(app.url(path))
        .bearer_auth(credential)
        .send()
        .await
        .unwrap()
}

/// The text between `<code id="secret">` and `</code>`.
fn shown_secret(html: &str) -> String {
    let start = html.find(r#"<code id="secret">"#).expect("secret shown") + 18;
    html[start..start + html[start..].find("</code>").unwrap()].to_owned()
}

async fn a_scim_token_made_in_the_console_works_once_shown_and_stops_when_revoked(app: TestApp) {
    app.org_admin_session("acme").await;
    let created = post_form(&app, "/ui/scim-tokens", &[("name", "Okta <prod>")]).await;
    assert_eq!(created.status(), 201);
    let html = created.text().await.unwrap();
    let token = shown_secret(&html);
    assert!(token.starts_with("axs_") || token.len() > 20, "{token}");
    assert!(
        html.contains("Okta &lt;prod&gt;"),
        "the name is escaped: {html}"
    );
    let scim = bearer_get(&app, "/scim/v2/Users", &token).await;
    assert_eq!(scim.status(), 200);
    let listed = app.get("/ui/scim-tokens").await.text().await.unwrap();
    assert!(!listed.contains(&token), "the list never shows the secret");
    let tokens = json_of(app.get("/api/v1/scim/tokens").await).await;
    let id = tokens["tokens"][0]["id"].as_str().unwrap().to_owned();
    let events = json_of(app.get("/api/v1/events?types=scim_token.created").await).await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1, "{events}");

    let revoked = post_form(&app, &format!("/ui/scim-tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoked.status(), 303);
    let scim = bearer_get(&app, "/scim/v2/Users", &token).await;
    assert_eq!(scim.status(), 401, "revoked at once");
    let again = post_form(&app, &format!("/ui/scim-tokens/{id}/revoke"), &[]).await;
    assert_eq!(again.status(), 404);
    assert!(again.text().await.unwrap().contains("not_found"));
    let audit = json_of(app.get("/api/v1/sso/audit").await)
        .await
        .to_string();
    assert!(
        audit.contains("scim_token.created") && audit.contains("scim_token.revoked"),
        "{audit}"
    );
}

async fn an_api_key_form_shows_its_refusals_beside_the_field(app: TestApp) {
    app.org_admin_session("acme").await;
    let empty = post_form(&app, "/ui/api-keys", &[("name", " "), ("role", "viewer")]).await;
    assert_eq!(empty.status(), 400);
    assert!(empty.text().await.unwrap().contains(
        r#"<p class="field-error" id="name-error">name must be 1 to 100 characters</p>"#
    ));
    let past = post_form(
        &app,
        "/ui/api-keys",
        &[
            ("name", "ci"),
            ("role", "viewer"),
            ("expires_at", "2001-01-01T00:00:00Z"),
        ],
    )
    .await;
    assert_eq!(past.status(), 422);
    assert!(past
        .text()
        .await
        .unwrap()
        .contains(r#"id="expires_at-error">expires_at must be in the future"#));
    let role = post_form(&app, "/ui/api-keys", &[("name", "ci"), ("role", "Root!")]).await;
    assert_eq!(role.status(), 400);
    assert!(role.text().await.unwrap().contains(r#"id="role-error""#));

    let created = post_form(&app, "/ui/api-keys", &[("name", "ci"), ("role", "editor")]).await;
    assert_eq!(created.status(), 201);
    let key = shown_secret(&created.text().await.unwrap());
    let api = bearer_get(&app, "/api/v1/sso/providers", &key).await;
    assert_eq!(api.status(), 200, "the key works against the API");
    let keys = json_of(app.get("/api/v1/keys").await).await;
    assert_eq!(keys["keys"][0]["role"], "editor");
    // An API key is for programs: it does not open the console.
    let console = bearer_get(&app, "/ui/api-keys", &key).await;
    assert_eq!(console.status(), 303);
}

async fn the_directory_shows_roles_groups_and_deactivated_users(app: TestApp) {
    app.org_admin_session("acme").await;
    let cfg = json!({"protocol": "saml", "default_role": "viewer",
        "group_role_mappings": [{"group": "axid-admins", "role": "admin"}],
        "saml": {"idp_entity_id": "https://idp.example.test/", "idp_sso_url": "https://idp.example.test/sso",
                 "idp_certificates": [include_str!("../fixtures/saml/idp.crt")]}});
    assert_eq!(
        app.post_json("/api/v1/sso/config", &cfg).await.status(),
        201
    );
    let token = app.scim_token("okta").await;
    let scim = |method: reqwest::Method, path: &str| {
        new_client()
            .request(method, app.url(path))
            .bearer_auth(&token)
            .header("Content-Type", "application/scim+json")
    };
    let mut ids = Vec::new();
    for (name, active) in [("ada@acme.test", true), ("bob@acme.test", false)] {
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
                          "active": active, "emails": [{"value": name, "primary": true}],
                          "name": {"givenName": "<b>x</b>"}});
        let res = scim(reqwest::Method::POST, "/scim/v2/Users")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        ids.push(json_of(res).await["id"].as_str().unwrap().to_owned());
    }
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "axid-admins",
                       "members": [{"value": ids[0]}]});
    let res = scim(reqwest::Method::POST, "/scim/v2/Groups")
        .json(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let page = app.get("/ui/directory").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let row = |user: &str| {
        let at = html.find(&format!("<td>{user}</td>")).expect(user);
        html[at..at + html[at..].find("</tr>").unwrap()].to_owned()
    };
    let ada = row("ada@acme.test");
    assert!(
        ada.contains("<td>axid-admins</td>") && ada.contains("<td>admin</td>"),
        "{ada}"
    );
    assert!(ada.contains("<td>active</td>"), "{ada}");
    let bob = row("bob@acme.test");
    assert!(bob.contains("deactivated"), "{bob}");
    assert!(
        !bob.contains("<td>viewer</td>"),
        "a deactivated user has no roles: {bob}"
    );
    assert!(
        html.contains("Users (2)") && html.contains("Groups (1)"),
        "{html}"
    );
    let bad = app.get("/ui/directory?users_from=-1").await;
    assert_eq!(bad.status(), 400);

    // The SCIM log shows what the IdP sent; its writer batches, so wait (at most 5 s).
    let mut html = String::new();
    for _ in 0..50 {
        let log = app.get("/ui/scim-log").await;
        assert_eq!(log.status(), 200);
        html = log.text().await.unwrap();
        if html.contains("POST /scim/v2/Groups") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        html.contains("POST /scim/v2/Users") && html.contains("POST /scim/v2/Groups"),
        "{html}"
    );
    assert_eq!(app.get("/ui/scim-log?cursor=nope").await.status(), 400);
}

async fn a_client_made_in_the_console_gets_tokens_until_deleted(app: TestApp) {
    app.org_admin_session("acme").await;
    let form = [
        ("name", "billing"),
        ("type", "service"),
        ("roles", "viewer"),
        ("audiences", ""),
    ];
    let res = post_form(&app, "/ui/clients", &form).await;
    assert_eq!(res.status(), 201);
    let html = res.text().await.unwrap();
    let secret = shown_secret(&html);
    assert!(secret.starts_with("axcs_"), "{secret}");
    let start = html
        .find(r#"<code id="client-id">"#)
        .expect("client id shown")
        + 21;
    let client_id = html[start..start + html[start..].find("</code>").unwrap()].to_owned();
    let token = crate::tokens::token_response(&app, &client_id, &secret, &[]).await;
    assert_eq!(token.status(), 200, "the console's client gets a token");

    let listed = app.get("/ui/clients").await.text().await.unwrap();
    assert!(listed.contains(&client_id));
    assert!(
        !listed.contains(&secret),
        "the list shows the secret by prefix only"
    );
    let bad = post_form(&app, "/ui/clients", &[("name", ""), ("type", "service")]).await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains(r#"id="name-error""#));

    let api = json_of(app.get("/api/v1/clients").await).await;
    let id = api["clients"][0]["id"].as_str().unwrap().to_owned();
    let deleted = post_form(&app, &format!("/ui/clients/{id}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    let refused = crate::tokens::token_response(&app, &client_id, &secret, &[]).await;
    assert_eq!(refused.status(), 401);
    let audit = app
        .get("/api/v1/sso/audit?limit=50")
        .await
        .text()
        .await
        .unwrap();
    assert!(!audit.contains(&secret), "no secret in the audit");
}

async fn a_webhook_endpoint_is_added_with_its_secret_shown_once(app: TestApp) {
    app.org_admin_session("acme").await;
    let refused = post_form(
        &app,
        "/ui/webhooks",
        &[("url", "http://127.0.0.1:9/hook"), ("types", "")],
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains(r#"id="url-error""#));
    let wrong_type = post_form(
        &app,
        "/ui/webhooks",
        &[
            ("url", "https://hooks.example.test/axid"),
            ("types", "user.exploded"),
        ],
    )
    .await;
    assert_eq!(wrong_type.status(), 422);
    assert!(wrong_type
        .text()
        .await
        .unwrap()
        .contains(r#"id="types-error""#));
    let res = post_form(
        &app,
        "/ui/webhooks",
        &[
            ("url", "https://hooks.example.test/axid"),
            ("types", "user.created, user.deactivated"),
        ],
    )
    .await;
    assert_eq!(res.status(), 201);
    let secret = shown_secret(&res.text().await.unwrap());
    assert!(secret.starts_with("whsec_"), "{secret}");
    let api = json_of(app.get("/api/v1/webhooks").await).await;
    assert_eq!(
        api["webhooks"][0]["types"],
        json!(["user.created", "user.deactivated"])
    );
    let page = app.get("/ui/webhooks").await.text().await.unwrap();
    assert!(page.contains("https://hooks.example.test/axid") && !page.contains(&secret));
    let id = api["webhooks"][0]["id"].as_str().unwrap().to_owned();
    let deleted = post_form(&app, &format!("/ui/webhooks/{id}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(
        json_of(app.get("/api/v1/webhooks").await).await["webhooks"],
        json!([])
    );
}
