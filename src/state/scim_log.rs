//! The SCIM request log: each request's time, method, path, status, typed error, duration
//! and body (secrets removed) goes through a bounded channel to one writer task that stores
//! batches (one transaction each, gathered over up to 50 ms), so requests never wait on
//! the log; rows older than the retention are pruned.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::clock::{Millis, SharedClock};
use crate::domain::OrgId;
use crate::store::{ScimLogRecord, Store, StoreError};

const QUEUE: usize = 10_000;
/// The most entries one write stores, and how long the writer waits to fill it.
const BATCH: usize = 2_000;
const GATHER: Duration = Duration::from_millis(50);
const MAX_BODY_CHARS: usize = 16 * 1024;
const SECRET_WORDS: &[&str] = &[
    "password",
    "secret",
    "token",
    "credential",
    "apikey",
    "api_key",
];

#[derive(Debug)]
pub struct Entry {
    pub org: OrgId,
    pub at: Millis,
    pub method: String,
    pub path: String,
    pub status: i64,
    pub scim_type: Option<String>,
    pub detail: Option<String>,
    pub duration_ms: i64,
    pub body: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct ScimLog {
    tx: mpsc::Sender<ScimLogRecord>,
}

impl ScimLog {
    /// Starts the writer task (needs a Tokio runtime).
    pub fn start(store: Store, clock: SharedClock, retention_days: i64) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(store, clock, retention_days, rx));
        Self { tx }
    }

    /// Queues one entry; when the queue is full the entry is dropped (and logged).
    pub fn record(&self, e: Entry) {
        let body = e.body.map(|mut b| {
            redact(&mut b);
            without_nul_in_json(&mut b);
            let mut text = b.to_string();
            if text.len() > MAX_BODY_CHARS {
                let mut cut = MAX_BODY_CHARS;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push_str("...[truncated]");
            }
            text
        });
        let record = ScimLogRecord {
            org_id: e.org.as_str().to_owned(),
            at: e.at,
            method: without_nul(e.method),
            path: without_nul(e.path),
            status: e.status,
            scim_type: e.scim_type.map(without_nul),
            detail: e.detail.map(without_nul),
            duration_ms: e.duration_ms,
            body,
        };
        if self.tx.try_send(record).is_err() {
            tracing::warn!("SCIM request log queue is full; an entry was dropped");
        }
    }
}

/// A client's text is logged as sent except NUL, which PostgreSQL text cannot hold: it
/// becomes U+FFFD, so one tenant's input can never make the shared batch fail (issue 10,
/// item 4).
fn without_nul(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text
    }
}

/// `without_nul` over every key and string of a JSON body.
fn without_nul_in_json(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('\0') => *s = without_nul(std::mem::take(s)),
        Value::Array(items) => items.iter_mut().for_each(without_nul_in_json),
        Value::Object(map) if map.keys().any(|k| k.contains('\0')) => {
            let entries = std::mem::take(map);
            for (k, mut val) in entries {
                without_nul_in_json(&mut val);
                map.insert(without_nul(k), val);
            }
        }
        Value::Object(map) => map.values_mut().for_each(without_nul_in_json),
        _ => {}
    }
}

fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| k.contains(w))
}

/// Replaces every secret-looking attribute (and a PATCH op's value whose path names one).
pub fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let path_is_secret = map
                .iter()
                .any(|(k, p)| k.eq_ignore_ascii_case("path") && p.as_str().is_some_and(is_secret));
            for (k, val) in map.iter_mut() {
                if is_secret(k) || (path_is_secret && k.eq_ignore_ascii_case("value")) {
                    *val = Value::String("[redacted]".into());
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

async fn writer(
    store: Store,
    clock: SharedClock,
    retention_days: i64,
    mut rx: mpsc::Receiver<ScimLogRecord>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut last_prune: Millis = 0;
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        // Under load, gather what arrives in the next moment into the same batch: one
        // commit per batch, and each commit makes every SQLite reader drop its page cache,
        // so fewer, larger commits keep reads fast. Entries still land within ~GATHER.
        if batch.len() < BATCH {
            tokio::time::sleep(GATHER).await;
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(r) => batch.push(r),
                    Err(_) => break,
                }
            }
        }
        write_batch(&store, &batch).await;
        batch.clear();
        let now = clock.now_ms();
        if now - last_prune > 60_000 {
            last_prune = now;
            let cutoff = now - retention_days * 86_400_000;
            if let Err(e) = store.delete_scim_requests_before(cutoff).await {
                tracing::debug!(error = %e, "SCIM request log prune skipped");
            }
        }
    }
}

/// Writes one batch in one transaction; while the database is down it retries, and when
/// the batch is refused for its content, its rows are written one by one so that a bad row
/// is dropped alone and no other tenant's entry goes with it.
async fn write_batch(store: &Store, batch: &[ScimLogRecord]) {
    for attempt in 0..3 {
        match store.insert_scim_requests(batch).await {
            Ok(()) => return,
            Err(StoreError::Unavailable(e)) if attempt < 2 => {
                tracing::debug!(error = %e, "SCIM request log write retried");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(StoreError::Unavailable(e)) => {
                tracing::warn!(error = %e, count = batch.len(), "SCIM request log entries lost");
                return;
            }
            Err(_) => break,
        }
    }
    for row in batch {
        if let Err(e) = store.insert_scim_requests(std::slice::from_ref(row)).await {
            tracing::warn!(error = %e, org = %row.org_id, "a SCIM request log entry was refused and dropped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_never_reaches_the_log_in_any_key_or_string() {
        let mut body = serde_json::json!({"Operations": [{"op": "add", "path": "a\u{0}b", "value": {"k\u{0}": ["x\u{0}"]}}]});
        without_nul_in_json(&mut body);
        assert!(!body.to_string().contains("\\u0000"), "{body}");
        assert_eq!(body["Operations"][0]["path"], "a\u{FFFD}b");
        assert_eq!(body["Operations"][0]["value"]["k\u{FFFD}"][0], "x\u{FFFD}");
        assert_eq!(without_nul("de\0tail".into()), "de\u{FFFD}tail");
    }

    #[test]
    fn passwords_and_secret_patch_values_are_redacted() {
        let mut body = serde_json::json!({"userName": "a", "password": "hunter2",
            "Operations": [{"op": "replace", "path": "password", "value": "x"}, {"op": "add", "path": "title", "value": "t"}]});
        redact(&mut body);
        assert_eq!(body["password"], "[redacted]");
        assert_eq!(body["Operations"][0]["value"], "[redacted]");
        assert_eq!(body["Operations"][1]["value"], "t");
    }
}
