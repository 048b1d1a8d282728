//! SCIM 2.0 API tests (CONTRACT.md §10, IDP_QUIRKS.md), each on SQLite and PostgreSQL.

mod concurrency;
mod discovery;
mod errors;
mod filter_limits;
mod filters;
mod groups;
mod isolation;
mod lifecycle;
mod patch;
mod portal;
mod read_paths;
mod tenant_load;
pub mod transcripts;
mod users;

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::TestApp;

pub const SCIM_JSON: &str = "application/scim+json";

/// A SCIM client of one organization.
pub struct Scim<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        self.body
    }

    /// Reads a response: the body as JSON, `Null` when empty, a JSON string when not JSON.
    pub async fn of(res: reqwest::Response) -> Answer {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Asserts an RFC 7644 §3.12 error with this status and scimType.
    #[track_caller]
    pub fn error(self, status: u16, scim_type: Option<&str>) -> Value {
        if let Err(why) = self.check_error(status, scim_type) {
            panic!("{why}; body: {}", self.body);
        }
        self.body
    }

    /// Whether this is an RFC 7644 §3.12 error with this status and scimType (`None`: no
    /// scimType member): status, SCIM content type, Error schema, `status` as a string.
    pub fn check_error(&self, status: u16, scim_type: Option<&str>) -> Result<(), String> {
        if self.status != status {
            return Err(format!("status {}, expected {status}", self.status));
        }
        let content_type = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        if content_type != Some(SCIM_JSON) {
            return Err(format!(
                "content-type {content_type:?}, expected {SCIM_JSON}"
            ));
        }
        let schemas = json!(["urn:ietf:params:scim:api:messages:2.0:Error"]);
        if self.body["schemas"] != schemas {
            return Err(format!(
                "error schemas {}, expected {schemas}",
                self.body["schemas"]
            ));
        }
        if self.body["status"] != json!(status.to_string()) {
            return Err(format!(
                "error status {}, expected \"{status}\"",
                self.body["status"]
            ));
        }
        let got = self.body.get("scimType");
        match scim_type {
            Some(t) if got != Some(&json!(t)) => Err(format!("scimType {got:?}, expected {t:?}")),
            None if got.is_some() => Err(format!("scimType {got:?}, expected none")),
            _ => Ok(()),
        }
    }
}

impl<'a> Scim<'a> {
    /// Creates `org` (with an admin session on the app's client) and a SCIM token for it.
    pub async fn new(app: &'a TestApp, org: &str) -> Scim<'a> {
        app.org_admin_session(org).await;
        let token = app.scim_token("idp").await;
        Scim { app, token }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        self.send_with(method, path, body, &[]).await
    }

    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self
            .app
            .client
            .request(method, self.app.url(&format!("/scim/v2{path}")))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.header("content-type", SCIM_JSON).body(body.to_string());
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Answer::of(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    /// Creates a user and returns its id.
    pub async fn user(&self, user_name: &str) -> String {
        let body = self.post("/Users", &user_body(user_name)).await.expect(201);
        body["id"].as_str().expect("id").to_owned()
    }

    /// Creates a group and returns its id.
    pub async fn group(&self, name: &str) -> String {
        let body = self
            .post("/Groups", &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name}))
            .await
            .expect(201);
        body["id"].as_str().expect("id").to_owned()
    }

    /// `GET /Users?filter=...` (URL-encoded) and the ListResponse.
    pub async fn filter(&self, resource: &str, filter: &str) -> Answer {
        let q: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        self.get(&format!("/{resource}?filter={q}")).await
    }
}

pub fn user_body(user_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": user_name, "type": "work", "primary": true}],
        "active": true
    })
}

pub fn patch_body(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}
