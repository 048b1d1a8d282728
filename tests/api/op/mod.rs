//! The OpenID provider for web applications (CONTRACT.md §13) over real HTTP, on SQLite and
//! PostgreSQL: authorize with a portal session and through the SAML test IdP, the code grant,
//! the ID token, userinfo, and every refusal of issue 12.

mod flows;
mod refusals;
mod upstream;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{json_of, new_client, TestApp};
use crate::tokens::{basic, create_client, Client};

pub const REDIRECT: &str = "https://app.acme.test/callback";
/// RFC 7636 Appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub async fn web_client(app: &TestApp, name: &str) -> Client {
    create_client(
        app,
        json!({"name": name, "type": "web", "redirect_uris": [REDIRECT, "http://127.0.0.1:9/cb"]}),
    )
    .await
}

/// The standard parameters of a request from `c`, with `extra` replacing or adding some
/// (an empty value drops the parameter).
pub fn authorize_query(c: &Client, extra: &[(&str, &str)]) -> String {
    let challenge = challenge(VERIFIER);
    let mut params: Vec<(&str, String)> = vec![
        ("response_type", "code".into()),
        ("client_id", c.client_id.clone()),
        ("redirect_uri", REDIRECT.into()),
        ("scope", "openid email profile".into()),
        ("state", "st-123".into()),
        ("nonce", "n-456".into()),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256".into()),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        if !v.is_empty() {
            params.push((*k, (*v).to_owned()));
        }
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &params {
        out.append_pair(k, v);
    }
    format!("/oauth2/authorize?{}", out.finish())
}

/// GET with `http` (its cookie jar), no redirects followed.
pub async fn get(app: &TestApp, http: &reqwest::Client, path: &str) -> reqwest::Response {
    http.get(app.url(path)).send().await.expect("send")
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .expect("ascii")
        .to_owned()
}

/// The query parameters of a redirect.
pub fn query_of(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .expect("absolute")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param(location: &str, name: &str) -> Option<String> {
    query_of(location)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A code from an authorize request that must succeed at once.
pub async fn code_for(app: &TestApp, http: &reqwest::Client, c: &Client) -> String {
    let res = get(app, http, &authorize_query(c, &[])).await;
    assert_eq!(res.status(), 302);
    let to = location(&res);
    assert!(to.starts_with(&format!("{REDIRECT}?")), "{to}");
    assert_eq!(param(&to, "state").as_deref(), Some("st-123"));
    assert_eq!(param(&to, "iss").as_deref(), Some(app.address.as_str()));
    param(&to, "code").expect("code")
}

/// `POST /oauth2/token` with the authorization code grant as client `c`.
pub async fn redeem(
    app: &TestApp,
    c: &Client,
    code: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    for (k, v) in extra {
        form.retain(|(name, _)| name != k);
        if !v.is_empty() {
            form.push((*k, *v));
        }
    }
    new_client()
        .post(app.url("/oauth2/token"))
        .header("authorization", basic(&c.client_id, &c.secret))
        .form(&form)
        .send()
        .await
        .expect("send")
}

pub async fn userinfo(app: &TestApp, token: &str) -> reqwest::Response {
    new_client()
        .get(app.url("/oauth2/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .expect("send")
}

/// The OpenID provider's audit entries (event, reason), newest first (the app's session).
pub async fn op_audit(app: &TestApp) -> Vec<(String, String, Value)> {
    let body = json_of(app.get("/api/v1/sso/audit?limit=200").await).await;
    body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["event"] == "session.created" || e["event"] == "login.failed")
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap_or("none").to_owned(),
                e["detail"].clone(),
            )
        })
        .collect()
}

/// The RFC 6749 §5.2 error of a refused token request.
pub async fn grant_error(res: reqwest::Response) -> String {
    assert_eq!(res.status(), 400);
    let body = json_of(res).await;
    assert_eq!(body["error"], "invalid_grant", "{body}");
    body["error_description"].as_str().unwrap().to_owned()
}
