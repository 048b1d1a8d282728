//! The OpenAPI document (issue 17 items 1 and 2): served at `/openapi.json`, valid OpenAPI
//! 3.1 by an independent validator, complete for the JSON surfaces, and every operation
//! probed by schemathesis against a live axid on SQLite and PostgreSQL.

mod document;
mod regressions;
mod schemathesis;

use std::path::PathBuf;

/// The venv of tests/tools/openapi/setup.sh; None (with a SKIPPED line) when it is missing,
/// a panic under AXID_REQUIRE_TOOLS=1.
fn openapi_venv() -> Option<PathBuf> {
    let tools = std::env::var("AXID_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/axid-tools")
        });
    let venv = tools.join("openapi-venv");
    if venv.join("bin/schemathesis").exists() && venv.join("bin/openapi-spec-validator").exists() {
        return Some(venv);
    }
    if std::env::var("AXID_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("AXID_REQUIRE_TOOLS=1 but schemathesis or openapi-spec-validator is missing: run tests/tools/openapi/setup.sh");
    }
    println!("SKIPPED: schemathesis / openapi-spec-validator not installed (run tests/tools/openapi/setup.sh)");
    None
}

/// A scratch directory of this test run.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "axid-openapi-{name}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
