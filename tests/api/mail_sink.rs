//! A real SMTP server for tests: PyPI aiosmtpd run by tests/support/smtp_sink.py.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

/// The Python that has aiosmtpd: AXID_TEST_PYTHON (set by scripts/test.sh), else python3.
fn python() -> String {
    std::env::var("AXID_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

impl SmtpSink {
    /// Starts the sink, or returns None (with a SKIPPED line) when aiosmtpd is missing and
    /// AXID_REQUIRE_TOOLS is not 1.
    pub fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let dir = std::env::temp_dir().join(format!("axid-smtp-{}", uuid::Uuid::new_v4().simple()));
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let spawned = Command::new(python())
            .args([script, &port.to_string(), &dir.display().to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => return skip(&format!("cannot run {}: {e}", python())),
        };
        let mut line = String::new();
        let stdout = child.stdout.take()?;
        let _ = BufReader::new(stdout).read_line(&mut line);
        if line.trim() != "ready" {
            let _ = child.kill();
            return skip("aiosmtpd is not installed (scripts/test.sh installs it)");
        }
        Some(Self { port, dir, child })
    }

    /// Waits (at most 10 s) for the n-th message and returns its raw text.
    pub async fn message(&self, n: usize) -> String {
        let path = self.dir.join(format!("{n}.eml"));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(text) = std::fs::read_to_string(&path) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "no mail #{n} arrived within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|d| d.filter(|e| e.is_ok()).count())
            .unwrap_or(0)
    }
}

fn skip(why: &str) -> Option<SmtpSink> {
    if std::env::var("AXID_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("AXID_REQUIRE_TOOLS=1 but the SMTP sink cannot start: {why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
