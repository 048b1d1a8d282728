//! Replays the IdP request sequences of tests/fixtures/scim/*.json (IDP_QUIRKS.md) against a
//! spawned app, once on SQLite and once on PostgreSQL, asserting every step.
//!
//! A transcript (tests/fixtures/scim/README.md has the long form):
//!
//! ```json
//! {"idp": "Okta", "source": "where the sequence comes from", "org": "acme",
//!  "steps": [{"name": "...",
//!    "request": {"method": "GET", "path": "/Users/{{id}}", "query": {"filter": "..."},
//!                "headers": {"Content-Type": "application/json"}, "body": {...}, "auth": "token"},
//!    "expect": {"status": 200, "error": {"scimType": null}, "body": {...}, "absent": ["/password"],
//!               "headers": {"ETag": "W/\"1\""}, "save": {"id": "/id", "etag": "header:ETag"}}}]}
//! ```
//!
//! - The runner creates `org` and a SCIM token; `auth` is `token` (default, `Bearer <token>`) or
//!   `none` (no Authorization unless `headers` sends one). `path` is below `/scim/v2`; `query`
//!   pairs are form-encoded and appended. A `body` is sent as `application/scim+json` unless
//!   `headers` sets Content-Type.
//! - `expect.status` is required. `error` asserts the RFC 7644 §3.12 envelope like
//!   `Answer::error` (`scimType` is required: a string, or null for "no scimType").
//! - `expect.body` is a subset match: objects match the given keys only, arrays need the same
//!   length and match element-wise, scalars are equal. Strings starting with `$` are matchers:
//!   `$any` (present), `$string`, `$uint`, `$array`, `$object`; `{"$exact": v}` is deep
//!   equality (and the way to expect a literal string starting with `$`). `"body": null` means
//!   an empty body.
//! - `absent`: JSON pointers that must not resolve. `headers`: exact values.
//! - `save`: a variable from a body pointer (`/id`) or a header (`header:ETag`), a string;
//!   `{{name}}` uses it in later paths, queries, headers, bodies and expectations.
//! - Unknown fields, unknown matchers and unknown variables fail the test.

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{Answer, Scim, SCIM_JSON};
use crate::both_dbs;
use crate::helpers::TestApp;
use matching::{matches, subst, subst_value, Vars};

mod matching;

/// One test per fixture `<name>.json`, run on both databases by `both_dbs!`.
macro_rules! transcripts {
    ($($name:ident),* $(,)?) => {
        $(async fn $name(app: TestApp) {
            replay(&app, concat!(stringify!($name), ".json")).await;
        })*
        both_dbs!($($name),*);
        const REGISTERED: &[&str] = &[$(concat!(stringify!($name), ".json")),*];
    };
}

transcripts!(
    okta_spec_test,
    okta_updates_and_group_push,
    entra_default,
    entra_aadoptscim062020,
    entra_groups,
    auth0,
    onelogin,
    jumpcloud,
    google,
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Transcript {
    idp: String,
    #[serde(rename = "source")]
    _source: String,
    org: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    name: String,
    request: Request,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    method: String,
    path: String,
    #[serde(default)]
    query: BTreeMap<String, String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "present")]
    body: Option<Value>,
    #[serde(default)]
    auth: Auth,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Auth {
    #[default]
    Token,
    None,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: u16,
    error: Option<ErrorEnvelope>,
    #[serde(default, deserialize_with = "present")]
    body: Option<Value>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    save: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorEnvelope {
    /// Required: `Option::deserialize` turns off serde's "missing means None" for options.
    #[serde(rename = "scimType", deserialize_with = "Option::deserialize")]
    scim_type: Option<String>,
}

/// A given key is `Some` even when it is `null` (`"body": null` is "an empty body").
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scim")
}

/// Replays `file` on `app` (creating its organization and SCIM token), asserting each step.
pub async fn replay(app: &TestApp, file: &str) {
    let path = fixture_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let transcript: Transcript =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is no transcript: {e}"));
    assert!(!transcript.steps.is_empty(), "{file} has no steps");
    let scim = Scim::new(app, &transcript.org).await;
    let mut vars = Vars::new();
    for (n, step) in transcript.steps.iter().enumerate() {
        if let Err(why) = run(&scim, step, &mut vars).await {
            panic!(
                "{file} ({} on {:?}), step {} \"{}\": {why}",
                transcript.idp,
                app.db_kind,
                n + 1,
                step.name
            );
        }
    }
}

async fn run(scim: &Scim<'_>, step: &Step, vars: &mut Vars) -> Result<(), String> {
    let req = &step.request;
    let method = Method::from_bytes(req.method.as_bytes()).map_err(|e| e.to_string())?;
    let url = url_of(scim, req, vars)?;
    let mut headers = HeaderMap::new();
    if req.body.is_some() {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    }
    for (name, value) in &req.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        if name == AUTHORIZATION && req.auth == Auth::Token {
            return Err("an Authorization header needs \"auth\": \"none\"".into());
        }
        let value = HeaderValue::from_str(&subst(value, vars)?).map_err(|e| e.to_string())?;
        headers.insert(name, value);
    }
    if req.auth == Auth::Token {
        let bearer = HeaderValue::from_str(&format!("Bearer {}", scim.token));
        headers.insert(AUTHORIZATION, bearer.map_err(|e| e.to_string())?);
    }
    let mut request = scim
        .app
        .client
        .request(method.clone(), &url)
        .headers(headers);
    if let Some(body) = &req.body {
        request = request.body(subst_value(body, vars)?.to_string());
    }
    let res = request
        .send()
        .await
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let answer = Answer::of(res).await;
    check(&step.expect, &answer, vars).map_err(|why| {
        format!(
            "{method} {url}: {why}\n  answer: {} {}",
            answer.status, answer.body
        )
    })
}

fn url_of(scim: &Scim<'_>, req: &Request, vars: &Vars) -> Result<String, String> {
    if !req.path.starts_with('/') {
        return Err(format!("path {:?} must start with /", req.path));
    }
    let mut url = scim
        .app
        .url(&format!("/scim/v2{}", subst(&req.path, vars)?));
    let enc =
        |s: String| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    for (key, value) in &req.query {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&enc(subst(key, vars)?));
        url.push('=');
        url.push_str(&enc(subst(value, vars)?));
    }
    Ok(url)
}

fn check(expect: &Expect, answer: &Answer, vars: &mut Vars) -> Result<(), String> {
    match &expect.error {
        Some(error) => answer.check_error(expect.status, error.scim_type.as_deref())?,
        None if answer.status != expect.status => {
            return Err(format!(
                "status {}, expected {}",
                answer.status, expect.status
            ))
        }
        None => {}
    }
    if let Some(want) = &expect.body {
        matches(&subst_value(want, vars)?, Some(&answer.body), "")?;
    }
    for pointer in &expect.absent {
        let pointer = subst(pointer, vars)?;
        if !pointer.starts_with('/') {
            return Err(format!("absent {pointer:?} is no JSON pointer"));
        }
        if let Some(v) = answer.body.pointer(&pointer) {
            return Err(format!("{pointer} must be absent, is {v}"));
        }
    }
    for (name, want) in &expect.headers {
        let want = subst(want, vars)?;
        let got = answer.headers.get(name.to_ascii_lowercase().as_str());
        if got.and_then(|v| v.to_str().ok()) != Some(want.as_str()) {
            return Err(format!("header {name}: {got:?}, expected {want:?}"));
        }
    }
    for (var, from) in &expect.save {
        let value = match from.strip_prefix("header:") {
            Some(h) => answer
                .headers
                .get(h.to_ascii_lowercase().as_str())
                .and_then(|v| v.to_str().ok()),
            None if from.starts_with('/') => answer.body.pointer(from).and_then(Value::as_str),
            None => {
                return Err(format!(
                    "save {var}: {from:?} is neither /pointer nor header:Name"
                ))
            }
        };
        let value = value.ok_or_else(|| format!("save {var}: no string at {from}"))?;
        if vars.insert(var.clone(), value.to_owned()).is_some() {
            return Err(format!("save {var}: the variable is already set"));
        }
    }
    Ok(())
}

#[test]
fn every_fixture_file_is_registered() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("tests/fixtures/scim")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut registered: Vec<String> = REGISTERED.iter().map(|s| (*s).to_owned()).collect();
    registered.sort();
    assert_eq!(on_disk, registered, "fixtures on disk vs transcripts!(...)");
}
