//! /health, /ready, /metrics, and the JSON 404 for unknown API paths.

use serde_json::Value;

use crate::both_dbs;
use crate::helpers::{json_of, TestApp};

both_dbs!(
    health_reports_ok_and_version,
    ready_answers_when_the_database_does,
    metrics_count_requests_by_route,
    metric_labels_come_from_fixed_sets
);

async fn health_reports_ok_and_version(app: TestApp) {
    let res = app.get("/health").await;
    assert_eq!(res.status(), 200);
    let body = json_of(res).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

async fn ready_answers_when_the_database_does(app: TestApp) {
    let res = app.get("/ready").await;
    assert_eq!(res.status(), 200);
}

async fn metrics_count_requests_by_route(app: TestApp) {
    app.create_org("acme").await;
    let res = app.get("/api/v1/admin/organizations/acme").await;
    assert_eq!(res.status(), 401);
    let text = app.get("/metrics").await.text().await.expect("text");
    assert!(
        text.contains(r#"axid_http_requests_total{method="GET",route="/api/v1/admin/organizations/{org_id}",status="401"} 1"#),
        "{text}"
    );
    assert!(text.contains("axid_http_request_duration_seconds_bucket"));
    // Route patterns, never raw paths: the org id is not a label value.
    assert!(!text.contains("organizations/acme"));
}

/// A client chooses the method and the path; neither may become a label value, or every
/// request with a fresh one adds a series to memory and to /metrics for good.
async fn metric_labels_come_from_fixed_sets(app: TestApp) {
    let odd_method = format!("X{}", "Q".repeat(2_000));
    for path in [
        "/health",
        "/api/v1/keys",
        "/scim/v2/Users",
        "/no/such/path/42",
    ] {
        let method = reqwest::Method::from_bytes(odd_method.as_bytes()).expect("a token");
        let res = app
            .client
            .request(method, app.url(path))
            .send()
            .await
            .expect("send");
        assert!(res.status().is_client_error(), "{path}: {}", res.status());
    }
    let unmatched = app.get("/no-such-path-7f3a9c").await;
    assert_eq!(unmatched.status(), 404);
    let text = app.get("/metrics").await.text().await.expect("text");
    assert!(!text.contains("QQQQ"), "a sent method became a label value");
    assert!(!text.contains("7f3a9c"), "a sent path became a label value");
    assert!(
        text.contains(
            r#"axid_http_requests_total{method="other",route="/api/v1/keys",status="405"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"axid_http_requests_total{method="GET",route="unmatched",status="404"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"axid_scim_operations_total{method="other",resource="Users""#),
        "{text}"
    );
}

mod unknown_paths {
    use super::*;
    both_dbs!(unknown_api_paths_get_a_json_404);

    async fn unknown_api_paths_get_a_json_404(app: TestApp) {
        let res = app.get("/api/v1/no-such-thing").await;
        assert_eq!(res.status(), 404);
        let body: Value = json_of(res).await;
        assert_eq!(body["error"], "not_found");
    }
}

mod framework_errors {
    use super::*;
    both_dbs!(other_methods_and_bad_queries_get_json_errors_too);

    async fn other_methods_and_bad_queries_get_json_errors_too(app: TestApp) {
        let res = app
            .client
            .put(app.url("/api/v1/keys"))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), 405);
        assert_eq!(json_of(res).await["error"], "method_not_allowed");
        let res = app
            .client
            .delete(app.url("/api/v1/auth/login"))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), 405);
        assert_eq!(json_of(res).await["error"], "method_not_allowed");
        let res = app
            .get("/api/v1/auth/sso/availability?org_id=a&org_id=b")
            .await;
        assert!(
            res.status() == 200 || res.status() == 400,
            "{}",
            res.status()
        );
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("json"));
    }
}

mod framework_errors_on_every_surface {
    use super::*;
    both_dbs!(directory_and_sso_paths_answer_json_405_for_other_methods);

    async fn directory_and_sso_paths_answer_json_405_for_other_methods(app: TestApp) {
        app.org_admin_session("acme").await;
        for path in [
            "/api/v1/users",
            "/api/v1/groups",
            "/api/v1/sso/providers",
            "/api/v1/scim/requests",
        ] {
            let res = app.client.delete(app.url(path)).send().await.expect("send");
            assert_eq!(res.status(), 405, "{path}");
            assert_eq!(json_of(res).await["error"], "method_not_allowed", "{path}");
        }
        assert_eq!(app.get("/api/v1/users").await.status(), 200);
        assert_eq!(app.get("/api/v1/sso/providers").await.status(), 200);
    }
}
