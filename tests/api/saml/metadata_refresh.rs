//! IdP metadata refresh (CONTRACT.md §17) against a local HTTP server whose metadata the
//! test changes: an IdP certificate rollover is picked up on the first response the new
//! certificate signs, with no admin action; the departed certificate is trusted 7 more
//! days; the fetch is conditional; an entity id change, a dead server or a malformed
//! document keep the configuration and are recorded once.

use std::sync::{Arc, Mutex};

use axid::clock::Clock;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::helpers::{spawn_replica, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(
    a_rolled_idp_certificate_is_trusted_on_its_first_response,
    refresh_is_conditional_and_failures_keep_the_configuration,
    the_schedule_fetches_once_per_period_across_replicas,
);

const IDP2_KEY: &str = include_str!("../../fixtures/saml/idp2.key");
const SSO_URL: &str = "https://idp.example.test/sso";

/// What the metadata server answers, and what it saw.
#[derive(Default)]
struct Served {
    /// None: answer 500.
    body: Option<String>,
    etag: String,
    requests: usize,
    conditional: usize,
}

#[derive(Clone)]
struct MetadataServer {
    url: String,
    served: Arc<Mutex<Served>>,
}

impl MetadataServer {
    /// Serves at most 40 requests, then stops.
    async fn start(body: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/metadata", listener.local_addr().unwrap());
        let served = Arc::new(Mutex::new(Served::default()));
        let server = Self { url, served };
        server.set(Some(body));
        let shared = server.served.clone();
        tokio::spawn(async move {
            for _ in 0..40 {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_lowercase();
                let reply = answer(&shared, &request);
                let _ = sock.write_all(reply.as_bytes()).await;
            }
        });
        server
    }

    fn set(&self, body: Option<String>) {
        let mut s = self.served.lock().unwrap();
        s.etag = format!(
            "\"v{}\"",
            s.requests * 100 + body.as_ref().map_or(0, String::len)
        );
        s.body = body;
    }

    fn requests(&self) -> (usize, usize) {
        let s = self.served.lock().unwrap();
        (s.requests, s.conditional)
    }
}

fn answer(shared: &Mutex<Served>, request: &str) -> String {
    let mut s = shared.lock().unwrap();
    s.requests += 1;
    let etag = s.etag.clone();
    let asked = request
        .lines()
        .find_map(|l| l.strip_prefix("if-none-match:"))
        .map(str::trim);
    if asked.is_some() {
        s.conditional += 1;
    }
    match &s.body {
        _ if asked == Some(etag.to_lowercase().as_str()) => {
            format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n")
        }
        None => "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
        Some(body) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/samlmetadata+xml\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    }
}

fn bare(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

fn metadata(entity: &str, certs: &[&str], cache_duration: Option<&str>) -> String {
    let keys: String = certs
        .iter()
        .map(|c| format!(r#"<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#, bare(c)))
        .collect();
    let cache = cache_duration.map_or(String::new(), |d| format!(r#" cacheDuration="{d}""#));
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity}"{cache}><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{SSO_URL}"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    )
}

fn fingerprint(pem: &str) -> String {
    axid::protocol::certs::parse_certificate(pem)
        .expect("cert")
        .sha256_fingerprint
}

/// Org "acme" configured from the server's metadata URL alone.
async fn configured_from(app: &TestApp, server: &MetadataServer) {
    app.org_admin_session("acme").await;
    let cfg = json!({"protocol": "saml", "provider": "okta", "default_role": "viewer",
                     "saml": {"metadata_url": server.url}});
    let res = app.post_json("/api/v1/sso/config", &cfg).await;
    assert_eq!(
        res.status(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

async fn config(app: &TestApp) -> Value {
    json_of(app.get("/api/v1/sso/config").await).await
}

async fn refresh(app: &TestApp) -> Value {
    let res = app
        .post_json("/api/v1/sso/metadata/refresh", &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    json_of(res).await
}

async fn events(app: &TestApp, kind: &str) -> Vec<Value> {
    let body = json_of(app.get(&format!("/api/v1/events?types={kind}")).await).await;
    body["events"].as_array().expect("events").clone()
}

/// An unsolicited sign-in signed by `idp`; the status and the error code.
async fn sign_in(app: &TestApp, idp: &TestIdp, name_id: &str) -> (u16, Value) {
    let spec = spec_for(app, "acme", None, name_id);
    let res = post_response(app, "acme", &idp.response_b64(&spec).expect("sign"), None).await;
    let status = res.status().as_u16();
    let body = if status == 303 {
        Value::Null
    } else {
        json_of(res).await["error"].clone()
    };
    (status, body)
}

async fn a_rolled_idp_certificate_is_trusted_on_its_first_response(app: TestApp) {
    let server = MetadataServer::start(metadata(IDP_ENTITY, &[IDP_CERT], None)).await;
    configured_from(&app, &server).await;
    let res = app
        .client
        .patch(app.url("/api/v1/sso/config"))
        .json(&json!({"allow_idp_initiated": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let shown = config(&app).await;
    assert!(shown["saml"]["last_fetched_at"].is_string(), "{shown}");
    assert_eq!(shown["saml"]["last_error"], Value::Null);
    assert_eq!(sign_in(&app, &idp(), "before@acme.test").await.0, 303);

    // The IdP rolls its certificate: the metadata now lists only the new one.
    server.set(Some(metadata(IDP_ENTITY, &[IDP2_CERT], None)));
    let (before, _) = server.requests();
    let rolled = TestIdp::new(IDP2_KEY, IDP2_CERT);
    assert_eq!(
        sign_in(&app, &rolled, "after@acme.test").await,
        (303, Value::Null)
    );
    assert_eq!(server.requests().0, before + 1, "one refetch");
    let shown = config(&app).await;
    assert_eq!(
        shown["saml"]["idp_certificates"].as_array().unwrap().len(),
        2
    );
    let refreshed = events(&app, "sso.metadata_refreshed").await;
    assert_eq!(refreshed.len(), 1, "{refreshed:?}");
    assert_eq!(refreshed[0]["data"]["trigger"], "unknown_certificate");
    assert_eq!(
        refreshed[0]["data"]["certificates_added"],
        json!([fingerprint(IDP2_CERT)])
    );
    assert_eq!(
        refreshed[0]["data"]["certificates_departed"],
        json!([fingerprint(IDP_CERT)])
    );

    // A stranger's signature does not refetch again within 5 minutes, and is refused.
    let stranger = TestIdp::new(ATTACKER_KEY, ATTACKER_CERT);
    assert_eq!(
        sign_in(&app, &stranger, "x@acme.test").await,
        (403, json!("signature_invalid"))
    );
    assert_eq!(
        server.requests().0,
        before + 1,
        "no second refetch within 5 minutes"
    );
    // The departed certificate is still trusted while the rollover propagates.
    assert_eq!(sign_in(&app, &idp(), "old@acme.test").await.0, 303);

    // Seven days later it is gone.
    app.clock.advance_secs(7 * 86_400 + 60);
    assert_eq!(app.login("acme").await.status(), 200);
    let done = refresh(&app).await;
    assert_eq!(done["outcome"], "updated", "{done}");
    assert_eq!(
        done["changes"]["certificates_removed"],
        json!([fingerprint(IDP_CERT)])
    );
    assert_eq!(
        sign_in(&app, &idp(), "late@acme.test").await,
        (403, json!("signature_invalid"))
    );
    assert_eq!(sign_in(&app, &rolled, "new@acme.test").await.0, 303);
}

async fn refresh_is_conditional_and_failures_keep_the_configuration(app: TestApp) {
    let server = MetadataServer::start(metadata(IDP_ENTITY, &[IDP_CERT], None)).await;
    configured_from(&app, &server).await;
    assert_eq!(
        refresh(&app).await["outcome"],
        "unchanged",
        "first refresh has no validators"
    );
    assert_eq!(refresh(&app).await["outcome"], "not_modified");
    assert_eq!(
        server.requests().1,
        1,
        "the second refresh sent If-None-Match"
    );

    // Another entity id is never applied.
    server.set(Some(metadata(
        "https://evil.example/",
        &[ATTACKER_CERT],
        None,
    )));
    let failed = refresh(&app).await;
    assert_eq!(failed["outcome"], "failed");
    assert_eq!(failed["reason"], "entity_id_changed");
    assert_eq!(refresh(&app).await["reason"], "entity_id_changed");
    let shown = config(&app).await;
    assert_eq!(shown["saml"]["idp_entity_id"], IDP_ENTITY);
    assert_eq!(
        shown["saml"]["idp_certificates"].as_array().unwrap().len(),
        1
    );
    assert!(
        shown["saml"]["last_error"]
            .as_str()
            .unwrap()
            .contains("evil.example"),
        "{shown}"
    );
    let failures = events(&app, "sso.metadata_refresh_failed").await;
    assert_eq!(
        failures.len(),
        1,
        "the same failure twice is one event: {failures:?}"
    );
    assert_eq!(failures[0]["data"]["reason"], "entity_id_changed");

    // A dead server and a malformed document: each its reason, the configuration kept.
    server.set(None);
    assert_eq!(refresh(&app).await["reason"], "fetch_failed");
    server.set(Some("<md:EntityDescriptor".into()));
    assert_eq!(refresh(&app).await["reason"], "invalid_metadata");
    assert_eq!(
        config(&app).await["saml"]["idp_certificates"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let reasons: Vec<Value> = events(&app, "sso.metadata_refresh_failed")
        .await
        .iter()
        .map(|e| e["data"]["reason"].clone())
        .collect();
    assert_eq!(
        reasons,
        json!(["entity_id_changed", "fetch_failed", "invalid_metadata"])
            .as_array()
            .unwrap()
            .clone()
    );
    let audit = json_of(app.get("/api/v1/sso/audit").await).await;
    assert!(
        audit.to_string().contains("sso_metadata_refresh"),
        "{audit}"
    );

    // Fixed: the error clears.
    server.set(Some(metadata(IDP_ENTITY, &[IDP_CERT], None)));
    assert_eq!(refresh(&app).await["outcome"], "unchanged");
    assert_eq!(config(&app).await["saml"]["last_error"], Value::Null);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics
            .contains(r#"axid_saml_metadata_refreshes_total{outcome="failed",trigger="admin"} 4"#),
        "{metrics}"
    );
}

async fn pass(app: &TestApp) -> usize {
    axid::federation::metadata_refresh::refresh_pass(&app.state)
        .await
        .expect("pass")
}

async fn the_schedule_fetches_once_per_period_across_replicas(app: TestApp) {
    let server = MetadataServer::start(metadata(IDP_ENTITY, &[IDP_CERT], Some("PT2H"))).await;
    configured_from(&app, &server).await;
    let replica = spawn_replica(
        &app,
        &[
            ("SSO_DATA_KEY", TEST_DATA_KEY),
            ("SSO_FETCH_ALLOW_PRIVATE", "true"),
        ],
    )
    .await;
    assert_eq!(pass(&app).await, 0, "the save fetched it: not due yet");
    app.clock.advance_secs(24 * 3600 + 1);
    let (a, b) = tokio::join!(pass(&app), pass(&replica));
    assert_eq!(a + b, 1, "two replicas, one fetch");
    assert_eq!(pass(&app).await, 0);
    assert_eq!(app.login("acme").await.status(), 200);
    let shown = config(&app).await;
    let next = axid::clock::parse_rfc3339(shown["saml"]["next_fetch_at"].as_str().unwrap());
    assert_eq!(
        next,
        Some(app.clock.now_ms() + 2 * 3_600_000),
        "cacheDuration PT2H: {shown}"
    );
    app.clock.advance_secs(2 * 3600);
    assert_eq!(pass(&replica).await, 1);
    assert_eq!(
        server.requests(),
        (3, 1),
        "the save and two scheduled fetches, one conditional"
    );
}
