//! End to end against the real npm oidc-provider (installed by tests/tools/oidc/setup.sh),
//! including a signing-key rotation while axid runs: the provider restarts with a new `kid`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::http_support::{
    assert_refused, call, configured, last_reason, oidc_events, to_callback, ORG,
};
use crate::helpers::{json_of, TestApp};
use crate::oidc_both_dbs;

const CLIENT_ID: &str = "acme-portal";
const CLIENT_SECRET: &str = "acme-secret";

/// The installed package's folder, or None (with a SKIPPED line) when it is missing.
/// With AXID_REQUIRE_TOOLS=1 (CI) a missing tool fails the test instead.
fn tool_dir() -> Option<PathBuf> {
    let tools = std::env::var("AXID_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/axid-tools")
        });
    let dir = tools.join("oidc-node");
    if dir
        .join("node_modules/oidc-provider/package.json")
        .is_file()
    {
        return Some(dir);
    }
    if std::env::var("AXID_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("AXID_REQUIRE_TOOLS=1 but oidc-provider is not installed: run tests/tools/oidc/setup.sh");
    }
    eprintln!("SKIPPED: oidc-provider not installed (run tests/tools/oidc/setup.sh)");
    None
}

struct NodeIdp {
    child: Child,
}

impl NodeIdp {
    async fn start(dir: &PathBuf, port: u16, redirect_uri: &str, kid: &str) -> Self {
        let script = dir.join("provider.mjs");
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/oidc/provider.mjs"),
            &script,
        )
        .expect("copy provider.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .current_dir(dir)
            .env("PORT", port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .env("KID", kid)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("idp ready") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(ready, Ok(true), "oidc-provider did not start");
        // Keep reading: a closed pipe would kill node at its next write.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self { child }
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn real_provider_logins_and_a_key_rotation_while_axid_runs(app: TestApp) {
    let Some(dir) = tool_dir() else { return };
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let callback = app.url(&format!("/auth/oidc/{ORG}/callback"));
    let idp = NodeIdp::start(&dir, port, &callback, "k1").await;
    configured(&app, &issuer, CLIENT_ID, CLIENT_SECRET).await;

    let (alice, url) = to_callback(&app, Some("alice")).await;
    let res = call(&alice, &url).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dash");
    let session = json_of(
        alice
            .get(app.url("/api/v1/auth/session"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(session["principal"]["email"], "alice@acme.test");
    assert_eq!(session["roles"], json!(["admin"]));
    assert_eq!(session["auth_method"], "oidc");
    for (user, status, code) in [
        ("carol", 403, "email_not_verified"),
        ("mallory", 403, "email_domain_not_allowed"),
    ] {
        let (browser, url) = to_callback(&app, Some(user)).await;
        assert_refused(call(&browser, &url).await, status, code).await;
        assert_eq!(last_reason(&app).await, code, "{user}");
    }
    // Alice's callback replayed.
    app.clock.advance_secs(1);
    assert_refused(call(&alice, &url).await, 400, "state_replayed").await;
    assert_eq!(last_reason(&app).await, "state_replayed");

    // Key rotation while axid runs: the provider restarts on the same issuer with key k2.
    idp.stop().await;
    let idp = NodeIdp::start(&dir, port, &callback, "k2").await;
    // Within the refetch interval of the last JWKS fetch the new kid is not fetched yet.
    let (bob, url) = to_callback(&app, Some("bob")).await;
    assert_refused(call(&bob, &url).await, 401, "kid_unknown").await;
    assert_eq!(last_reason(&app).await, "kid_unknown");
    app.clock.advance_secs(31);
    let (bob, url) = to_callback(&app, Some("bob")).await;
    assert_eq!(
        call(&bob, &url).await.status(),
        303,
        "bob logs in with the rotated key"
    );
    let session = json_of(
        bob.get(app.url("/api/v1/auth/session"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(session["roles"], json!(["viewer"]));
    assert_eq!(oidc_events(&app).await[0]["outcome"], "success");
    idp.stop().await;
}

oidc_both_dbs!(real_provider_logins_and_a_key_rotation_while_axid_runs);
