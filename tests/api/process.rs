//! A real `axid serve` child process for the tests that kill it (`kill -9`) and restart it
//! on the same database.

use std::net::TcpListener;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::helpers::ADMIN_KEY;

const AXID: &str = env!("CARGO_BIN_EXE_axid");
/// Fixed, so a restarted process opens the secrets the first one sealed.
const DATA_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// One `axid serve` child process; dropped or killed, it gets SIGKILL.
pub struct Process {
    child: Child,
    pub base: String,
}

impl Process {
    pub async fn start(db_url: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(AXID)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("DATABASE_URL", db_url)
            .env("PUBLIC_URL", &base)
            .env("AXID_HOST", "127.0.0.1")
            .env("AXID_PORT", port.to_string())
            .env("ADMIN_API_KEY", ADMIN_KEY)
            .env("SSO_DATA_KEY", DATA_KEY)
            .env("WEBHOOK_ALLOW_PRIVATE", "1")
            .kill_on_drop(true)
            .spawn()
            .expect("start axid serve");
        let process = Self { child, base };
        process.wait_ready().await;
        process
    }

    async fn wait_ready(&self) {
        let http = reqwest::Client::new();
        for _ in 0..400 {
            let ready = http.get(format!("{}/ready", self.base)).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("axid serve did not become ready");
    }

    /// SIGKILL: no graceful shutdown, no chance to finish or hand back a lease.
    pub async fn kill_nine(mut self) {
        self.child.kill().await.expect("kill -9");
    }
}
