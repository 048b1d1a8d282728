//! A 2xx means committed (issue 16, item 4): SCIM creates answered 201 under concurrent
//! load and a password sign-in answered 200, then `kill -9` of the process right after the
//! last answer; a restart on the same database finds every user and the session.

use futures_util::stream::{self, StreamExt};
use reqwest::header::AUTHORIZATION;
use serde_json::{json, Value};

use crate::helpers::{json_of, new_client, Db, TestDb, ADMIN_KEY, ORG_PASSWORD};
use crate::process::Process;

const CREATES: usize = 200;
const AT_ONCE: usize = 16;

mod kill_nine_right_after_the_last_2xx_loses_no_write {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::kill_nine_after_2xx(super::Db::Sqlite).await;
    }
    #[cfg_attr(
        not(axid_pg_tests),
        ignore = "TEST_DATABASE_URL was not set when the tests were built"
    )]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::kill_nine_after_2xx(super::Db::Postgres).await;
    }
}

/// An org, a signed-in portal client and a SCIM token.
pub(crate) async fn org_session_and_token(axid: &Process) -> (reqwest::Client, String) {
    let admin = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/organizations", axid.base))
        .header("X-Admin-API-Key", ADMIN_KEY)
        .json(&json!({"org_id": "acme", "name": "Acme", "password": ORG_PASSWORD}))
        .send()
        .await
        .expect("create org");
    assert_eq!(admin.status(), 201);
    let portal = new_client();
    let login = portal
        .post(format!("{}/api/v1/auth/login", axid.base))
        .json(&json!({"org_id": "acme", "password": ORG_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let token = portal
        .post(format!("{}/api/v1/scim/tokens", axid.base))
        .json(&json!({"name": "okta"}))
        .send()
        .await
        .expect("token");
    let token = json_of(token).await["token"]
        .as_str()
        .expect("scim token")
        .to_owned();
    (portal, token)
}

/// CREATES users, AT_ONCE requests in flight; the ids of the 201s.
async fn create_concurrently(axid: &Process, token: &str) -> Vec<String> {
    let http = reqwest::Client::new();
    let url = format!("{}/scim/v2/Users", axid.base);
    stream::iter(0..CREATES)
        .map(|i| {
            let req = http
                .post(&url)
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .header("content-type", "application/scim+json")
                .json(
                    &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                              "userName": format!("durable{i}@acme.test")}),
                );
            async move {
                let res = req.send().await.expect("scim post");
                assert_eq!(res.status(), 201);
                let body: Value = json_of(res).await;
                body["id"].as_str().expect("id").to_owned()
            }
        })
        .buffer_unordered(AT_ONCE)
        .collect()
        .await
}

async fn kill_nine_after_2xx(db: Db) {
    let Some(test_db) = TestDb::create(db).await else {
        return;
    };
    let first = Process::start(&test_db.url).await;
    let (portal, token) = org_session_and_token(&first).await;
    let ids = create_concurrently(&first, &token).await;
    first.kill_nine().await;

    let second = Process::start(&test_db.url).await;
    let http = reqwest::Client::new();
    let total = http
        .get(format!("{}/scim/v2/Users?count=0", second.base))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .expect("count");
    assert_eq!(json_of(total).await["totalResults"], CREATES);
    for id in &ids {
        let res = http
            .get(format!("{}/scim/v2/Users/{id}", second.base))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .expect("read back");
        assert_eq!(res.status(), 200, "user {id} answered 201 before the kill");
    }
    // The portal session issued before the kill still signs in on the restarted process.
    let session = portal
        .get(format!("{}/api/v1/auth/session", second.base))
        .send()
        .await
        .expect("session");
    assert_eq!(session.status(), 200);
}
