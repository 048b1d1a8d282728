//! The `axid` binary: configuration refusal, migrate, org create, serve on the embedded
//! SQLite default and graceful shutdown on SIGTERM.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const AXID: &str = env!("CARGO_BIN_EXE_axid");

/// A fresh working directory with none of the developer's AXID/DATABASE variables.
fn sandbox() -> (PathBuf, Command) {
    let dir = std::env::temp_dir().join(format!("axid-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut cmd = Command::new(AXID);
    cmd.current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn");
    (dir, cmd)
}

#[test]
fn outside_community_mode_it_refuses_to_start_without_an_admin_key() {
    let (dir, mut cmd) = sandbox();
    let out = cmd
        .env("DEPLOYMENT_MODE", "enterprise")
        .arg("serve")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "one-line explanation: {stderr}"
    );
    assert!(stderr.contains("ADMIN_API_KEY is required"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn migrate_and_org_create_bootstrap_the_embedded_sqlite_database() {
    let (dir, mut cmd) = sandbox();
    let out = cmd.arg("migrate").output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dir.join("data/axid.db").exists(),
        "the default database is ./data/axid.db"
    );

    let create = |password: &str| {
        let (_, mut cmd) = (dir.clone(), Command::new(AXID));
        cmd.current_dir(&dir).env_clear().env("RUST_LOG", "warn");
        let mut child = cmd
            .args([
                "org",
                "create",
                "acme",
                "--name",
                "Acme",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let weak = create("short");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));
    let ok = create("correct horse battery staple");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let again = create("correct horse battery staple");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn serve_answers_logins_and_stops_cleanly_on_sigterm() {
    let (dir, mut cmd) = sandbox();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = cmd
        .env("AXID_PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.get(format!("{base}/health")).send().await.is_err() {
        assert!(Instant::now() < deadline, "axid did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // No ADMIN_API_KEY in community mode: the loopback client may create an org.
    let body = serde_json::json!({"org_id": "acme", "name": "Acme", "password": "correct horse battery staple"});
    let res = client
        .post(format!("{base}/api/v1/admin/organizations"))
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 201);
    let login = serde_json::json!({"org_id": "acme", "password": "correct horse battery staple"});
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&login)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "axid did not stop within 15 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    let _ = std::fs::remove_dir_all(dir);
}
