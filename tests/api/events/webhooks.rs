//! Webhook endpoints and deliveries: the API (SSRF guard, secret shown once, filters), real
//! deliveries verified by the standardwebhooks library, retries with growing delays, 410,
//! rotation with both signatures during the overlap, and two replicas on one database.

use reqwest::Method;
use serde_json::{json, Value};

use super::eventually;
use super::receiver::Receiver;
use crate::both_dbs;
use crate::helpers::{json_of, spawn_app_with, spawn_replica, Db, TestApp};
use crate::scim::Scim;

/// Receivers listen on loopback over http: the operator allows it.
pub const PRIVATE: [(&str, &str); 1] = [("WEBHOOK_ALLOW_PRIVATE", "1")];

macro_rules! webhook_dbs {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app_with($crate::helpers::Db::Sqlite, &super::PRIVATE).await.expect("sqlite app");
                if let Some(rx) = super::Receiver::start().await { super::$name(app, rx).await; }
            }
            #[cfg_attr(not(axid_pg_tests), ignore = "TEST_DATABASE_URL was not set when the tests were built")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::spawn_app_with($crate::helpers::Db::Postgres, &super::PRIVATE).await {
                    if let Some(rx) = super::Receiver::start().await { super::$name(app, rx).await; }
                }
            }
        }
    )*};
}

both_dbs!(endpoints_api_guards_urls_and_shows_the_secret_once);
webhook_dbs!(
    deliveries_verify_with_standardwebhooks,
    a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt,
    a_410_disables_the_endpoint_with_an_event_and_a_reason,
    a_rotation_signs_with_both_secrets_until_the_overlap_ends,
);

async fn create_endpoint(app: &TestApp, url: &str, types: Value) -> Value {
    let res = app
        .post_json("/api/v1/webhooks", &json!({"url": url, "types": types}))
        .await;
    assert_eq!(res.status(), 201);
    json_of(res).await
}

async fn deliveries(app: &TestApp, id: &str) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/webhooks/{id}/deliveries")).await;
    assert_eq!(res.status(), 200);
    json_of(res).await["deliveries"]
        .as_array()
        .expect("deliveries")
        .clone()
}

async fn received(rx: &Receiver, path: &str, n: usize) -> Vec<Value> {
    eventually(&format!("{n} deliveries to {path}"), move || async move {
        let log = rx.log(path).await;
        (log.len() >= n).then_some(log)
    })
    .await
}

async fn endpoints_api_guards_urls_and_shows_the_secret_once(app: TestApp) {
    app.org_admin_session("acme").await;
    // Without WEBHOOK_ALLOW_PRIVATE: plain http and loopback are refused, with the reason.
    for url in [
        "http://hooks.example/in",
        "https://127.0.0.1/in",
        "not a url",
    ] {
        let res = app
            .post_json("/api/v1/webhooks", &json!({"url": url}))
            .await;
        assert_eq!(res.status(), 422, "{url}");
        assert_eq!(json_of(res).await["error"], "invalid_url");
    }
    let res = app
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example/in", "types": ["user.exploded"]}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_of(res).await["error"], "invalid_types");
    let created = create_endpoint(&app, "https://hooks.example/in", json!(["user.created"])).await;
    let secret = created["secret"].as_str().expect("secret");
    assert!(secret.starts_with("whsec_"));
    assert_eq!(created["enabled"], true);
    assert_eq!(created["disabled_reason"], Value::Null);
    let id = created["id"].as_str().expect("id");
    let read = json_of(app.get(&format!("/api/v1/webhooks/{id}")).await).await;
    assert!(read.get("secret").is_none());
    assert_eq!(read["types"], json!(["user.created"]));
    let listed = json_of(app.get("/api/v1/webhooks").await).await;
    assert!(!listed.to_string().contains(secret));
    // The secret is stored sealed, never as shown.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url)
        .await
        .expect("open the database");
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret FROM webhook_secrets")
        .fetch_all(&pool)
        .await
        .expect("read");
    pool.close().await;
    assert!(stored.iter().all(|s| !s.contains(&secret[6..])));
    let patched = app
        .client
        .patch(app.url(&format!("/api/v1/webhooks/{id}")))
        .json(&json!({"enabled": false, "types": []}))
        .send()
        .await
        .expect("send");
    assert_eq!(patched.status(), 200);
    let patched = json_of(patched).await;
    assert_eq!(patched["enabled"], false);
    assert_eq!(patched["types"], json!([]));
    let gone = app
        .client
        .request(Method::DELETE, app.url(&format!("/api/v1/webhooks/{id}")))
        .send()
        .await
        .expect("send");
    assert_eq!(gone.status(), 204);
    assert_eq!(
        app.get(&format!("/api/v1/webhooks/{id}")).await.status(),
        404
    );
}

async fn deliveries_verify_with_standardwebhooks(app: TestApp, rx: Receiver) {
    let scim = Scim::new(&app, "acme").await;
    let hook = create_endpoint(
        &app,
        &format!("{}/ok", rx.base),
        json!(["user.created", "webhook.test"]),
    )
    .await;
    let secret = hook["secret"].as_str().expect("secret");
    rx.configure("/ok", &[secret], 0, 200).await;
    let user = scim.user("bjensen@acme.test").await;
    let got = received(&rx, "/ok", 1).await;
    assert_eq!(got[0]["verified"], json!([0]), "{got:?}");
    assert_eq!(got[0]["answer"], 200);
    let body = &got[0]["body"];
    assert_eq!(body["type"], "user.created");
    assert_eq!(body["data"]["id"], user.as_str());
    // webhook-id is the event id of the events API.
    assert_eq!(got[0]["webhook_id"], body["id"]);
    let id = hook["id"].as_str().expect("id");
    let a = &app;
    let log = eventually("the delivery recorded", move || async move {
        let d = deliveries(a, id).await;
        (d.first().is_some_and(|d| d["status"] == "delivered")).then_some(d)
    })
    .await;
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["last_status"], 200);
    assert_eq!(log[0]["event_id"], body["id"]);
    // A test delivery is signed the same way.
    let res = app
        .post_json(&format!("/api/v1/webhooks/{id}/test"), &json!({}))
        .await;
    assert_eq!(res.status(), 202);
    let got = received(&rx, "/ok", 2).await;
    assert_eq!(got[1]["body"]["type"], "webhook.test");
    assert_eq!(got[1]["verified"], json!([0]));
}

async fn a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt(
    app: TestApp,
    rx: Receiver,
) {
    let scim = Scim::new(&app, "acme").await;
    let hook = create_endpoint(&app, &format!("{}/flaky", rx.base), json!(["user.created"])).await;
    rx.configure(
        "/flaky",
        &[hook["secret"].as_str().expect("secret")],
        3,
        200,
    )
    .await;
    scim.user("bjensen@acme.test").await;
    let id = hook["id"].as_str().expect("id");
    // Each retry waits longer (5 s, 5 min, 30 min): the service clock moves past each.
    for (n, wait) in [(1, 6), (2, 301), (3, 1801)] {
        received(&rx, "/flaky", n).await;
        let a = &app;
        let d = eventually("the failed attempt recorded", move || async move {
            let d = deliveries(a, id).await;
            (d[0]["attempts"] == n).then_some(d)
        })
        .await;
        assert_eq!(d[0]["status"], "pending");
        assert_eq!(d[0]["last_status"], 500);
        app.clock.advance_secs(wait);
    }
    let got = received(&rx, "/flaky", 4).await;
    assert_eq!(got.len(), 4);
    assert_eq!(got[3]["answer"], 200);
    assert!(
        got.iter().all(|g| g["webhook_id"] == got[0]["webhook_id"]),
        "one event, four attempts"
    );
    let a = &app;
    let d = eventually("the delivery recorded", move || async move {
        let d = deliveries(a, id).await;
        (d[0]["status"] == "delivered").then_some(d)
    })
    .await;
    assert_eq!(d[0]["attempts"], 4);
}

async fn a_410_disables_the_endpoint_with_an_event_and_a_reason(app: TestApp, rx: Receiver) {
    let scim = Scim::new(&app, "acme").await;
    // Events numbered before an endpoint exists are not queued for it.
    super::all_events(&app, &app.client).await;
    let hook = create_endpoint(&app, &format!("{}/gone", rx.base), json!([])).await;
    rx.configure("/gone", &[hook["secret"].as_str().expect("secret")], 0, 410)
        .await;
    scim.user("first@acme.test").await;
    let id = hook["id"].as_str().expect("id");
    let a = &app;
    let read = eventually("the endpoint disabled", move || async move {
        let r = json_of(a.get(&format!("/api/v1/webhooks/{id}")).await).await;
        (r["enabled"] == false).then_some(r)
    })
    .await;
    assert_eq!(read["disabled_reason"], "the endpoint answered 410 Gone");
    let events = super::all_events(&app, &app.client).await;
    let disabled: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "webhook.disabled")
        .collect();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0]["data"]["id"], id);
    // Later events are not queued for a disabled endpoint.
    scim.user("second@acme.test").await;
    super::all_events(&app, &app.client).await;
    assert_eq!(rx.log("/gone").await.len(), 1);
    let d = deliveries(&app, id).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["status"], "failed");
    assert_eq!(d[0]["last_status"], 410);
}

async fn a_rotation_signs_with_both_secrets_until_the_overlap_ends(app: TestApp, rx: Receiver) {
    let scim = Scim::new(&app, "acme").await;
    let hook = create_endpoint(&app, &format!("{}/rot", rx.base), json!(["user.created"])).await;
    let old = hook["secret"].as_str().expect("secret").to_owned();
    let id = hook["id"].as_str().expect("id");
    let res = app
        .post_json(
            &format!("/api/v1/webhooks/{id}/secret"),
            &json!({"previous_secret_ttl_secs": 3600}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let new = json_of(res).await["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_ne!(old, new);
    rx.configure("/rot", &[&old, &new], 0, 200).await;
    scim.user("during@acme.test").await;
    let got = received(&rx, "/rot", 1).await;
    assert_eq!(
        got[0]["verified"],
        json!([0, 1]),
        "either secret verifies during the overlap"
    );
    assert_eq!(got[0]["signatures"], 2);
    app.clock.advance_secs(3601);
    scim.user("after@acme.test").await;
    let got = received(&rx, "/rot", 2).await;
    assert_eq!(
        got[1]["verified"],
        json!([1]),
        "only the new secret after the overlap"
    );
    assert_eq!(got[1]["signatures"], 1);
}

/// Two replicas on one PostgreSQL: every event reaches the endpoint once.
#[cfg_attr(
    not(axid_pg_tests),
    ignore = "TEST_DATABASE_URL was not set when the tests were built"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_replicas_deliver_each_event_once() {
    let Some(app) = spawn_app_with(Db::Postgres, &PRIVATE).await else {
        return;
    };
    let Some(rx) = Receiver::start().await else {
        return;
    };
    let replica = spawn_replica(&app, &PRIVATE).await;
    let scim = Scim::new(&app, "acme").await;
    let hook = create_endpoint(&app, &format!("{}/pair", rx.base), json!(["user.created"])).await;
    rx.configure("/pair", &[hook["secret"].as_str().expect("secret")], 0, 200)
        .await;
    for i in 0..20 {
        scim.user(&format!("u{i}@acme.test")).await;
    }
    let id = hook["id"].as_str().expect("id");
    let a = &app;
    eventually("every delivery done", move || async move {
        let d = deliveries(a, id).await;
        (d.len() == 20 && d.iter().all(|d| d["status"] == "delivered")).then_some(())
    })
    .await;
    let log = rx.log("/pair").await;
    let mut ids: Vec<String> = log.iter().map(|d| d["webhook_id"].to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((log.len(), ids.len()), (20, 20));
    assert!(deliveries(&app, id)
        .await
        .iter()
        .all(|d| d["attempts"] == 1));
    drop(replica);
}
