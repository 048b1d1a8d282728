//! Rules every request meets at the root: the /api/v1 media type for unsafe methods
//! (CONTRACT.md §4), HEAD on GET routes (RFC 9110 §9.3.2), and the request-body deadline.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::both_dbs;
use crate::helpers::{json_of, spawn_app_with, Db, TestApp};

both_dbs!(
    unsafe_api_requests_without_a_json_body_get_415,
    head_answers_every_get_route_without_the_body,
);

/// Sends raw bytes on a fresh connection and returns everything the server wrote until it
/// closed (at most 20 s; the server is expected to answer long before).
async fn raw_exchange(app: &TestApp, request: &[u8], then_wait: bool) -> String {
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    conn.write_all(request).await.expect("write");
    if !then_wait {
        let _ = conn.shutdown().await;
    }
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), conn.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server did not answer within 20 s");
    String::from_utf8_lossy(&out).into_owned()
}

async fn unsafe_api_requests_without_a_json_body_get_415(app: TestApp) {
    app.org_admin_session("acme").await;
    let created = json_of(app.post_json("/api/v1/keys", &json!({"name": "ci"})).await).await;
    let id = created["id"].as_str().expect("id").to_owned();
    let key_path = format!("/api/v1/keys/{id}");
    let refused = [
        // (method, path, content type, body)
        ("DELETE", key_path.clone(), Some("text/plain"), "x"),
        ("DELETE", key_path.clone(), None, "x"),
        ("DELETE", key_path.clone(), Some("text/plain"), ""),
        (
            "DELETE",
            key_path.replace("/v1/", "/%761/"),
            Some("text/plain"),
            "x",
        ),
        (
            "POST",
            "/api/v1/sso/config/test".into(),
            Some("application/x-www-form-urlencoded"),
            "a=b",
        ),
        (
            "POST",
            "/api/v1/auth/logout".into(),
            Some("text/plain"),
            "bye",
        ),
        (
            "POST",
            "/api/v1/auth/logout".into(),
            Some("multipart/form-data; boundary=x"),
            "--x--",
        ),
    ];
    for (method, path, content_type, body) in refused {
        let mut req = app
            .client
            .request(method.parse().unwrap(), app.url(&path))
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.expect("send");
        assert_eq!(
            res.status(),
            415,
            "{method} {path} {content_type:?} {body:?}"
        );
        assert_eq!(json_of(res).await["error"], "unsupported_media_type");
    }
    assert_eq!(
        app.get(&key_path).await.status(),
        200,
        "the key was not deleted"
    );
    assert_eq!(
        app.get("/api/v1/auth/session").await.status(),
        200,
        "nor the session ended"
    );

    // Bodyless requests without a Content-Type, and JSON ones, go through.
    let deleted = app
        .client
        .delete(app.url(&key_path))
        .send()
        .await
        .expect("send");
    assert_eq!(deleted.status(), 204);
    let logout = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("content-type", "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!(logout.status(), 204);
}

async fn head_answers_every_get_route_without_the_body(app: TestApp) {
    for (path, status) in [
        ("/health", 200),
        ("/ready", 200),
        ("/metrics", 200),
        ("/api/v1/auth/sso/availability?org_id=acme", 200),
        ("/api/v1/keys", 401),
        ("/api/v1/auth/login", 405),
        ("/api/v1/no-such-path", 404),
    ] {
        let get = app.get(path).await;
        assert_eq!(get.status(), status, "GET {path}");
        let get_type = get.headers().get("content-type").cloned();
        let request = format!("HEAD {path} HTTP/1.1\r\nHost: axid\r\nConnection: close\r\n\r\n");
        let answer = raw_exchange(&app, request.as_bytes(), true).await;
        let (head, body) = answer.split_once("\r\n\r\n").expect("a full response head");
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status} ")),
            "HEAD {path}: {head}"
        );
        assert_eq!(body, "", "HEAD {path} sent a body");
        if let Some(ct) = get_type {
            let line = format!("content-type: {}", ct.to_str().unwrap());
            assert!(
                head.to_ascii_lowercase().contains(&line),
                "HEAD {path}: {head}"
            );
        }
    }
}

/// A body sent slowly ends with 408 at the deadline instead of holding the request open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_request_body_ends_at_its_deadline() {
    let app = spawn_app_with(Db::Sqlite, &[("REQUEST_BODY_TIMEOUT_SECS", "1")])
        .await
        .expect("app");
    let request = "POST /api/v1/auth/login HTTP/1.1\r\nHost: axid\r\n\
                   Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"org_id\":";
    let answer = raw_exchange(&app, request.as_bytes(), true).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("\"error\":\"request_timeout\""), "{answer}");
    // SCIM reads its body itself: the same deadline is a 408 there too, in SCIM's format (it used to be their 400 "could not be read").
    let scim = "POST /scim/v2/Users HTTP/1.1\r\nHost: axid\r\nAuthorization: Bearer x\r\n\
                Content-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{\"userName\":";
    app.org_admin_session("acme").await;
    let token = app.scim_token("idp").await;
    let scim = scim.replace("Bearer x", &format!("Bearer {token}"));
    let answer = raw_exchange(&app, scim.as_bytes(), true).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(
        answer.contains("urn:ietf:params:scim:api:messages:2.0:Error"),
        "{answer}"
    );
    // The service still answers.
    assert_eq!(app.get("/health").await.status(), 200);
}
