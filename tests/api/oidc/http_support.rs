//! Helpers for OIDC tests over HTTP: configuring an org, a browser's trip through the
//! provider, refusals and the audit feed.

use serde_json::{json, Value};

use crate::helpers::{json_of, new_client, TestApp};

pub const ORG: &str = "acme";

pub fn oidc_config(issuer: &str, client_id: &str, secret: &str) -> Value {
    json!({
        "protocol": "oidc",
        "provider": "generic",
        "allowed_email_domains": ["acme.test"],
        "default_role": "viewer",
        "group_role_mappings": [{"group": "axid-admins", "role": "admin"}],
        "oidc": {"issuer": issuer, "client_id": client_id, "client_secret": secret,
                 "scopes": ["openid", "email", "profile", "groups"]}
    })
}

/// An org whose admin session is on `app.client`, with OIDC configured for `issuer`.
pub async fn configured(app: &TestApp, issuer: &str, client_id: &str, secret: &str) {
    app.org_admin_session(ORG).await;
    let res = app
        .post_json(
            "/api/v1/sso/config",
            &oidc_config(issuer, client_id, secret),
        )
        .await;
    assert_eq!(
        res.status(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

/// A fresh browser starts a login and follows the provider until it is sent back; returns
/// the browser (holding the binding cookie) and the callback URL. The test clock moves a
/// second first, so the audit events of successive logins are ordered.
pub async fn to_callback(app: &TestApp, hint: Option<&str>) -> (reqwest::Client, String) {
    app.clock.advance_secs(1);
    let browser = new_client();
    let res = browser
        .get(app.url(&format!("/auth/oidc/{ORG}/login?return_to=/dash")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        302,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let mut url = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    if let Some(hint) = hint {
        url.query_pairs_mut().append_pair("login_hint", hint);
    }
    let callback = app.url(&format!("/auth/oidc/{ORG}/callback"));
    for _ in 0..10 {
        let res = browser.get(url.clone()).send().await.unwrap();
        assert!(res.status().is_redirection(), "{} at {url}", res.status());
        url = url
            .join(res.headers()["location"].to_str().unwrap())
            .unwrap();
        if url.as_str().starts_with(&callback) {
            return (browser, url.to_string());
        }
    }
    panic!("the provider never sent the browser back");
}

pub async fn call(browser: &reqwest::Client, url: &str) -> reqwest::Response {
    browser
        .get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
}

/// Asserts a refusal: status, JSON code, no cookie of any kind.
pub async fn assert_refused(res: reqwest::Response, status: u16, code: &str) {
    assert_eq!(res.status(), status, "expected {code}");
    assert!(
        res.headers().get("set-cookie").is_none(),
        "a failed flow set a cookie"
    );
    let body = json_of(res).await;
    assert_eq!(body["error"], code, "{body}");
}

/// The newest `oidc_login` audit events (admin session on `app.client`).
pub async fn oidc_events(app: &TestApp) -> Vec<Value> {
    let body = json_of(app.get("/api/v1/sso/audit?limit=200").await).await;
    let events = body["events"].as_array().expect("events").iter();
    events
        .filter(|e| e["event"] == "oidc_login")
        .cloned()
        .collect()
}

pub async fn last_reason(app: &TestApp) -> String {
    let events = oidc_events(app).await;
    events
        .first()
        .map(|e| e["reason"].as_str().unwrap_or("none").to_owned())
        .unwrap_or_default()
}
