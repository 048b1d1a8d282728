//! Forgot/reset password over a real SMTP server (aiosmtpd), CONTRACT.md §4.

use serde_json::json;

use crate::helpers::{json_of, spawn_app_with, Db, TestApp, ORG_PASSWORD};
use crate::mail_sink::SmtpSink;

async fn app_with_mail(db: Db) -> Option<(TestApp, SmtpSink)> {
    let sink = SmtpSink::start()?;
    let port = sink.port.to_string();
    let vars = [
        ("SMTP_HOST", "127.0.0.1"),
        ("SMTP_PORT", port.as_str()),
        ("SMTP_TLS", "none"),
        ("SMTP_FROM", "axid <axid@test.local>"),
    ];
    let app = spawn_app_with(db, &vars).await?;
    Some((app, sink))
}

/// The token in the mailed link (quoted-printable soft breaks undone).
fn token_from(mail: &str) -> String {
    let unfolded = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = unfolded
        .find("reset-password?token=")
        .expect("a reset link in the mail")
        + "reset-password?token=".len();
    unfolded[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn a_mailed_link_resets_the_password_once(db: Db) {
    let Some((app, sink)) = app_with_mail(db).await else {
        return;
    };
    app.org_admin_session("acme").await;
    let res = app
        .post_json("/api/v1/auth/forgot-password", &json!({"org_id": "acme"}))
        .await;
    assert_eq!(res.status(), 202);
    let mail = sink.message(1).await;
    assert!(mail.contains("X-Rcpt-To: it@acme.test"), "{mail}");
    assert!(
        mail.contains("Subject: Reset the password of acme"),
        "{mail}"
    );
    let token = token_from(&mail);
    assert!(token.len() >= 40, "{token}");

    let weak = app
        .post_json(
            "/api/v1/auth/reset-password",
            &json!({"token": token, "new_password": "short"}),
        )
        .await;
    assert_eq!(
        weak.status(),
        422,
        "the policy is checked before the token is spent"
    );
    let body = json!({"token": token, "new_password": "a fresh passphrase"});
    assert_eq!(
        app.post_json("/api/v1/auth/reset-password", &body)
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get("/api/v1/auth/session").await.status(),
        401,
        "password sessions end at reset"
    );
    let reused = app.post_json("/api/v1/auth/reset-password", &body).await;
    assert_eq!(reused.status(), 400);
    assert_eq!(json_of(reused).await["error"], "invalid_token");
    assert_eq!(app.login("acme").await.status(), 401);
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"org_id": "acme", "password": "a fresh passphrase"}),
        )
        .await;
    assert_eq!(login.status(), 200);
}

async fn reset_links_expire_after_thirty_minutes(db: Db) {
    let Some((app, sink)) = app_with_mail(db).await else {
        return;
    };
    app.create_org("acme").await;
    assert_eq!(
        app.post_json("/api/v1/auth/forgot-password", &json!({"org_id": "acme"}))
            .await
            .status(),
        202
    );
    let token = token_from(&sink.message(1).await);
    app.clock.advance_secs(31 * 60);
    let res = app
        .post_json(
            "/api/v1/auth/reset-password",
            &json!({"token": token, "new_password": "a fresh passphrase"}),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        app.login("acme").await.status(),
        200,
        "the old password still works"
    );
    let _ = ORG_PASSWORD;
}

async fn unknown_orgs_get_the_same_202_and_no_mail(db: Db) {
    let Some((app, sink)) = app_with_mail(db).await else {
        return;
    };
    for org in ["nobody", "NOT VALID"] {
        assert_eq!(
            app.post_json("/api/v1/auth/forgot-password", &json!({"org_id": org}))
                .await
                .status(),
            202
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.count(), 0);
    let bogus = app
        .post_json(
            "/api/v1/auth/reset-password",
            &json!({"token": "made-up", "new_password": "a fresh passphrase"}),
        )
        .await;
    assert_eq!(bogus.status(), 400);
}

async fn forgot(app: &TestApp, sink: &SmtpSink, n: usize) -> String {
    let res = app
        .post_json("/api/v1/auth/forgot-password", &json!({"org_id": "acme"}))
        .await;
    assert_eq!(res.status(), 202);
    token_from(&sink.message(n).await)
}

async fn reset_with(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": token, "new_password": password}),
    )
    .await
}

async fn assert_link_ended(app: &TestApp, token: &str, after: &str) {
    let res = reset_with(app, token, "yet another passphrase").await;
    assert_eq!(
        res.status(),
        400,
        "an outstanding link still worked after {after}"
    );
    assert_eq!(json_of(res).await["error"], "invalid_token");
}

/// Every way the password changes ends every other outstanding link of the organization.
async fn a_password_change_ends_every_outstanding_link(db: Db) {
    let Some((app, sink)) = app_with_mail(db).await else {
        return;
    };
    app.org_admin_session("acme").await;
    let first = forgot(&app, &sink, 1).await;
    let second = forgot(&app, &sink, 2).await;
    assert_ne!(first, second);
    let used = reset_with(&app, &second, "a fresh passphrase").await;
    assert_eq!(used.status(), 204);
    assert_link_ended(&app, &first, "a reset").await;

    let pending = forgot(&app, &sink, 3).await;
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"org_id": "acme", "password": "a fresh passphrase"}),
        )
        .await;
    assert_eq!(login.status(), 200);
    let changed = app
        .post_json(
            "/api/v1/auth/change-password",
            &json!({"current_password": "a fresh passphrase", "new_password": ORG_PASSWORD}),
        )
        .await;
    assert_eq!(changed.status(), 204);
    assert_link_ended(&app, &pending, "change-password").await;

    let pending = forgot(&app, &sink, 4).await;
    let set = app
        .admin(
            reqwest::Method::POST,
            "/api/v1/admin/organizations/acme/password",
            Some(json!({"password": "an admin-chosen passphrase"})),
        )
        .await;
    assert_eq!(set.status(), 204);
    assert_link_ended(&app, &pending, "the admin API set the password").await;
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"org_id": "acme", "password": "an admin-chosen passphrase"}),
        )
        .await;
    assert_eq!(login.status(), 200, "no ended link changed the password");
    let events = crate::credentials::audit_events(&app, "password.").await;
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "password.reset" && e["outcome"] == "success"),
        "{events:?}"
    );
}

macro_rules! mail_tests {
    ($($name:ident),*) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(crate::helpers::Db::Sqlite).await }
            #[cfg_attr(not(axid_pg_tests), ignore = "TEST_DATABASE_URL was not set when the tests were built")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if crate::helpers::postgres_admin_url().is_some() { super::$name(crate::helpers::Db::Postgres).await }
            }
        }
    )*};
}

mail_tests!(
    a_mailed_link_resets_the_password_once,
    reset_links_expire_after_thirty_minutes,
    unknown_orgs_get_the_same_202_and_no_mail,
    a_password_change_ends_every_outstanding_link
);
