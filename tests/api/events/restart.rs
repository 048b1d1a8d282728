//! `kill -9` of a real `axid serve` process with deliveries pending, then a restart on the
//! same database: every event reaches the receiver (CONTRACT.md §15, "deliveries survive a
//! restart"). The queue is rows, so nothing held in memory is lost.

use std::time::Duration;

use reqwest::header::AUTHORIZATION;
use serde_json::{json, Value};

use super::receiver::Receiver;
use super::within;
use crate::helpers::{json_of, new_client, Db, TestDb, ADMIN_KEY, ORG_PASSWORD};
use crate::process::Process;

mod kill_nine_with_deliveries_pending_then_a_restart_delivers_every_event {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::kill_nine_then_restart(super::Db::Sqlite).await;
    }
    #[cfg_attr(
        not(axid_pg_tests),
        ignore = "TEST_DATABASE_URL was not set when the tests were built"
    )]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::kill_nine_then_restart(super::Db::Postgres).await;
    }
}

/// An org with an admin session, a SCIM token and a webhook endpoint to `url`.
async fn org_with_endpoint(axid: &Process, url: &str) -> (reqwest::Client, String, Value) {
    let admin = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/organizations", axid.base))
        .header("X-Admin-API-Key", ADMIN_KEY)
        .json(&json!({"org_id": "acme", "name": "Acme", "password": ORG_PASSWORD}))
        .send()
        .await
        .expect("create org");
    assert_eq!(admin.status(), 201);
    let portal = new_client();
    let post = |path: &str, body: Value| {
        portal
            .post(format!("{}{path}", axid.base))
            .json(&body)
            .send()
    };
    let login = post(
        "/api/v1/auth/login",
        json!({"org_id": "acme", "password": ORG_PASSWORD}),
    )
    .await
    .expect("login");
    assert_eq!(login.status(), 200);
    let token = json_of(
        post("/api/v1/scim/tokens", json!({"name": "okta"}))
            .await
            .expect("token"),
    )
    .await["token"]
        .as_str()
        .expect("scim token")
        .to_owned();
    let hook = post(
        "/api/v1/webhooks",
        json!({"url": url, "types": ["user.created"]}),
    )
    .await
    .expect("webhook");
    assert_eq!(hook.status(), 201);
    (portal, token, json_of(hook).await)
}

async fn create_users(axid: &Process, token: &str, names: std::ops::Range<usize>) {
    let http = reqwest::Client::new();
    for i in names {
        let res = http
            .post(format!("{}/scim/v2/Users", axid.base))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header("content-type", "application/scim+json")
            .json(
                &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                          "userName": format!("user{i}@acme.test")}),
            )
            .send()
            .await
            .expect("scim post");
        assert_eq!(res.status(), 201);
    }
}

/// GET `url` with the portal session: 200, and the array under `key`.
async fn array_at(portal: &reqwest::Client, url: String, key: &str) -> Vec<Value> {
    let res = portal.get(url).send().await.expect("portal read");
    assert_eq!(res.status(), 200);
    json_of(res).await[key].as_array().expect("array").clone()
}

async fn deliveries(portal: &reqwest::Client, axid: &Process, hook_id: &str) -> Vec<Value> {
    let url = format!("{}/api/v1/webhooks/{hook_id}/deliveries", axid.base);
    array_at(portal, url, "deliveries").await
}

/// A delivery claimed at the instant of the kill waits out its 60 s lease before the new
/// process may take it.
const AFTER_A_LEASE: Duration = Duration::from_secs(90);

async fn kill_nine_then_restart(db: Db) {
    let Some(test_db) = TestDb::create(db).await else {
        return;
    };
    let Some(rx) = Receiver::start().await else {
        return;
    };
    let first = Process::start(&test_db.url).await;
    let (portal, token, hook) = org_with_endpoint(&first, &format!("{}/restart", rx.base)).await;
    let secret = hook["secret"].as_str().expect("secret");
    let hook_id = hook["id"].as_str().expect("id");
    // The receiver is down for now (500 to everything): the first ten are attempted once
    // and wait for their retry.
    rx.configure("/restart", &[secret], u32::MAX, 200).await;
    create_users(&first, &token, 0..10).await;
    within("ten failed first attempts", AFTER_A_LEASE, || async {
        let d = deliveries(&portal, &first, hook_id).await;
        (d.len() == 10
            && d.iter()
                .all(|d| d["attempts"] == 1 && d["status"] == "pending"))
        .then_some(())
    })
    .await;
    // Ten more, and the kill right after their 201s: they may not even be numbered yet.
    create_users(&first, &token, 10..20).await;
    first.kill_nine().await;

    rx.configure("/restart", &[secret], 0, 200).await;
    let second = Process::start(&test_db.url).await;
    let login = portal
        .post(format!("{}/api/v1/auth/login", second.base))
        .json(&json!({"org_id": "acme", "password": ORG_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let events = created_event_ids(&portal, &second).await;
    assert_eq!(
        events.len(),
        20,
        "every write committed before the kill has its event"
    );
    let delivered = within(
        "every event delivered after the restart",
        AFTER_A_LEASE,
        || async {
            let log = rx.log("/restart").await;
            let ok: std::collections::BTreeSet<String> = log
                .iter()
                .filter(|d| d["answer"] == 200 && d["verified"] == json!([0]))
                .filter_map(|d| d["webhook_id"].as_str().map(str::to_owned))
                .collect();
            (ok.len() >= events.len()).then_some(ok)
        },
    )
    .await;
    assert_eq!(
        delivered, events,
        "each event of the org, delivered and verified"
    );
    let d = within(
        "the deliveries recorded as delivered",
        AFTER_A_LEASE,
        || async {
            let d = deliveries(&portal, &second, hook_id).await;
            d.iter().all(|d| d["status"] == "delivered").then_some(d)
        },
    )
    .await;
    assert_eq!(
        d.len(),
        20,
        "one delivery per event, none duplicated by the restart"
    );
}

/// The ids of the org's `user.created` events, read through the cursor API.
async fn created_event_ids(
    portal: &reqwest::Client,
    axid: &Process,
) -> std::collections::BTreeSet<String> {
    let url = format!("{}/api/v1/events?types=user.created&limit=500", axid.base);
    array_at(portal, url, "events")
        .await
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect()
}
