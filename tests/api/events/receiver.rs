//! The standardwebhooks receiver (tests/tools/webhooks/receiver.py) as a child process.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Receiver {
    _child: Child,
    pub base: String,
    http: reqwest::Client,
}

/// The venv's python, or None (with a SKIPPED line) when tests/tools/webhooks/setup.sh has
/// not run. With AXID_REQUIRE_TOOLS=1 a missing tool fails the test instead.
fn python() -> Option<PathBuf> {
    let venv = std::env::var("AXID_WEBHOOKS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/axid-tools/webhooks-venv")
        });
    let python = venv.join("bin/python");
    if python.is_file() {
        return Some(python);
    }
    if std::env::var("AXID_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("AXID_REQUIRE_TOOLS=1 but standardwebhooks is not installed: run tests/tools/webhooks/setup.sh");
    }
    eprintln!("SKIPPED: standardwebhooks not installed (run tests/tools/webhooks/setup.sh)");
    None
}

impl Receiver {
    pub async fn start() -> Option<Self> {
        let mut child = Command::new(python()?)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/tools/webhooks/receiver.py"
            ))
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the receiver");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .expect("receiver port");
        let port: u16 = line.trim().parse().expect("port number");
        Some(Self {
            _child: child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        })
    }

    /// Sets how `path` answers and which secrets it verifies each delivery with.
    pub async fn configure(&self, path: &str, secrets: &[&str], fail_first: u32, status: u16) {
        let res = self
            .http
            .post(format!("{}/_config", self.base))
            .json(&json!({"path": path, "secrets": secrets, "fail_first": fail_first, "status": status}))
            .send()
            .await
            .expect("configure receiver");
        assert_eq!(res.status(), 204);
    }

    /// Deliveries `path` received so far.
    pub async fn log(&self, path: &str) -> Vec<Value> {
        let all: Vec<Value> = self
            .http
            .get(format!("{}/_log", self.base))
            .send()
            .await
            .expect("receiver log")
            .json()
            .await
            .expect("log json");
        all.into_iter().filter(|d| d["path"] == path).collect()
    }
}
