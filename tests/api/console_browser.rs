//! The console in a real browser: headless Debian Chromium driven by puppeteer-core
//! (tests/tools/console/walk.js) signs in with a wrong and then the right password, sees
//! the overview, finds a hostile NameID shown as text on the SSO audit page, filters it
//! and signs out; a screenshot of every page is saved under
//! `$CARGO_TARGET_DIR/console-screenshots/`. An IT admin walks a setup link the same way
//! (tests/tools/console/setup-walk.js), and an admin walks the SSO wizard against a samlify
//! IdP on loopback (tests/tools/console/wizard-walk.js). One database (SQLite): the pages' reads are
//! covered on both by `console.rs`.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::helpers::{json_of, Db, ORG_PASSWORD};
use crate::saml::{configured, idp, post_response, saml_app, spec_for};

fn node_dir() -> PathBuf {
    std::env::var("AXID_CONSOLE_NODE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
            PathBuf::from(home).join(".cache/axid-tools/console-node")
        })
}

fn saml_node_dir() -> PathBuf {
    std::env::var("AXID_SAML_NODE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| node_dir().with_file_name("saml-node"))
}

fn screenshots_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("console-screenshots")
}

/// None (with a SKIPPED line) without Chromium or puppeteer-core, a panic under
/// AXID_REQUIRE_TOOLS=1.
fn browser_present() -> Option<()> {
    let present = Path::new("/usr/bin/chromium").exists()
        && node_dir()
            .join("node_modules/puppeteer-core/package.json")
            .exists()
        && saml_node_dir()
            .join("node_modules/samlify/package.json")
            .exists();
    if present {
        return Some(());
    }
    if std::env::var("AXID_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("AXID_REQUIRE_TOOLS=1 but Chromium, puppeteer-core or samlify is missing: run tests/tools/console/setup.sh and tests/tools/saml/setup.sh");
    }
    println!(
        "SKIPPED: Chromium, puppeteer-core or samlify not installed (run tests/tools/console/setup.sh and tests/tools/saml/setup.sh)"
    );
    None
}

/// Runs a walk script with `args` and the screenshot directory; it must print `ok_line`.
async fn run_walk(script: &str, args: &[String], shots: &Path, ok_line: &str) {
    std::fs::create_dir_all(shots).expect("screenshot dir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools/console")
        .join(script);
    let mut cmd = tokio::process::Command::new("node");
    // samlify (the wizard walk's IdP) comes from the SAML tool suite's install.
    let node_path = format!(
        "{}:{}",
        node_dir().join("node_modules").display(),
        saml_node_dir().join("node_modules").display()
    );
    cmd.env("NODE_PATH", node_path)
        .arg(script)
        .args(args)
        .arg(shots);
    let out = tokio::time::timeout(std::time::Duration::from_secs(90), cmd.output())
        .await
        .expect("the walk ends within 90 s")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(ok_line),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_walks_the_console_in_chromium() {
    if browser_present().is_none() {
        return;
    }
    let app = saml_app(Db::Sqlite).await.expect("app");
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let spec = spec_for(
        &app,
        "acme",
        None,
        r#""><img src=x onerror="window.__xss=1"><script>alert(2)</script>"#,
    );
    let res = post_response(&app, "acme", &idp().response_b64(&spec).unwrap(), None).await;
    assert_eq!(res.status(), 303);
    let shots = screenshots_dir();
    let args = [app.address.clone(), "acme".into(), ORG_PASSWORD.into()];
    run_walk("walk.js", &args, &shots, "walk: ok").await;
    for page in [
        "sign-in",
        "sign-in-refused",
        "overview",
        "audit",
        "directory",
        "api-keys",
        "clients",
        "webhooks",
        "scim-token-created",
    ] {
        assert!(shots.join(format!("{page}.png")).exists(), "{page}.png");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_it_admin_walks_a_setup_link_in_chromium() {
    if browser_present().is_none() {
        return;
    }
    let app = saml_app(Db::Sqlite).await.expect("app");
    app.org_admin_session("acme").await;
    let link = json_of(
        app.post_json("/api/v1/setup-links", &json!({"intents": ["scim"]}))
            .await,
    )
    .await;
    let key = json_of(
        app.post_json("/api/v1/keys", &json!({"name": "walk", "role": "admin"}))
            .await,
    )
    .await;
    let args = [
        app.address.clone(),
        link["url"].as_str().expect("url").to_owned(),
        link["id"].as_str().expect("id").to_owned(),
        key["key"].as_str().expect("key").to_owned(),
    ];
    let shots = screenshots_dir();
    run_walk("setup-walk.js", &args, &shots, "setup walk: ok").await;
    for page in ["setup-start", "setup-scim-token", "setup-ended"] {
        assert!(shots.join(format!("{page}.png")).exists(), "{page}.png");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_walks_the_sso_wizard_against_samlify_in_chromium() {
    if browser_present().is_none() {
        return;
    }
    let app = saml_app(Db::Sqlite).await.expect("app");
    app.org_admin_session("acme").await;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/saml");
    let args = [
        app.address.clone(),
        "acme".into(),
        ORG_PASSWORD.into(),
        fixtures.join("idp.key").display().to_string(),
        fixtures.join("idp.crt").display().to_string(),
    ];
    let shots = screenshots_dir();
    run_walk("wizard-walk.js", &args, &shots, "wizard walk: ok").await;
    for page in [
        "wizard",
        "wizard-test-result",
        "wizard-activated",
        "sso-user-signed-in",
    ] {
        assert!(shots.join(format!("{page}.png")).exists(), "{page}.png");
    }
    // The test sign-in created nobody; the SSO sign-in after activation created Ada.
    let users = json_of(app.get("/api/v1/users").await).await;
    let names: Vec<&str> = users["users"]
        .as_array()
        .map(|u| u.iter().filter_map(|x| x["email"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["ada@acme.test"], "{users}");
}
