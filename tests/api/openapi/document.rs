//! The document itself: what `/openapi.json` serves, checked by openapi-spec-validator, and
//! its completeness rules (every operation named, tagged and with its errors; no JSON
//! route mounted outside the registry that writes the document).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::helpers::{json_of, TestApp};

crate::both_dbs!(
    served_document_is_openapi_3_1_and_passes_the_validator,
    a_wrong_method_gets_405_with_the_allow_header
);

async fn served_document_is_openapi_3_1_and_passes_the_validator(app: TestApp) {
    let res = app.get("/openapi.json").await;
    assert_eq!(res.status(), 200);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("application/json"), "{kind}");
    let text = res.text().await.expect("body");
    assert_eq!(
        text,
        axid::openapi::document_json(),
        "`axid openapi` prints what is served"
    );
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");

    let Some(venv) = super::openapi_venv() else {
        return;
    };
    let dir = super::scratch_dir("validate");
    let file = dir.join("openapi.json");
    std::fs::write(&file, &text).expect("write document");
    let out = std::process::Command::new(venv.join("bin/openapi-spec-validator"))
        .arg(&file)
        .output()
        .expect("run openapi-spec-validator");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "openapi-spec-validator refused the document:\n{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("OK"), "{said}");
    let _ = std::fs::remove_dir_all(dir);
}

/// RFC 9110 §15.5.6, found by schemathesis (ST204): a 405 names the methods allowed.
async fn a_wrong_method_gets_405_with_the_allow_header(app: TestApp) {
    let res = app
        .client
        .request(
            reqwest::Method::TRACE,
            app.url("/api/v1/admin/organizations"),
        )
        .header("X-Admin-API-Key", crate::helpers::ADMIN_KEY)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST, GET, HEAD");
    assert_eq!(json_of(res).await["error"], "method_not_allowed");
    let res = app
        .client
        .put(app.url("/oauth2/token"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    assert_eq!(
        json_of(res).await["error"],
        "invalid_request",
        "RFC 6749 shape"
    );
    // The forward-auth check answers the methods a proxied request uses, and no others.
    let res = app
        .client
        .request(reqwest::Method::TRACE, app.url("/auth/verify"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 405);
    assert_eq!(
        res.headers()["allow"],
        "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
    );
}

fn document() -> Value {
    serde_json::from_str(axid::openapi::document_json()).expect("document JSON")
}

/// Every (method, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            all.push((path.clone(), method.clone(), op.clone()));
        }
    }
    all
}

#[test]
fn every_operation_is_named_tagged_and_documents_its_errors() {
    let doc = document();
    let ops = operations(&doc);
    let mut ids = BTreeSet::new();
    for (path, method, op) in &ops {
        let name = format!("{method} {path}");
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no operationId"));
        assert!(
            ids.insert(id.to_owned()),
            "{name}: operationId {id} used twice"
        );
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{name}: no tag"
        );
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses
                .keys()
                .any(|s| s.starts_with('2') || s.starts_with('3')),
            "{name}: no success response"
        );
        if path.starts_with("/api/") {
            for status in ["400", "503"] {
                let schema = &responses[status]["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorBody", "{name} {status}");
            }
        }
        if op.get("security").is_some() && path.starts_with("/api/") {
            assert!(responses.contains_key("401"), "{name}: secured but no 401");
        }
    }
    assert!(ops.len() >= 60, "only {} operations documented", ops.len());
}

#[test]
fn no_two_schemas_share_a_name() {
    assert_eq!(axid::openapi::schema_name_clashes(), Vec::<String>::new());
}

#[test]
fn the_json_surfaces_of_the_contract_are_documented() {
    let doc = document();
    for path in [
        "/api/v1/admin/organizations",
        "/api/v1/auth/login",
        "/api/v1/keys",
        "/api/v1/scim/tokens",
        "/api/v1/sso/config",
        "/api/v1/users",
        "/api/v1/clients",
        "/api/v1/events",
        "/api/v1/webhooks",
        "/api/v1/setup-links",
        "/oauth2/token",
        "/oauth2/introspect",
        "/oauth2/jwks",
        "/oauth2/authorize",
        "/oauth2/userinfo",
        "/auth/verify",
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
}

/// Every `web::resource`/`web::scope` path literal in `src/`.
fn mounted_literals() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            for call in ["web::resource(\"", "web::scope(\""] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let literal = rest.split('"').next().unwrap_or_default().to_owned();
                    found.push((path.display().to_string(), literal));
                }
            }
        }
    }
    found
}

/// The document cannot drift from the routes only if every JSON route goes through
/// `ApiRoutes`, which mounts a handler where its annotation says: no other mount names a
/// documented prefix, and no `/api/v1` scope exists to hold unlisted relative routes.
#[test]
fn json_routes_are_mounted_only_through_the_registry() {
    let documented = ["/api/", "/oauth2", "/.well-known", "/auth/verify"];
    for (file, literal) in mounted_literals() {
        assert!(
            !documented.iter().any(|p| literal.starts_with(p)),
            "{file} mounts {literal} outside the documented registry"
        );
    }
}
