//! On SQLite, SCIM's hot reads run inline on the request thread (src/store/inline_reads.rs)
//! unless SQLITE_INLINE_READS=off sends them through the pool. Two apps on one database,
//! one each way, must answer every read the same, and see each other's writes at once.

use serde_json::{json, Value};

use super::{patch_body, Answer, Scim};
use crate::helpers::{json_of, spawn_app, spawn_replica, status_of, Db};

/// The body with the app's own base URL (meta.location) replaced, so two apps compare.
fn comparable(answer: Answer, address: &str) -> (u16, String) {
    (
        answer.status,
        answer.body.to_string().replace(address, "BASE"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_and_pool_reads_give_the_same_answers() {
    let app = spawn_app(Db::Sqlite).await.expect("sqlite app");
    let inline = Scim::new(&app, "acme").await;
    let pool_app = spawn_replica(&app, &[("SQLITE_INLINE_READS", "off")]).await;
    let pool = Scim {
        app: &pool_app,
        token: inline.token.clone(),
    };
    let ada = inline.user("ada@acme.test").await;
    let bob = inline.user("bob@acme.test").await;
    inline.user("cy@acme.test").await;
    inline.user("dee@acme.test").await;
    let eng = inline.group("Engineering").await;
    inline.group("Ops").await;
    let add =
        |id: &str| patch_body(json!([{"op": "add", "path": "members", "value": [{"value": id}]}]));
    inline
        .patch(&format!("/Groups/{eng}"), &add(&ada))
        .await
        .expect(200);
    inline
        .patch(&format!("/Groups/{eng}"), &add(&bob))
        .await
        .expect(200);
    let off = patch_body(json!([{"op": "replace", "path": "active", "value": false}]));
    inline
        .patch(&format!("/Users/{bob}"), &off)
        .await
        .expect(200);

    let paths = [
        format!("/Users/{ada}"),
        format!("/Users/{bob}?attributes=userName,groups"),
        "/Users/no-such-user".to_owned(),
        "/Users?filter=userName%20eq%20%22ADA%40acme.test%22".to_owned(),
        "/Users?filter=active%20eq%20false".to_owned(),
        "/Users?filter=emails.value%20co%20%22acme%22&sortBy=userName&sortOrder=descending"
            .to_owned(),
        // A full page counts its total with a second query; an empty page past the end too.
        "/Users?startIndex=2&count=2".to_owned(),
        "/Users?startIndex=9&count=2".to_owned(),
        "/Users?count=0".to_owned(),
        "/Groups".to_owned(),
        format!("/Groups/{eng}"),
        "/Groups?filter=displayName%20eq%20%22engineering%22".to_owned(),
        "/Groups/no-such-group".to_owned(),
    ];
    for path in &paths {
        let a = comparable(inline.get(path).await, &app.address);
        let b = comparable(pool.get(path).await, &pool_app.address);
        assert_eq!(a, b, "GET {path}: inline (left) and pool (right) differ");
        assert!(a.0 == 200 || a.0 == 404, "GET {path}: {}", a.0);
    }
    // Each sees the other's writes at once: a write through the pool app, read inline.
    let renamed = patch_body(json!([{"op": "replace", "path": "displayName", "value": "Ada L."}]));
    pool.patch(&format!("/Users/{ada}"), &renamed)
        .await
        .expect(200);
    let read: Value = inline.get(&format!("/Users/{ada}")).await.expect(200);
    assert_eq!(read["displayName"], "Ada L.");
    assert_eq!(read["groups"][0]["display"], "Engineering");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_refused_at_once_by_the_inline_check() {
    let app = spawn_app(Db::Sqlite).await.expect("sqlite app");
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("ada@acme.test").await;
    scim.get(&format!("/Users/{id}")).await.expect(200);
    let tokens = json_of(app.get("/api/v1/scim/tokens").await).await;
    let token_id = tokens["tokens"][0]["id"]
        .as_str()
        .expect("token id")
        .to_owned();
    let revoke = app
        .client
        .delete(app.url(&format!("/api/v1/scim/tokens/{token_id}")));
    assert_eq!(status_of(revoke).await, 204);
    // Both inline reads (by id: one joined query; a filter: the token check alone).
    scim.get(&format!("/Users/{id}")).await.error(401, None);
    scim.filter("Users", r#"userName eq "ada@acme.test""#)
        .await
        .error(401, None);
}
