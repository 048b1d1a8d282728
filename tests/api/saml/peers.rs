//! End-to-end logins with two real, independent IdPs that sign genuine responses: npm
//! samlify (xml-crypto) and PyPI pysaml2 (xmlsec1), each with the assertion signed, the
//! response signed, and both. Install them with tests/tools/saml/setup.sh.
//!
//! Tools are found through AXID_SAML_NODE_DIR (default $HOME/.cache/axid-tools/saml-node)
//! and AXID_SAML_VENV (default $HOME/.cache/axid-tools/saml-venv). When missing, the tests
//! print `SKIPPED: <tool> not installed` and pass, unless AXID_REQUIRE_TOOLS=1 (CI).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;
use crate::helpers::{new_client, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(
    samlify_logins_succeed_in_every_signing_mode,
    pysaml2_logins_succeed_in_every_signing_mode
);

const MODES: [&str; 3] = ["assertion", "response", "both"];

fn tools_dir() -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".cache/axid-tools")
}

pub(super) fn tool_path(var: &str, default: &str) -> PathBuf {
    std::env::var(var)
        .map(PathBuf::from)
        .unwrap_or_else(|_| tools_dir().join(default))
}

/// None (with a SKIPPED line) when the tool is missing, or a panic under AXID_REQUIRE_TOOLS=1.
pub(super) fn require(tool: &str, present: bool) -> Option<()> {
    if present {
        return Some(());
    }
    if std::env::var("AXID_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("AXID_REQUIRE_TOOLS=1 but {tool} is not installed: run tests/tools/saml/setup.sh");
    }
    println!("SKIPPED: {tool} not installed (run tests/tools/saml/setup.sh)");
    None
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/saml")
        .join(name)
        .display()
        .to_string()
}

pub(super) fn script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools/saml")
        .join(name)
        .display()
        .to_string()
}

pub(super) async fn run_tool(mut cmd: tokio::process::Command) -> String {
    cmd.env("IDP_KEY", fixture("idp.key"))
        .env("IDP_CERT", fixture("idp.crt"))
        .env("IDP_ENTITY", IDP_ENTITY);
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .expect("tool timed out")
        .expect("tool runs");
    assert!(
        out.status.success(),
        "tool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned()
}

pub(super) async fn login_and_check(
    app: &TestApp,
    flow: &Flow,
    saml_response: &str,
    mode: &str,
    peer: &str,
) {
    let browser = new_client();
    let res = browser
        .post(acs_url(app, "acme"))
        .header("Accept", "application/json")
        .header("Cookie", flow.cookie())
        .form(&[
            ("SAMLResponse", saml_response),
            ("RelayState", flow.relay_state.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        status,
        303,
        "{peer} {mode}: {}",
        res.text().await.unwrap_or_default()
    );
    let session: serde_json::Value = browser
        .get(app.url("/api/v1/auth/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        session["principal"]["email"], "alice@acme.com",
        "{peer} {mode}"
    );
    assert_eq!(session["auth_method"], "saml");
}

/// samlify answering `flow` for acme, signing in `mode`.
pub(super) fn samlify_command(
    app: &TestApp,
    node_dir: &Path,
    flow: &Flow,
    mode: &str,
) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("node");
    cmd.env("NODE_PATH", node_dir.join("node_modules"))
        .arg(script("samlify-idp.js"))
        .args([
            acs_url(app, "acme"),
            sp_entity(app, "acme"),
            flow.request_id.clone(),
            "alice@acme.com".into(),
            mode.into(),
        ]);
    cmd
}

/// pysaml2 answering `flow` for the SP of `md_file`, signing in `mode`.
pub(super) fn pysaml2_command(
    app: &TestApp,
    md_file: &Path,
    dir: &Path,
    flow: &Flow,
    mode: &str,
) -> tokio::process::Command {
    let python = tool_path("AXID_SAML_VENV", "saml-venv").join("bin/python");
    let mut cmd = tokio::process::Command::new(python);
    cmd.current_dir(dir).arg(script("pysaml2-idp.py")).args([
        md_file.display().to_string(),
        acs_url(app, "acme"),
        sp_entity(app, "acme"),
        flow.request_id.clone(),
        "alice@acme.com".into(),
        mode.into(),
    ]);
    cmd
}

async fn samlify_logins_succeed_in_every_signing_mode(app: TestApp) {
    let node_dir = tool_path("AXID_SAML_NODE_DIR", "saml-node");
    if require(
        "samlify",
        node_dir.join("node_modules/samlify/package.json").exists(),
    )
    .is_none()
    {
        return;
    }
    configured(&app, "acme", json!({})).await;
    for mode in MODES {
        let flow = start_login(&app, "acme", "/").await;
        let response = run_tool(samlify_command(&app, &node_dir, &flow, mode)).await;
        login_and_check(&app, &flow, &response, mode, "samlify").await;
    }
}

async fn pysaml2_logins_succeed_in_every_signing_mode(app: TestApp) {
    let python = tool_path("AXID_SAML_VENV", "saml-venv").join("bin/python");
    let xmlsec = ["/usr/bin/xmlsec1", "/usr/local/bin/xmlsec1"]
        .iter()
        .any(|p| Path::new(p).exists());
    if require("pysaml2", python.exists()).is_none() || require("xmlsec1", xmlsec).is_none() {
        return;
    }
    configured(&app, "acme", json!({})).await;
    let metadata = new_client()
        .get(sp_entity(&app, "acme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("axid-pysaml2-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let md_file = dir.join("sp_md.xml");
    std::fs::write(&md_file, metadata).unwrap();
    for mode in MODES {
        let flow = start_login(&app, "acme", "/").await;
        let cmd = pysaml2_command(&app, &md_file, &dir, &flow, mode);
        let response = run_tool(cmd).await;
        login_and_check(&app, &flow, &response, mode, "pysaml2").await;
    }
    let _ = std::fs::remove_dir_all(dir);
}
