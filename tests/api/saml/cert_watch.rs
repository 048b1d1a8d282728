//! The certificate watch (CONTRACT.md §17): an IdP certificate 29 days from its end gives the
//! 30-day `sso.certificate_expiring` event once, however often and on however many replicas
//! the pass runs; the next threshold gives the next event.

use axid::clock::Clock;
use axid::protocol::certs::parse_certificate;
use serde_json::{json, Value};

use super::*;
use crate::helpers::{spawn_replica, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(an_expiring_idp_certificate_is_announced_once_per_threshold);

async fn idp_warnings(app: &TestApp) -> Vec<Value> {
    // The clock moved years ahead: the earlier session has long ended.
    assert_eq!(app.login("acme").await.status(), 200);
    let body = json_of(
        app.get("/api/v1/events?types=sso.certificate_expiring")
            .await,
    )
    .await;
    body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["data"]["certificate"]["kind"] == "idp_signing")
        .cloned()
        .collect()
}

async fn pass(app: &TestApp) -> Result<usize, String> {
    axid::federation::cert_watch::watch_pass(&app.state).await
}

async fn an_expiring_idp_certificate_is_announced_once_per_threshold(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let replica = spawn_replica(&app, &[("SSO_DATA_KEY", TEST_DATA_KEY)]).await;
    assert_eq!(
        pass(&app).await.expect("pass"),
        0,
        "far from its end: nothing"
    );

    let not_after = parse_certificate(IDP_CERT).expect("cert").not_after;
    let to = not_after - 29 * 86_400_000 - 3_600_000;
    app.clock.advance_secs((to - app.clock.now_ms()) / 1000);
    let (a, b) = tokio::join!(pass(&app), pass(&replica));
    assert_eq!(
        a.expect("pass") + b.expect("pass"),
        1,
        "two replicas, one event"
    );
    assert_eq!(pass(&app).await.expect("again"), 0);
    let warnings = idp_warnings(&app).await;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["data"]["threshold_days"], 30);
    assert_eq!(warnings[0]["data"]["days_left"], 29);
    assert_eq!(warnings[0]["data"]["rotates_automatically"], false);
    assert_eq!(warnings[0]["actor"]["type"], "system");

    app.clock.advance_secs(16 * 86_400);
    pass(&app).await.expect("pass");
    let warnings = idp_warnings(&app).await;
    assert_eq!(warnings.len(), 2);
    assert_eq!(warnings[1]["data"]["threshold_days"], 14);
}
