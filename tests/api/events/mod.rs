//! Events and webhooks (CONTRACT.md §15) over real HTTP on SQLite and PostgreSQL: the cursor
//! API, and deliveries to a real receiver that verifies each one with the PyPI
//! standardwebhooks library (tests/tools/webhooks/).

mod cursor;
mod emitted;
mod receiver;
mod restart;
mod transcript;
mod webhooks;

use std::time::Duration;

use serde_json::Value;

use crate::helpers::{json_of, TestApp};

/// Every event of the app's organization, following `next_cursor` from the start.
pub async fn all_events(app: &TestApp, http: &reqwest::Client) -> Vec<Value> {
    let mut cursor = String::new();
    let mut out = Vec::new();
    loop {
        let page = events_page(app, http, &format!("after={cursor}&limit=3")).await;
        let events = page["events"].as_array().expect("events").clone();
        cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
        if events.is_empty() {
            return out;
        }
        out.extend(events);
    }
}

pub async fn events_page(app: &TestApp, http: &reqwest::Client, query: &str) -> Value {
    let res = http
        .get(app.url(&format!("/api/v1/events?{query}")))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    json_of(res).await
}

pub fn types_of(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["type"].as_str().expect("type"))
        .collect()
}

/// Polls `check` every 50 ms for up to 20 s (a bound, not a timing assertion).
pub async fn eventually<F, Fut, T>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    within(what, Duration::from_secs(20), check).await
}

/// Polls `check` every 50 ms until it gives a value, failing the test after `bound`.
pub async fn within<F, Fut, T>(what: &str, bound: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let step = Duration::from_millis(50);
    for _ in 0..(bound.as_millis() / step.as_millis()) {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(step).await;
    }
    panic!("timed out waiting for {what}");
}
