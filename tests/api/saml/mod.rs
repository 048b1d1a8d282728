//! SAML SSO over real HTTP: configuration API, SP-initiated and IdP-initiated logins with a
//! Rust-scripted IdP, the attack corpus, random input, and real peer IdPs (samlify, pysaml2).

mod attack_corpus;
mod attacks;
mod cert_watch;
mod concurrent;
mod config_api;
mod encrypted;
mod encrypted_peers;
mod flow_limits;
mod login;
mod metadata_refresh;
mod peers;
mod random_input;
mod sessions_follow;
mod signed_requests;

use std::io::Read;

use axid::clock::Clock;
use axid::protocol::saml::test_idp::{ResponseSpec, SignMode, TestIdp};
use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{json_of, new_client, spawn_app_with, Db, TestApp};

pub const IDP_KEY: &str = include_str!("../../fixtures/saml/idp.key");
pub const IDP_CERT: &str = include_str!("../../fixtures/saml/idp.crt");
pub const IDP2_CERT: &str = include_str!("../../fixtures/saml/idp2.crt");
pub const ATTACKER_KEY: &str = include_str!("../../fixtures/saml/attacker.key");
pub const ATTACKER_CERT: &str = include_str!("../../fixtures/saml/attacker.crt");
pub const IDP_ENTITY: &str = "https://idp.example.test/";
/// base64 of 32 bytes: the SSO data key of test apps.
pub const TEST_DATA_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// Runs an async test on SQLite and PostgreSQL with server-side fetches to loopback allowed.
#[macro_export]
macro_rules! saml_both_dbs {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::saml::saml_app($crate::helpers::Db::Sqlite).await.expect("sqlite app");
                super::$name(app).await;
            }
            #[cfg_attr(not(axid_pg_tests), ignore = "TEST_DATABASE_URL was not set when the tests were built")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::saml::saml_app($crate::helpers::Db::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}

pub async fn saml_app(db: Db) -> Option<TestApp> {
    // A fixed data key, so PostgreSQL tests do not share a generated key file.
    spawn_app_with(
        db,
        &[
            ("SSO_FETCH_ALLOW_PRIVATE", "true"),
            ("SSO_DATA_KEY", TEST_DATA_KEY),
        ],
    )
    .await
}

pub fn sp_entity(app: &TestApp, org: &str) -> String {
    app.url(&format!("/auth/saml/{org}/metadata"))
}

pub fn acs_url(app: &TestApp, org: &str) -> String {
    app.url(&format!("/auth/saml/{org}/callback"))
}

pub fn saml_config(extra: Value) -> Value {
    let mut config = json!({
        "protocol": "saml",
        "provider": "okta",
        "default_role": "viewer",
        "group_role_mappings": [{"group": "axid-admins", "role": "admin"}],
        "saml": {
            "idp_entity_id": IDP_ENTITY,
            "idp_sso_url": "https://idp.example.test/sso",
            "idp_certificates": [IDP_CERT],
        }
    });
    axid::federation::config::merge_patch(&mut config, &extra);
    config
}

/// Creates org `org`, logs in as its admin and saves a SAML configuration.
pub async fn configured(app: &TestApp, org: &str, extra: Value) {
    app.org_admin_session(org).await;
    let res = app
        .post_json("/api/v1/sso/config", &saml_config(extra))
        .await;
    assert_eq!(
        res.status(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

/// One started SP-initiated flow: the AuthnRequest id and the RelayState.
pub struct Flow {
    pub request_id: String,
    pub relay_state: String,
    /// The `axid_saml_flow` cookie /login set: the browser that started the flow.
    pub binding: String,
}

impl Flow {
    /// The Cookie header of the browser that started this flow.
    pub fn cookie(&self) -> String {
        format!("axid_saml_flow={}", self.binding)
    }
}

pub async fn start_login(app: &TestApp, org: &str, return_to: &str) -> Flow {
    let res = new_client()
        .get(app.url(&format!("/auth/saml/{org}/login?return_to={return_to}")))
        .send()
        .await
        .expect("login");
    flow_of(&res)
}

/// The flow a redirect to the IdP started: its request id, RelayState and binding cookie.
pub fn flow_of(res: &reqwest::Response) -> Flow {
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let binding = res
        .cookies()
        .find(|c| c.name() == "axid_saml_flow")
        .map(|c| c.value().to_owned())
        .expect("the flow's binding cookie");
    flow_at_with(&location, binding)
}

/// The flow sent to the IdP at `location`, started in the browser holding `binding`.
pub fn flow_at_with(location: &str, binding: String) -> Flow {
    let url = url::Url::parse(location).expect("url");
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .expect(name)
    };
    let deflated = base64::engine::general_purpose::STANDARD
        .decode(param("SAMLRequest"))
        .expect("b64");
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(&deflated[..])
        .read_to_string(&mut xml)
        .expect("inflate");
    let start = xml.find(" ID=\"").expect("ID") + 5;
    let request_id = xml[start..start + xml[start..].find('"').expect("end")].to_owned();
    Flow {
        request_id,
        relay_state: param("RelayState"),
        binding,
    }
}

pub fn idp() -> TestIdp {
    TestIdp::new(IDP_KEY, IDP_CERT)
}

/// A valid response spec for `flow` (None: unsolicited) at the app's current time.
pub fn spec_for(app: &TestApp, org: &str, flow: Option<&Flow>, name_id: &str) -> ResponseSpec {
    let mut spec = ResponseSpec::new(
        IDP_ENTITY,
        &sp_entity(app, org),
        &acs_url(app, org),
        name_id,
        app.clock.now_ms(),
    );
    spec.in_response_to = flow.map(|f| f.request_id.clone());
    spec.sign = SignMode::Assertion;
    spec
}

pub fn b64(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml)
}

/// POSTs a response to the ACS from a fresh browser (cookie jar of its own).
pub async fn post_response(
    app: &TestApp,
    org: &str,
    saml_response: &str,
    relay_state: Option<&str>,
) -> reqwest::Response {
    let mut form = vec![("SAMLResponse", saml_response.to_owned())];
    if let Some(r) = relay_state {
        form.push(("RelayState", r.to_owned()));
    }
    new_client()
        .post(acs_url(app, org))
        .header("Accept", "application/json")
        .form(&form)
        .send()
        .await
        .expect("post")
}

/// POSTs a response to the ACS from the browser that started `flow` (its binding cookie).
pub async fn post_in_flow(
    app: &TestApp,
    org: &str,
    saml_response: &str,
    flow: &Flow,
) -> reqwest::Response {
    new_client()
        .post(acs_url(app, org))
        .header("Accept", "application/json")
        .header("Cookie", flow.cookie())
        .form(&[
            ("SAMLResponse", saml_response.to_owned()),
            ("RelayState", flow.relay_state.clone()),
        ])
        .send()
        .await
        .expect("post")
}

/// Asserts a refused login: the status, the JSON error code, no cookie.
pub async fn assert_refused(res: reqwest::Response, status: u16, code: &str) {
    assert_eq!(res.status(), status, "expected {code}");
    assert!(
        res.headers().get("set-cookie").is_none(),
        "a failed flow set a cookie"
    );
    let body = json_of(res).await;
    assert_eq!(body["error"], code, "{body}");
}

/// The reasons of the org's SSO audit feed, newest first (uses the app client's session).
pub async fn audit_reasons(app: &TestApp) -> Vec<String> {
    let body = json_of(app.get("/api/v1/sso/audit?limit=200").await).await;
    body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["event"] == "saml_login")
        .map(|e| e["reason"].as_str().unwrap_or("none").to_owned())
        .collect()
}
