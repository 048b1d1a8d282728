//! The unauthenticated SSO routes are limited per client before any work, and audit events
//! are kept for the configured retention only.

use serde_json::json;

use super::*;
use crate::helpers::{new_client, spawn_app_with, TestApp};

async fn flow_app(db: Db) -> Option<TestApp> {
    spawn_app_with(
        db,
        &[
            ("SSO_FETCH_ALLOW_PRIVATE", "true"),
            ("SSO_DATA_KEY", TEST_DATA_KEY),
            ("SSO_RATE_LIMIT_PER_MINUTE", "3"),
        ],
    )
    .await
}

async fn a_client_past_the_limit_gets_429_and_writes_nothing(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    for _ in 0..3 {
        let res = new_client()
            .get(app.url("/auth/saml/acme/login"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302);
    }
    let before = audit_reasons(&app).await.len();
    for path in ["/auth/saml/acme/login", "/auth/oidc/acme/login"] {
        let res = new_client()
            .get(app.url(path))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 429, "{path}");
        assert!(res.headers().get("retry-after").is_some());
        assert_eq!(json_of(res).await["error"], "rate_limited");
    }
    let res = post_response(&app, "acme", "PHIvPg==", None).await;
    assert_eq!(res.status(), 429);
    assert_eq!(
        audit_reasons(&app).await.len(),
        before,
        "no audit row written"
    );
}

async fn audit_events_older_than_the_retention_go(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let now = app.clock.now_ms();
    let store = &app.state.store;
    assert!(store.delete_audit_events_before(now - 1000).await.unwrap() == 0);
    let gone = store.delete_audit_events_before(now + 1).await.unwrap();
    assert!(gone >= 1, "the configuration change was audited");
    let events = json_of(app.get("/api/v1/sso/audit").await).await;
    assert_eq!(events["events"], json!([]));
}

mod limits {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = flow_app(Db::Sqlite).await.expect("app");
        a_client_past_the_limit_gets_429_and_writes_nothing(app).await;
    }
    #[cfg_attr(
        not(axid_pg_tests),
        ignore = "TEST_DATABASE_URL was not set when the tests were built"
    )]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(app) = flow_app(Db::Postgres).await {
            a_client_past_the_limit_gets_429_and_writes_nothing(app).await;
        }
    }
}

crate::saml_both_dbs!(audit_events_older_than_the_retention_go);
