//! Tells the test harness whether PostgreSQL tests can run: with TEST_DATABASE_URL set at
//! build time the cfg `axid_pg_tests` is on; without it, every PostgreSQL test is marked
//! `#[ignore]`, so the runner counts it as skipped instead of passed (issue 17, item 5).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(axid_pg_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.trim().is_empty()) {
        println!("cargo::rustc-cfg=axid_pg_tests");
    }
}
