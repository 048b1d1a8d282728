//! Setup links (CONTRACT.md §16) over real HTTP, on SQLite and PostgreSQL: made by the
//! organization's admin or by the operator's admin API, the token shown once; opened by an
//! IT admin with no axid account, who gets a setup session cookie (HttpOnly,
//! SameSite=Strict, Path=/setup) and the token out of the address bar; pages outside the
//! link's intents refused; a deleted or expired link stops its session on the next request.

use axid::clock::Clock;
use serde_json::{json, Value};

use crate::both_dbs;
use crate::helpers::{json_of, new_client, TestApp};

both_dbs!(
    a_setup_link_is_made_once_listed_without_its_token_and_deleted,
    an_it_admin_sets_up_scim_through_a_link_and_nothing_else,
    a_deleted_or_expired_link_stops_its_session,
);

async fn make_link(app: &TestApp, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/setup-links", &body).await
}

/// The link's URL path (`/setup/axl_...`).
async fn link_path(app: &TestApp, intents: Value) -> (String, String) {
    let res = make_link(app, json!({ "intents": intents })).await;
    assert_eq!(res.status(), 201);
    let body = json_of(res).await;
    let url = body["url"].as_str().unwrap().to_owned();
    let path = url
        .strip_prefix(&app.address)
        .expect("under PUBLIC_URL")
        .to_owned();
    (path, body["id"].as_str().unwrap().to_owned())
}

/// A browser of its own opens the link; its cookie jar then holds the setup session.
async fn open(app: &TestApp, path: &str) -> (reqwest::Client, reqwest::Response) {
    let browser = new_client();
    let res = browser.get(app.url(path)).send().await.unwrap();
    (browser, res)
}

async fn a_setup_link_is_made_once_listed_without_its_token_and_deleted(app: TestApp) {
    app.org_admin_session("acme").await;
    let res = make_link(
        &app,
        json!({"intents": ["sso", "scim", "sso"], "expires_in_days": 3}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let made = json_of(res).await;
    assert!(
        made["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/setup/axl_", app.address)),
        "{made}"
    );
    assert_eq!(made["intents"], json!(["sso", "scim"]));
    let expires = axid::clock::parse_rfc3339(made["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires, app.clock.now_ms() + 3 * 86_400_000);

    for (body, code) in [
        (json!({"intents": []}), "invalid_intents"),
        (json!({"intents": ["admin"]}), "invalid_intents"),
        (json!({}), "invalid_intents"),
        (
            json!({"intents": ["scim"], "expires_in_days": 31}),
            "invalid_expires_in_days",
        ),
        (
            json!({"intents": ["scim"], "expires_in_days": 0}),
            "invalid_expires_in_days",
        ),
    ] {
        let res = make_link(&app, body.clone()).await;
        assert_eq!(res.status(), 400, "{body}");
        assert_eq!(json_of(res).await["error"], code, "{body}");
    }

    let listed = json_of(app.get("/api/v1/setup-links").await).await;
    let links = listed["links"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert!(
        links[0].get("url").is_none() && !listed.to_string().contains("axl_"),
        "{listed}"
    );
    assert_eq!(links[0]["created_by"], "org_admin:acme");

    let id = made["id"].as_str().unwrap();
    let gone = app
        .client
        .delete(app.url(&format!("/api/v1/setup-links/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    let again = app
        .client
        .delete(app.url(&format!("/api/v1/setup-links/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);

    // The operator's admin API makes one for any organization.
    let admin = app
        .admin(
            reqwest::Method::POST,
            "/api/v1/admin/organizations/acme/setup-links",
            Some(json!({"intents": ["sso"]})),
        )
        .await;
    assert_eq!(admin.status(), 201);
    let missing = app
        .admin(
            reqwest::Method::POST,
            "/api/v1/admin/organizations/nobody/setup-links",
            Some(json!({"intents": ["sso"]})),
        )
        .await;
    assert_eq!(missing.status(), 404);
    let audit = json_of(app.get("/api/v1/sso/audit").await)
        .await
        .to_string();
    assert!(
        audit.contains("setup_link.created") && audit.contains("setup_link.deleted"),
        "{audit}"
    );
}

async fn an_it_admin_sets_up_scim_through_a_link_and_nothing_else(app: TestApp) {
    app.org_admin_session("acme").await;
    let (path, id) = link_path(&app, json!(["scim"])).await;
    let (browser, opened) = open(&app, &path).await;
    assert_eq!(opened.status(), 200);
    assert_eq!(opened.headers()["referrer-policy"], "no-referrer");
    let cookie = opened.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in ["axid_setup=", "HttpOnly", "SameSite=Strict", "Path=/setup"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    let html = opened.text().await.unwrap();
    assert!(
        html.contains(r#"<meta http-equiv="refresh" content="0; url=/setup/">"#),
        "{html}"
    );

    let start = browser.get(app.url("/setup/")).send().await.unwrap();
    assert_eq!(start.status(), 200);
    let html = start.text().await.unwrap();
    assert!(
        html.contains(r#"href="/setup/scim""#) && !html.contains(r#"href="/setup/sso""#),
        "{html}"
    );
    let sso = browser.get(app.url("/setup/sso")).send().await.unwrap();
    assert_eq!(sso.status(), 403);
    assert!(sso
        .text()
        .await
        .unwrap()
        .contains("does not include sso setup"));
    // The setup session is not a portal session.
    let api = browser
        .get(app.url("/api/v1/sso/config"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);

    let made = browser
        .post(app.url("/setup/scim"))
        .form(&[("name", "Okta provisioning")])
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let html = made.text().await.unwrap();
    let start = html.find(r#"<code id="secret">"#).unwrap() + 18;
    let token = &html[start..start + html[start..].find("</code>").unwrap()];
    let scim = new_client()
        .get(app.url("/scim/v2/Users"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(scim.status(), 200, "the token works");
    let forged = browser
        .post(app.url("/setup/scim"))
        .header("Origin", "https://evil.example")
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let audit = json_of(app.get("/api/v1/sso/audit").await)
        .await
        .to_string();
    assert!(audit.contains("setup_link.opened"), "{audit}");
    assert!(
        audit.contains(&format!("setup_link:{id}")),
        "the token is the link's: {audit}"
    );
    let events = json_of(app.get("/api/v1/events?types=scim_token.created").await).await;
    assert_eq!(
        events["events"][0]["actor"]["type"], "setup_link",
        "{events}"
    );
}

async fn a_deleted_or_expired_link_stops_its_session(app: TestApp) {
    app.org_admin_session("acme").await;
    let (path, id) = link_path(&app, json!(["sso"])).await;
    let (browser, _) = open(&app, &path).await;
    assert_eq!(
        browser
            .get(app.url("/setup/sso"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let gone = app
        .client
        .delete(app.url(&format!("/api/v1/setup-links/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    let after = browser.get(app.url("/setup/sso")).send().await.unwrap();
    assert_eq!(after.status(), 401);
    assert!(after.text().await.unwrap().contains("setup_session_ended"));
    let (_, reopened) = open(&app, &path).await;
    assert_eq!(reopened.status(), 404);
    assert!(reopened
        .text()
        .await
        .unwrap()
        .contains("setup_link_invalid"));

    let (path, _) = link_path(&app, json!(["sso"])).await;
    let (browser, _) = open(&app, &path).await;
    app.clock.advance_secs(7 * 86_400 + 1);
    assert_eq!(
        browser
            .get(app.url("/setup/"))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "expired with its link"
    );
    let (_, late) = open(&app, &path).await;
    assert_eq!(late.status(), 404);
}
