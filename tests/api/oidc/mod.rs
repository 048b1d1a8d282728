//! OIDC tests: the relying-party core driven against a fake provider inside the suite, and
//! end to end against the real npm oidc-provider (tests/tools/oidc).

mod core_flow;
pub mod fake_provider;
pub mod http_support;
mod real_provider;
mod routes;

/// Settings every OIDC test app gets: the providers run on http://127.0.0.1.
pub const OIDC_TEST_VARS: &[(&str, &str)] =
    &[("OIDC_ALLOW_HTTP", "1"), ("SSO_FETCH_ALLOW_PRIVATE", "1")];

/// Like `both_dbs!`, with OIDC_TEST_VARS.
#[macro_export]
macro_rules! oidc_both_dbs {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::helpers::{spawn_app_with, Db};
            use $crate::oidc::OIDC_TEST_VARS;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = spawn_app_with(Db::Sqlite, OIDC_TEST_VARS).await.expect("sqlite app");
                super::$name(app).await;
            }
            #[cfg_attr(not(axid_pg_tests), ignore = "TEST_DATABASE_URL was not set when the tests were built")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = spawn_app_with(Db::Postgres, OIDC_TEST_VARS).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}
