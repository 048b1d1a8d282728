//! Portal authentication (CONTRACT.md §4): login, cookie, logout, timeouts, rate limit, CSRF.

use reqwest::header::SET_COOKIE;
use serde_json::{json, Value};

use crate::both_dbs;
use crate::helpers::{
    json_of, new_client, spawn_app_with, spawn_replica, status_of, Db, TestApp, ORG_PASSWORD,
};

both_dbs!(
    login_sets_a_hardened_cookie_and_returns_the_session,
    wrong_password_and_unknown_org_get_the_same_answer,
    every_login_issues_a_new_session_id,
    logout_ends_the_session_server_side,
    idle_and_absolute_timeouts_end_sessions,
    the_sixth_attempt_in_a_minute_is_rate_limited,
    cross_site_cookie_requests_are_refused,
    sso_availability_has_one_shape_for_every_org,
    change_password_revokes_the_other_sessions,
    sessions_and_rate_limits_are_shared_by_replicas,
    two_session_cookies_are_refused_not_resolved_by_order,
    password_events_are_in_the_audit,
);

async fn login_sets_a_hardened_cookie_and_returns_the_session(app: TestApp) {
    app.create_org("acme").await;
    let res = app.login("acme").await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a cookie")
        .to_owned();
    assert!(cookie.starts_with("axonflow_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    assert!(
        !cookie.contains("Secure"),
        "PUBLIC_URL is http: no Secure flag ({cookie})"
    );
    let body = json_of(res).await;
    assert_eq!(body["org_id"], "acme");
    assert_eq!(
        body["principal"],
        json!({"type": "org_admin", "id": "acme"})
    );
    assert_eq!(body["roles"], json!(["admin"]));
    assert_eq!(body["auth_method"], "password");
    let session = json_of(app.get("/api/v1/auth/session").await).await;
    assert_eq!(session, body);
}

async fn wrong_password_and_unknown_org_get_the_same_answer(app: TestApp) {
    app.create_org("acme").await;
    let wrong = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"org_id": "acme", "password": "not the password"}),
        )
        .await;
    let unknown = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"org_id": "nobody", "password": ORG_PASSWORD}),
        )
        .await;
    let invalid_id = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"org_id": "NOT VALID", "password": "x"}),
        )
        .await;
    for res in [wrong, unknown, invalid_id] {
        assert_eq!(res.status(), 401);
        assert!(res.headers().get(SET_COOKIE).is_none());
        assert_eq!(
            json_of(res).await,
            json!({"error": "invalid_credentials", "message": "the organization or password is wrong"})
        );
    }
    let missing = app
        .post_json("/api/v1/auth/login", &json!({"org_id": "acme"}))
        .await;
    assert_eq!(missing.status(), 400);
    let text = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .body("org_id=acme")
        .send()
        .await
        .expect("send");
    assert_eq!(text.status(), 415);
}

fn cookie_value(res: &reqwest::Response) -> String {
    let header = res
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    header.split(';').next().unwrap_or_default().to_owned()
}

async fn every_login_issues_a_new_session_id(app: TestApp) {
    app.create_org("acme").await;
    let first = cookie_value(&app.login("acme").await);
    let second = cookie_value(&app.login("acme").await);
    assert_ne!(first, second);
    // Both are live sessions: logging in again does not reuse a presented id.
    let other = new_client();
    let res = other
        .get(app.url("/api/v1/auth/session"))
        .header("cookie", &first)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
}

async fn logout_ends_the_session_server_side(app: TestApp) {
    app.org_admin_session("acme").await;
    let stolen = cookie_value(&app.login("acme").await);
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 204);
    let cleared = res
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // A copy of the cookie kept elsewhere no longer works either.
    let replay = new_client()
        .get(app.url("/api/v1/auth/session"))
        .header("cookie", &stolen)
        .send()
        .await
        .expect("send");
    assert_eq!(replay.status(), 401);
    let res = app.get("/api/v1/auth/session").await;
    assert_eq!(res.status(), 401);
    assert_eq!(json_of(res).await["error"], "unauthenticated");
    // Logging out twice is harmless.
    assert_eq!(
        status_of(app.client.post(app.url("/api/v1/auth/logout"))).await,
        204
    );
}

/// A planted second `axonflow_session` (cookie tossing from a sibling host) must not decide
/// who the caller is, whichever comes first; logout ends both.
async fn two_session_cookies_are_refused_not_resolved_by_order(app: TestApp) {
    app.create_org("acme").await;
    app.create_org("evil").await;
    let victim = cookie_value(&app.login("acme").await);
    let planted = cookie_value(&app.login("evil").await);
    let anonymous = new_client();
    for (path, cookies) in [
        ("/api/v1/auth/session", vec![format!("{planted}; {victim}")]),
        ("/api/v1/auth/session", vec![format!("{victim}; {planted}")]),
        ("/api/v1/keys", vec![format!("{planted}; {victim}")]),
        ("/api/v1/sso/audit", vec![planted.clone(), victim.clone()]),
        (
            "/api/v1/auth/session",
            vec![format!("{victim}; axonflow_session=")],
        ),
    ] {
        let mut req = anonymous.get(app.url(path));
        for c in &cookies {
            req = req.header("cookie", c);
        }
        let res = req.send().await.expect("send");
        assert_eq!(res.status(), 401, "{path} {cookies:?}");
        assert_eq!(json_of(res).await["error"], "ambiguous_session", "{path}");
    }
    for one in [&victim, &planted] {
        let res = anonymous
            .get(app.url("/api/v1/auth/session"))
            .header("cookie", one)
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), 200, "each cookie alone is still a session");
    }
    let out = anonymous
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", format!("{planted}; {victim}"))
        .send()
        .await
        .expect("send");
    assert_eq!(out.status(), 204, "signing out is the way out");
    for one in [&victim, &planted] {
        let res = anonymous
            .get(app.url("/api/v1/auth/session"))
            .header("cookie", one)
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), 401, "logout ended both sessions");
    }
}

async fn idle_and_absolute_timeouts_end_sessions(app: TestApp) {
    // Defaults: idle 3600 s, absolute 43200 s.
    app.org_admin_session("acme").await;
    app.clock.advance_secs(3_000);
    assert_eq!(
        app.get("/api/v1/auth/session").await.status(),
        200,
        "activity within the idle window"
    );
    app.clock.advance_secs(3_601);
    assert_eq!(
        app.get("/api/v1/auth/session").await.status(),
        401,
        "idle for longer than the idle timeout"
    );

    let res = app.login("acme").await;
    assert_eq!(res.status(), 200);
    for _ in 0..13 {
        app.clock.advance_secs(3_300);
        assert_eq!(app.get("/api/v1/auth/session").await.status(), 200);
    }
    app.clock.advance_secs(3_300);
    assert_eq!(
        app.get("/api/v1/auth/session").await.status(),
        401,
        "past the absolute timeout despite activity"
    );
}

async fn the_sixth_attempt_in_a_minute_is_rate_limited(app: TestApp) {
    app.create_org("acme").await;
    // Align to the start of a window so the five attempts share it.
    let now = axid::clock::Clock::now_ms(app.clock.as_ref());
    app.clock
        .advance_secs((60_000 - now.rem_euclid(60_000)) / 1000 + 1);
    let bad = json!({"org_id": "acme", "password": "wrong password!"});
    for _ in 0..5 {
        assert_eq!(
            app.post_json("/api/v1/auth/login", &bad).await.status(),
            401
        );
    }
    let limited = app.login("acme").await;
    assert_eq!(limited.status(), 429);
    let retry_after: i64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(limited.headers().get(SET_COOKIE).is_none());
    assert_eq!(json_of(limited).await["error"], "rate_limited");
    // X-Forwarded-For from an untrusted peer changes nothing.
    let spoofed = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&bad)
        .send()
        .await
        .expect("send");
    assert_eq!(spoofed.status(), 429);
    app.clock.advance_secs(61);
    assert_eq!(app.login("acme").await.status(), 200);
}

async fn cross_site_cookie_requests_are_refused(app: TestApp) {
    app.org_admin_session("acme").await;
    let body = json!({"name": "ci"});
    let evil = app
        .client
        .post(app.url("/api/v1/keys"))
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(evil.status(), 403);
    assert_eq!(json_of(evil).await["error"], "csrf");
    let cross = app
        .client
        .post(app.url("/api/v1/keys"))
        .header("sec-fetch-site", "cross-site")
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(cross.status(), 403);
    let same = app
        .client
        .post(app.url("/api/v1/keys"))
        .header("origin", &app.address)
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(same.status(), 201);
    // Reads are not state-changing and pass.
    let read = app
        .client
        .get(app.url("/api/v1/keys"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("send");
    assert_eq!(read.status(), 200);
}

async fn sso_availability_has_one_shape_for_every_org(app: TestApp) {
    app.create_org("acme").await;
    let known = json_of(app.get("/api/v1/auth/sso/availability?org_id=acme").await).await;
    let unknown = json_of(app.get("/api/v1/auth/sso/availability?org_id=nobody").await).await;
    let expected = |org: &str| json!({"org_id": org, "sso_enabled": false, "protocol": null, "login_url": null, "password_login_allowed": true});
    assert_eq!(known, expected("acme"));
    assert_eq!(unknown, expected("nobody"));
}

async fn change_password_revokes_the_other_sessions(app: TestApp) {
    app.org_admin_session("acme").await;
    let other = new_client();
    let login = other
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"org_id": "acme", "password": ORG_PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(login.status(), 200);
    let path = "/api/v1/auth/change-password";
    let wrong = app
        .post_json(
            path,
            &json!({"current_password": "nope nope nope", "new_password": "another good one"}),
        )
        .await;
    assert_eq!(wrong.status(), 403);
    let weak = app
        .post_json(
            path,
            &json!({"current_password": ORG_PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert_eq!(json_of(weak).await["error"], "weak_password");
    let ok = app
        .post_json(
            path,
            &json!({"current_password": ORG_PASSWORD, "new_password": "another good one"}),
        )
        .await;
    assert_eq!(ok.status(), 204);
    assert_eq!(
        app.get("/api/v1/auth/session").await.status(),
        200,
        "the caller's own session stays"
    );
    let revoked = other
        .get(app.url("/api/v1/auth/session"))
        .send()
        .await
        .expect("send");
    assert_eq!(revoked.status(), 401, "other sessions of the principal end");
    assert_eq!(app.login("acme").await.status(), 401);
    let anonymous = new_client()
        .post(app.url(path))
        .json(&json!({"current_password": "x", "new_password": "y"}))
        .send()
        .await
        .expect("send");
    assert_eq!(anonymous.status(), 401);
}

async fn sessions_and_rate_limits_are_shared_by_replicas(app: TestApp) {
    let replica = spawn_replica(&app, &[]).await;
    app.create_org("acme").await;
    let cookie = cookie_value(&app.login("acme").await);
    let on_replica = replica
        .client
        .get(replica.url("/api/v1/auth/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(
        on_replica.status(),
        200,
        "a session made on one replica works on the other"
    );
    let out = replica
        .client
        .post(replica.url("/api/v1/auth/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(out.status(), 204);
    let on_first = app.get("/api/v1/auth/session").await;
    assert_eq!(
        on_first.status(),
        401,
        "logout on one replica ends the session on both"
    );

    let now = axid::clock::Clock::now_ms(app.clock.as_ref());
    app.clock
        .advance_secs((60_000 - now.rem_euclid(60_000)) / 1000 + 1);
    let bad = json!({"org_id": "acme", "password": "wrong password!"});
    for i in 0..5 {
        let target = if i % 2 == 0 { &app } else { &replica };
        assert_eq!(
            target.post_json("/api/v1/auth/login", &bad).await.status(),
            401
        );
    }
    assert_eq!(
        replica.post_json("/api/v1/auth/login", &bad).await.status(),
        429
    );
    assert_eq!(
        app.post_json("/api/v1/auth/login", &bad).await.status(),
        429
    );
}

mod trusted_proxy {
    use super::*;

    /// Behind a trusted proxy, each forwarded client has its own budget.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forwarded_addresses_count_separately_only_from_trusted_proxies() {
        let app = spawn_app_with(
            Db::Sqlite,
            &[
                ("TRUSTED_PROXIES", "127.0.0.1"),
                ("LOGIN_RATE_LIMIT_PER_MINUTE", "2"),
            ],
        )
        .await
        .expect("app");
        app.create_org("acme").await;
        let bad = json!({"org_id": "acme", "password": "wrong password!"});
        let attempt = |ip: &'static str| {
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("x-forwarded-for", ip)
                .json(&bad)
                .send()
        };
        assert_eq!(attempt("198.51.100.1").await.expect("send").status(), 401);
        assert_eq!(attempt("198.51.100.1").await.expect("send").status(), 401);
        assert_eq!(attempt("198.51.100.1").await.expect("send").status(), 429);
        assert_eq!(attempt("198.51.100.2").await.expect("send").status(), 401);
        let body: Value = json_of(attempt("198.51.100.1").await.expect("send")).await;
        assert_eq!(body["error"], "rate_limited");
    }
}

/// Break-glass password events, as an admin reads them in the audit.
async fn password_events_are_in_the_audit(app: TestApp) {
    app.create_org("acme").await;
    assert_eq!(app.login("acme").await.status(), 200);
    // Events of one instant are ordered by id: the clock moves a second between steps.
    app.clock.advance_secs(1);
    let wrong = json!({"org_id": "acme", "password": "wrong password!"});
    let failed = app.post_json("/api/v1/auth/login", &wrong).await;
    assert_eq!(failed.status(), 401);
    // The failure is recorded off the response path: wait for it (bounded).
    for _ in 0..100 {
        let so_far = crate::credentials::audit_events(&app, "password.").await;
        if so_far.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    app.clock.advance_secs(1);
    let changed = app
        .post_json(
            "/api/v1/auth/change-password",
            &json!({"current_password": ORG_PASSWORD, "new_password": "a new passphrase here"}),
        )
        .await;
    assert_eq!(changed.status(), 204);
    app.clock.advance_secs(1);
    let set = app
        .admin(
            reqwest::Method::POST,
            "/api/v1/admin/organizations/acme/password",
            Some(json!({"password": ORG_PASSWORD})),
        )
        .await;
    assert_eq!(set.status(), 204);
    app.clock.advance_secs(1);
    assert_eq!(app.login("acme").await.status(), 200);
    let events = crate::credentials::audit_events(&app, "password.").await;
    let summary: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
                e["principal"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("password.login", "success", "org_admin"),
            ("password.login", "failure", "org_admin"),
            ("password.changed", "success", "org_admin"),
            ("password.set_by_admin", "success", "admin_api"),
            ("password.login", "success", "org_admin"),
        ]
    );
    assert_eq!(events[1]["reason"], "invalid_credentials");
    let text = serde_json::to_string(&events).unwrap();
    for secret in [ORG_PASSWORD, "a new passphrase here", "wrong password!"] {
        assert!(!text.contains(secret), "a password in the audit");
    }
}
