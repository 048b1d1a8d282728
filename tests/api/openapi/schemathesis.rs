//! Schemathesis (issue 17 item 2) over every operation of `/openapi.json` against a live
//! axid holding every credential the document names: no 5xx, every status, content type,
//! header and body as documented, a 405 with `Allow` for undeclared methods, and secured
//! operations refusing requests without their credential.

use serde_json::{json, Value};

use crate::helpers::{json_of, new_client, spawn_app_with, Db, TestApp, ADMIN_KEY, ORG_PASSWORD};

/// Examples per operation and phase; with the stateful phase this keeps a run near a
/// minute on this machine.
const MAX_EXAMPLES: &str = "12";

/// The checks that hold the document to the server. Left out, with why:
/// `positive_data_acceptance` and `negative_data_rejection` expect the schema to state
/// every rule the server applies (the org id grammar, no NUL anywhere in a body, integral
/// JSON numbers like `5.0` for an integer); the server's stricter answers are 400s with
/// the §2 body, which `status_code_conformance` and `response_schema_conformance` check.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_headers_conformance,response_schema_conformance,unsupported_method,\
missing_required_header,ignored_auth,use_after_free,ensure_resource_availability";

/// Login and client authentication attempts share one limit; the fuzzer makes thousands.
const VARS: [(&str, &str); 1] = [("LOGIN_RATE_LIMIT_PER_MINUTE", "100000")];

mod schemathesis_finds_no_failure_on_any_operation {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::run(super::Db::Sqlite).await;
    }
    #[cfg_attr(
        not(axid_pg_tests),
        ignore = "TEST_DATABASE_URL was not set when the tests were built"
    )]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::run(super::Db::Postgres).await;
    }
}

async fn run(db: Db) {
    let Some(venv) = super::openapi_venv() else {
        return;
    };
    let Some(app) = spawn_app_with(db, &VARS).await else {
        return;
    };
    let credentials = Credentials::make(&app).await;
    let dir = super::scratch_dir("schemathesis");
    let config = dir.join("schemathesis.toml");
    std::fs::write(&config, credentials.config(&app)).expect("write config");
    let out = tokio::process::Command::new(venv.join("bin/schemathesis"))
        .current_dir(&dir)
        .arg("--config-file")
        .arg(&config)
        .args(["run", &app.url("/openapi.json")])
        .args(["--checks", CHECKS, "--max-examples", MAX_EXAMPLES])
        .args(["--workers", "2", "--request-timeout", "10", "--seed", "17"])
        .arg("--no-color")
        .output()
        .await
        .expect("run schemathesis");
    let said = String::from_utf8_lossy(&out.stdout);
    let summary: Vec<&str> = said
        .lines()
        .filter(|l| l.contains(" generated") || l.contains("Tested:") || l.contains("warnings in"))
        .collect();
    println!("schemathesis on {db:?}: {}", summary.join(" | "));
    assert!(
        out.status.success(),
        "schemathesis found failures on {db:?}:\n{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// One of each credential of CONTRACT §1 for one organization.
struct Credentials {
    session: String,
    api_key: String,
    client_id: String,
    client_secret: String,
    access_token: String,
}

impl Credentials {
    async fn make(app: &TestApp) -> Self {
        app.org_admin_session("acme").await;
        let key = app
            .post_json(
                "/api/v1/keys",
                &json!({"name": "schemathesis", "role": "admin"}),
            )
            .await;
        assert_eq!(key.status(), 201);
        let api_key = field(json_of(key).await, "key");
        let client = app
            .post_json(
                "/api/v1/clients",
                &json!({"name": "schemathesis", "type": "service", "roles": ["viewer"]}),
            )
            .await;
        assert_eq!(client.status(), 201);
        let client = json_of(client).await;
        let (client_id, client_secret) = (
            field(client.clone(), "client_id"),
            field(client, "client_secret"),
        );
        let token = new_client()
            .post(app.url("/oauth2/token"))
            .basic_auth(&client_id, Some(&client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token");
        assert_eq!(token.status(), 200);
        let access_token = field(json_of(token).await, "access_token");
        Self {
            session: session_cookie(app).await,
            api_key,
            client_id,
            client_secret,
            access_token,
        }
    }

    /// schemathesis.toml: each security scheme of the document filled in, and the
    /// portal's Origin so cookie-authenticated writes pass the CSRF rule.
    fn config(&self, app: &TestApp) -> String {
        format!(
            r#"[headers]
Origin = "{origin}"


[auth.openapi.admin_key]
api_key = "{admin}"

[auth.openapi.session]
api_key = "{session}"

[auth.openapi.api_key_bearer]
bearer = "{key}"

[auth.openapi.api_key_header]
api_key = "{key}"

[auth.openapi.client_basic]
username = "{client_id}"
password = "{client_secret}"

[auth.openapi.access_token]
bearer = "{token}"
"#,
            origin = app.address,
            admin = ADMIN_KEY,
            session = self.session,
            key = self.api_key,
            client_id = self.client_id,
            client_secret = self.client_secret,
            token = self.access_token,
        )
    }
}

fn field(body: Value, name: &str) -> String {
    body[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {body}"))
        .to_owned()
}

/// A session cookie value of its own (the app's client keeps its cookie in its store).
async fn session_cookie(app: &TestApp) -> String {
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"org_id": "acme", "password": ORG_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    cookie
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("axonflow_session="))
        .expect("axonflow_session cookie")
        .to_owned()
}
