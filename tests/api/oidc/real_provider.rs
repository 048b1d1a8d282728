//! End to end against the real npm oidc-provider (installed by tests/tools/oidc/setup.sh),
//! including a signing-key rotation while axid runs: the provider restarts with a new `kid`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use axid::oidc::OidcReason;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::core_flow::{complete, start_as, Rp};
use crate::helpers::TestApp;
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
    let mut rp = Rp::new(&app, "acme", &issuer).await;
    rp.client_id = CLIENT_ID.to_owned();
    rp.secret = axid::config::Secret::new(CLIENT_SECRET);
    rp.scopes.push("groups".into());
    let idp = NodeIdp::start(&dir, port, &rp.redirect_uri, "k1").await;

    let cb = start_as(&app, &rp, Some("alice")).await;
    let done = complete(&app, &rp, &cb, Some(&cb.binding))
        .await
        .expect("alice logs in");
    assert_eq!(done.identity.email.as_deref(), Some("alice@acme.test"));
    assert!(
        done.identity.groups.iter().any(|g| g == "axid-admins"),
        "{:?}",
        done.identity.groups
    );
    for (user, reason) in [
        ("carol", OidcReason::EmailNotVerified),
        ("mallory", OidcReason::EmailDomainNotAllowed),
    ] {
        let cb = start_as(&app, &rp, Some(user)).await;
        assert_eq!(
            complete(&app, &rp, &cb, Some(&cb.binding))
                .await
                .unwrap_err(),
            reason,
            "{user}"
        );
    }
    // The replayed callback of alice's login.
    assert_eq!(
        complete(&app, &rp, &cb, Some(&cb.binding))
            .await
            .unwrap_err(),
        OidcReason::StateReplayed
    );

    // Key rotation: the provider restarts on the same issuer with a new key `k2`.
    idp.stop().await;
    let idp = NodeIdp::start(&dir, port, &rp.redirect_uri, "k2").await;
    // Within the refetch interval of the last JWKS fetch, the new kid is not fetched yet.
    let cb = start_as(&app, &rp, Some("bob")).await;
    assert_eq!(
        complete(&app, &rp, &cb, Some(&cb.binding))
            .await
            .unwrap_err(),
        OidcReason::KidUnknown
    );
    app.clock.advance_secs(31);
    let cb = start_as(&app, &rp, Some("bob")).await;
    let done = complete(&app, &rp, &cb, Some(&cb.binding))
        .await
        .expect("bob logs in after rotation");
    assert_eq!(done.identity.email.as_deref(), Some("bob@acme.test"));
    idp.stop().await;
}

oidc_both_dbs!(real_provider_logins_and_a_key_rotation_while_axid_runs);
