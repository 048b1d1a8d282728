//! With the database down, requests get 503 `database_unavailable`, and the service
//! recovers by itself when it is back (PostgreSQL: connections refused, then allowed).

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{json_of, postgres_admin_url, spawn_app, Db};

async fn admin_sql(sql: String) {
    let url = postgres_admin_url().expect("url");
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("admin connection");
    sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(sql))
        .await
        .expect("admin sql");
}

#[cfg_attr(
    not(axid_pg_tests),
    ignore = "TEST_DATABASE_URL was not set when the tests were built"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_gives_503_and_recovers_without_restart() {
    let Some(app) = spawn_app(Db::Postgres).await else {
        return;
    };
    app.org_admin_session("acme").await;
    let name = app
        .db
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    admin_sql(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await;
    admin_sql(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .await;

    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 503);
    let session = app.get("/api/v1/auth/session").await;
    assert_eq!(session.status(), 503);
    let body = json_of(session).await;
    assert_eq!(body["error"], "database_unavailable");
    assert!(
        !body["message"].as_str().unwrap().contains(&name),
        "no internal detail in the body"
    );
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"org_id": "acme", "password": "whatever it is"}),
        )
        .await;
    assert_eq!(login.status(), 503);
    assert_eq!(
        app.get("/health").await.status(),
        200,
        "liveness does not depend on the database"
    );

    admin_sql(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.get("/ready").await.status() != 200 {
        assert!(Instant::now() < deadline, "did not recover within 15 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.get("/api/v1/auth/session").await.status(),
        200,
        "the same session works again"
    );
}
