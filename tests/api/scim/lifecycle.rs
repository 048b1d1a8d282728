//! Lifecycle (CONTRACT.md §3, §5, §10): deactivation keeps the user readable and filterable
//! and revokes their sessions; DELETE removes (404 after) and frees the userName; the
//! license seat limit is enforced.

use axid::clock::Clock;
use axid::domain::OrgId;
use axid::store::NewSession;
use reqwest::Method;
use serde_json::json;

use super::{patch_body, user_body, Scim};
use crate::both_dbs;
use crate::helpers::TestApp;

both_dbs!(
    deactivation_keeps_the_user_and_revokes_sessions,
    delete_removes_the_user_and_frees_the_user_name,
    the_seat_limit_refuses_users_past_the_license
);

/// A portal session of SCIM user `id`, as an SSO login would create it.
async fn session_of(app: &TestApp, org: &str, id: &str, hash: &str) {
    let org = OrgId::parse(org).expect("org");
    let now = app.clock.now_ms();
    let s = NewSession {
        id_hash: hash,
        principal_type: "user",
        principal_id: id,
        email: None,
        name: None,
        roles_json: "[\"viewer\"]",
        auth_method: "saml",
        expires_at: now + 3_600_000,
        idp_groups_json: None,
        saml_name_id: None,
        saml_session_index: None,
    };
    app.state
        .store
        .insert_session(&org, &s, now)
        .await
        .expect("session");
}

async fn session_alive(app: &TestApp, hash: &str) -> bool {
    let now = app.clock.now_ms();
    app.state
        .store
        .find_live_session(hash, now, now - 3_600_000)
        .await
        .expect("lookup")
        .is_some()
}

async fn deactivation_keeps_the_user_and_revokes_sessions(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("gina").await;
    session_of(&app, "acme", &id, "hash-gina").await;
    assert!(session_alive(&app, "hash-gina").await);
    let ops = patch_body(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    let u = scim.patch(&format!("/Users/{id}"), &ops).await.expect(200);
    assert_eq!(u["active"], false);
    assert!(
        !session_alive(&app, "hash-gina").await,
        "sessions are revoked at once"
    );
    assert_eq!(
        scim.get(&format!("/Users/{id}")).await.expect(200)["active"],
        false
    );
    let found = scim
        .filter("Users", r#"userName eq "gina" and active eq false"#)
        .await
        .expect(200);
    assert_eq!(found["totalResults"], 1);
    // Reactivation through PUT (Okta wizard apps).
    let mut body = user_body("gina");
    body["active"] = json!(true);
    assert_eq!(
        scim.put(&format!("/Users/{id}"), &body).await.expect(200)["active"],
        true
    );
}

async fn delete_removes_the_user_and_frees_the_user_name(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let id = scim.user("hank").await;
    let gid = scim.group("G").await;
    scim.patch(
        &format!("/Groups/{gid}"),
        &patch_body(json!([{"op": "add", "path": "members", "value": [{"value": id}]}])),
    )
    .await
    .expect(200);
    session_of(&app, "acme", &id, "hash-hank").await;
    assert_eq!(scim.delete(&format!("/Users/{id}")).await.status, 204);
    assert!(!session_alive(&app, "hash-hank").await);
    scim.get(&format!("/Users/{id}")).await.error(404, None);
    scim.delete(&format!("/Users/{id}")).await.error(404, None);
    assert_eq!(
        scim.filter("Users", r#"userName eq "hank""#)
            .await
            .expect(200)["totalResults"],
        0
    );
    assert_eq!(
        scim.get(&format!("/Groups/{gid}")).await.expect(200)["members"],
        json!([])
    );
    let again = scim.user("HANK").await;
    assert_ne!(again, id);
}

async fn the_seat_limit_refuses_users_past_the_license(app: TestApp) {
    let scim = Scim::new(&app, "acme").await;
    let res = app
        .admin(
            Method::POST,
            "/api/v1/admin/organizations/acme/license",
            Some(json!({"tier": "pro", "seats": 2, "expires_at": null})),
        )
        .await;
    assert_eq!(res.status(), 200);
    scim.user("one").await;
    let two = scim.user("two").await;
    let body = scim
        .post("/Users", &user_body("three"))
        .await
        .error(403, None);
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("seat limit"),
        "{body}"
    );
    assert_eq!(scim.delete(&format!("/Users/{two}")).await.status, 204);
    scim.user("three").await;
}
