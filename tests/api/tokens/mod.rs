//! The token service (CONTRACT.md §12) and forward-auth verify (§14), over real HTTP on
//! SQLite and PostgreSQL.

mod clients;
mod introspection;
mod reuse;
mod rotation;
mod token_endpoint;
mod verify;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{json_of, new_client, TestApp};

/// `both_dbs!` with extra settings (a const of the calling module): `both_dbs_with!(VARS; fns...)`.
#[macro_export]
macro_rules! both_dbs_with {
    ($extra:ident; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app_with($crate::helpers::Db::Sqlite, &super::$extra).await.expect("sqlite app");
                super::$name(app).await;
            }
            #[cfg_attr(not(axid_pg_tests), ignore = "TEST_DATABASE_URL was not set when the tests were built")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::spawn_app_with($crate::helpers::Db::Postgres, &super::$extra).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}

/// Failed client authentications share the login limit; tests that fail on purpose lift it.
pub const HIGH_LIMIT: [(&str, &str); 1] = [("LOGIN_RATE_LIMIT_PER_MINUTE", "10000")];

#[derive(Clone)]
pub struct Client {
    pub id: String,
    pub client_id: String,
    pub secret: String,
    pub body: Value,
}

/// Creates a client through the clients API with the app's (admin) session.
pub async fn create_client(app: &TestApp, body: Value) -> Client {
    create_client_as(app, &app.client, body).await
}

/// Creates a client with another HTTP client's session (another organization).
pub async fn create_client_as(app: &TestApp, http: &reqwest::Client, body: Value) -> Client {
    let res = http
        .post(app.url("/api/v1/clients"))
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 201, "{body}");
    let body = json_of(res).await;
    Client {
        id: body["id"].as_str().unwrap().to_owned(),
        client_id: body["client_id"].as_str().unwrap().to_owned(),
        secret: body["client_secret"].as_str().unwrap().to_owned(),
        body,
    }
}

pub async fn service_client(app: &TestApp, roles: &[&str]) -> Client {
    create_client(
        app,
        json!({"name": "svc", "type": "service", "roles": roles}),
    )
    .await
}

pub fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

/// `POST /oauth2/token` with Basic credentials and extra form fields.
pub async fn token_response(
    app: &TestApp,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields = vec![("grant_type", "client_credentials")];
    fields.extend_from_slice(form);
    new_client()
        .post(app.url("/oauth2/token"))
        .header("authorization", basic(id, secret))
        .form(&fields)
        .send()
        .await
        .expect("send")
}

pub async fn access_token(app: &TestApp, c: &Client) -> String {
    let res = token_response(app, &c.client_id, &c.secret, &[]).await;
    assert_eq!(res.status(), 200);
    json_of(res).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `POST /oauth2/introspect` as client `c`.
pub async fn introspect(app: &TestApp, c: &Client, token: &str) -> Value {
    let res = new_client()
        .post(app.url("/oauth2/introspect"))
        .header("authorization", basic(&c.client_id, &c.secret))
        .form(&[("token", token)])
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    json_of(res).await
}

/// The decoded header and claims of a compact JWT (no verification).
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next = || -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap()
    };
    let header = next();
    (header, next())
}

/// A new organization and an HTTP client holding its admin session.
pub async fn org_session(app: &TestApp, org: &str) -> reqwest::Client {
    app.create_org(org).await;
    let http = new_client();
    let login = http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"org_id": org, "password": crate::helpers::ORG_PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(login.status(), 200);
    http
}

/// A portal API key of the session's org with `role`.
pub async fn api_key(app: &TestApp, role: &str) -> String {
    let res = app
        .post_json("/api/v1/keys", &json!({"name": role, "role": role}))
        .await;
    assert_eq!(res.status(), 201);
    json_of(res).await["key"].as_str().unwrap().to_owned()
}
