//! Databases created by an earlier release migrate on without a manual step: dumps of what
//! main at 4f01dd0 (migrations kept twice, once per backend) created with `axid migrate`
//! and `axid org create acme`, opened by this build.

use crate::helpers::{json_of, spawn_app_on_dump, Db, TestApp};

const SQLITE_DUMP: &str = include_str!("../fixtures/upgrade/sqlite-main-4f01dd0.sql");
const POSTGRES_DUMP: &str = include_str!("../fixtures/upgrade/postgres-main-4f01dd0.sql");

async fn the_old_organization_still_signs_in(app: TestApp) {
    let res = app.login("acme").await;
    assert_eq!(res.status(), 200);
    let session = json_of(res).await;
    assert_eq!(session["org_id"], "acme");
    assert_eq!(session["roles"], serde_json::json!(["admin"]));
    // The old database takes new writes too.
    let created = app.create_org("globex").await;
    assert_eq!(created["org_id"], "globex");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_of_the_previous_release_migrates_on() {
    let app = spawn_app_on_dump(Db::Sqlite, SQLITE_DUMP)
        .await
        .expect("sqlite app");
    the_old_organization_still_signs_in(app).await;
}

#[cfg_attr(
    not(axid_pg_tests),
    ignore = "TEST_DATABASE_URL was not set when the tests were built"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_database_of_the_previous_release_migrates_on() {
    if let Some(app) = spawn_app_on_dump(Db::Postgres, POSTGRES_DUMP).await {
        the_old_organization_still_signs_in(app).await;
    }
}
