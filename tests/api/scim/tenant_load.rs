//! Issue 10, item 1: one tenant's expensive SCIM searches cannot take the service from the
//! others. A bounded load (12 concurrent searchers for 3 s against a pool of 6 connections,
//! of which the noisy organization may hold 2 at a time) runs while another organization's
//! session checks must keep answering 200. The latencies are printed, not asserted.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::json;

use super::{user_body, Scim};
use crate::both_dbs_with;
use crate::helpers::{new_client, TestApp, ORG_PASSWORD};

const SMALL_POOL: [(&str, &str); 3] = [
    ("DATABASE_MAX_CONNECTIONS", "6"),
    ("SCIM_LIST_CONCURRENCY_PER_ORG", "2"),
    ("LOGIN_RATE_LIMIT_PER_MINUTE", "10000"),
];
const USERS: usize = 300;
const SEARCHERS: usize = 12;
const LOAD: Duration = Duration::from_secs(3);

both_dbs_with!(SMALL_POOL; expensive_searches_of_one_tenant_leave_the_others_answering);

/// The most expensive filter the cost bounds allow: four substring scans of every email.
fn expensive_filter() -> String {
    let scans = (0..4)
        .map(|i| format!(r#"emails[value co "zz{i}"]"#))
        .collect::<Vec<_>>()
        .join(" or ");
    url::form_urlencoded::byte_serialize(scans.as_bytes()).collect()
}

async fn session_checks(app: &TestApp, client: &reqwest::Client, until: Instant) -> Vec<Duration> {
    let mut took = Vec::new();
    while Instant::now() < until {
        let started = Instant::now();
        let res = client
            .get(app.url("/api/v1/auth/session"))
            .send()
            .await
            .expect("send");
        assert_eq!(
            res.status(),
            200,
            "another tenant's session check must keep answering"
        );
        took.push(started.elapsed());
    }
    took
}

fn summary(mut took: Vec<Duration>) -> String {
    took.sort();
    let at = |q: f64| took[((took.len() - 1) as f64 * q) as usize];
    format!(
        "{} checks, p50 {:?}, p99 {:?}",
        took.len(),
        at(0.5),
        at(0.99)
    )
}

async fn expensive_searches_of_one_tenant_leave_the_others_answering(app: TestApp) {
    let noisy = &Scim::new(&app, "noisy").await;
    for chunk in (0..USERS).collect::<Vec<_>>().chunks(20) {
        join_all(chunk.iter().map(|i| async move {
            noisy
                .post("/Users", &user_body(&format!("user{i}@noisy.test")))
                .await
                .expect(201);
        }))
        .await;
    }
    app.create_org("quiet").await;
    let quiet = new_client();
    let login = quiet
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"org_id": "quiet", "password": ORG_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let before = session_checks(&app, &quiet, Instant::now() + Duration::from_millis(500)).await;

    let until = Instant::now() + LOAD;
    let path = format!("/Users?count=1000&filter={}", expensive_filter());
    let searcher = |_| {
        let path = path.clone();
        async move {
            let mut statuses = Vec::new();
            while Instant::now() < until {
                statuses.push(noisy.get(&path).await.status);
            }
            statuses
        }
    };
    let (searches, during) = tokio::join!(
        join_all((0..SEARCHERS).map(searcher)),
        session_checks(&app, &quiet, until)
    );
    let statuses: Vec<u16> = searches.into_iter().flatten().collect();
    // The noisy tenant is served or told to come back, never given a 500.
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200), "the noisy tenant is still served");
    println!(
        "quiet tenant before: {}; during {} noisy searches: {}",
        summary(before),
        statuses.len(),
        summary(during)
    );
}
