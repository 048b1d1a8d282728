//! spawn_app(): a real axid on a loopback port with a fresh database (SQLite file or a new
//! PostgreSQL database per test), a movable clock and an HTTP client with a cookie jar.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use axid::clock::FixedClock;
use axid::config::Settings;
use axid::startup::{AppState, Application};
use serde_json::{json, Value};

pub const ADMIN_KEY: &str = "test-admin-key-0123456789";
pub const ORG_PASSWORD: &str = "correct horse battery staple";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is removed with it.
pub struct TestDb {
    pub url: String,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    SqliteDir(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn create(db: Db) -> Option<Self> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        match db {
            Db::Sqlite => {
                let dir = std::env::temp_dir().join(format!("axid-test-{id}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}/axid.db", dir.display());
                Some(Self {
                    url,
                    cleanup: Some(Cleanup::SqliteDir(dir)),
                })
            }
            Db::Postgres => {
                let admin_url = postgres_admin_url()?;
                let name = format!("axid_test_{id}");
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
                    .await
                    .expect("TEST_DATABASE_URL is set but PostgreSQL does not answer");
                sqlx::Executor::execute(
                    &mut conn,
                    sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
                )
                .await
                .expect("create test database");
                let url = replace_db_name(&admin_url, &name);
                Some(Self {
                    url,
                    cleanup: Some(Cleanup::Postgres { admin_url, name }),
                })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self.cleanup.take() {
            Some(Cleanup::SqliteDir(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(Cleanup::Postgres { admin_url, name }) => {
                // Drop runs outside async context: a plain thread with its own runtime.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let mut conn =
                            <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
                                .await
                                .ok()?;
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(sql))
                            .await
                            .ok()
                    })
                })
                .join();
            }
            None => {}
        }
    }
}

/// TEST_DATABASE_URL, or None with a clear "skipped" line. With AXID_REQUIRE_POSTGRES=1
/// (CI) a missing URL is a failure, not a skip.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(url) => Some(url),
        None if std::env::var("AXID_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
            panic!("AXID_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        }
        None => {
            eprintln!("SKIPPED on PostgreSQL: TEST_DATABASE_URL is not set");
            None
        }
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map(|(b, q)| (b, Some(q)))
        .unwrap_or((url, None));
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub clock: Arc<FixedClock>,
    pub state: actix_web::web::Data<AppState>,
    pub db_kind: Db,
    handle: ServerHandle,
    // Declared last: dropped after the server handle.
    pub db: Arc<TestDb>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Variables every test app gets; `extra` overrides or adds.
fn test_vars(db_url: &str, port: u16, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", db_url.to_owned()),
        ("PUBLIC_URL", format!("http://127.0.0.1:{port}")),
        ("AXID_HOST", "127.0.0.1".into()),
        ("AXID_PORT", port.to_string()),
        ("ADMIN_API_KEY", ADMIN_KEY.into()),
        ("DATABASE_ACQUIRE_TIMEOUT_SECS", "2".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    vars
}

pub async fn spawn_app(db: Db) -> Option<TestApp> {
    spawn_app_with(db, &[]).await
}

pub async fn spawn_app_with(db: Db, extra: &[(&str, &str)]) -> Option<TestApp> {
    let test_db = Arc::new(TestDb::create(db).await?);
    Some(spawn_on(test_db, db, FixedClock::starting_now(), extra).await)
}

/// An app on a database that `sql` (a dump) filled first: an upgrade from an older release.
pub async fn spawn_app_on_dump(db: Db, sql: &str) -> Option<TestApp> {
    let test_db = Arc::new(TestDb::create(db).await?);
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match db {
        Db::Sqlite => {
            use std::str::FromStr;
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(&test_db.url)
                .expect("sqlite url")
                .create_if_missing(true);
            let mut conn = sqlx::ConnectOptions::connect(&options).await.expect("open");
            sqlx::raw_sql(sql)
                .execute(&mut conn)
                .await
                .expect("load the dump");
        }
        Db::Postgres => {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&test_db.url)
                .await
                .expect("open");
            sqlx::raw_sql(sql)
                .execute(&mut conn)
                .await
                .expect("load the dump");
        }
    }
    Some(spawn_on(test_db, db, FixedClock::starting_now(), &[]).await)
}

/// Another replica: a second server on the same database and clock.
pub async fn spawn_replica(app: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    spawn_on(app.db.clone(), app.db_kind, app.clock.clone(), extra).await
}

async fn spawn_on(
    test_db: Arc<TestDb>,
    db: Db,
    clock: Arc<FixedClock>,
    extra: &[(&str, &str)],
) -> TestApp {
    axid::telemetry::init_subscriber(false);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let settings = Settings::from_map(&test_vars(&test_db.url, port, extra)).expect("settings");
    let app = Application::build_on(listener, settings, clock.clone())
        .await
        .expect("app builds");
    let handle = app.handle();
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: new_client(),
        clock,
        state,
        db_kind: db,
        handle,
        db: test_db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header("X-Admin-API-Key", ADMIN_KEY);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request")
    }

    /// Creates an organization with ORG_PASSWORD through the admin API.
    pub async fn create_org(&self, org_id: &str) -> Value {
        let body = json!({"org_id": org_id, "name": format!("{org_id} Inc"), "password": ORG_PASSWORD,
                          "contact_email": format!("it@{org_id}.test")});
        let res = self
            .admin(
                reqwest::Method::POST,
                "/api/v1/admin/organizations",
                Some(body),
            )
            .await;
        assert_eq!(res.status(), 201, "creating org {org_id}");
        res.json().await.expect("json")
    }

    /// Logs this app's client in as the org's password principal.
    pub async fn login(&self, org_id: &str) -> reqwest::Response {
        self.post_json(
            "/api/v1/auth/login",
            &json!({"org_id": org_id, "password": ORG_PASSWORD}),
        )
        .await
    }

    /// Creates an org and logs in; the client then holds its session cookie.
    pub async fn org_admin_session(&self, org_id: &str) {
        self.create_org(org_id).await;
        let res = self.login(org_id).await;
        assert_eq!(res.status(), 200, "login to {org_id}");
    }

    /// A SCIM token of `org_id` created through the portal API (needs an admin session).
    pub async fn scim_token(&self, name: &str) -> String {
        let res = self
            .post_json("/api/v1/scim/tokens", &json!({"name": name}))
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }
}

/// Runs an async test body once on SQLite and once on PostgreSQL (skipped with a clear line
/// when TEST_DATABASE_URL is not set): `both_dbs!(name_of_async_fn_taking_TestApp, ...)`.
#[macro_export]
macro_rules! both_dbs {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app($crate::helpers::Db::Sqlite).await.expect("sqlite app");
                super::$name(app).await;
            }
            #[cfg_attr(not(axid_pg_tests), ignore = "TEST_DATABASE_URL was not set when the tests were built")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Db::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}

pub async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.expect("JSON body")
}

/// Sends a prepared request and returns its status.
pub async fn status_of(request: reqwest::RequestBuilder) -> reqwest::StatusCode {
    request.send().await.expect("send").status()
}
