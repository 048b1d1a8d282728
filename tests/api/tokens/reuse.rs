//! Client credentials tokens are handed out again while more than a fifth of their lifetime
//! remains (issuer/access_token.rs `issue_reusable`), never past a change of what they say.

use serde_json::{json, Value};

use super::{jwt_parts, service_client, token_response, Client};
use crate::helpers::{json_of, TestApp};
use crate::{both_dbs, both_dbs_with};

both_dbs!(a_repeated_request_gets_the_same_token_until_a_fifth_of_its_lifetime_remains);
both_dbs_with!(NO_REUSE; without_reuse_every_request_signs_a_new_token);

const NO_REUSE: [(&str, &str); 1] = [("ACCESS_TOKEN_REUSE", "false")];

async fn without_reuse_every_request_signs_a_new_token(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &["reader"]).await;
    let (first, ttl) = token(&app, &c, &c.secret, &[]).await;
    let (second, ttl2) = token(&app, &c, &c.secret, &[]).await;
    assert_ne!(claims(&first)["jti"], claims(&second)["jti"]);
    assert_eq!((ttl, ttl2), (600, 600));
}

async fn token(app: &TestApp, c: &Client, secret: &str, form: &[(&str, &str)]) -> (String, i64) {
    let res = token_response(app, &c.client_id, secret, form).await;
    assert_eq!(res.status(), 200);
    let body = json_of(res).await;
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["expires_in"].as_i64().unwrap(),
    )
}

fn claims(token: &str) -> Value {
    jwt_parts(token).1
}

async fn a_repeated_request_gets_the_same_token_until_a_fifth_of_its_lifetime_remains(
    app: TestApp,
) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &["reader", "writer"]).await;
    let (first, ttl) = token(&app, &c, &c.secret, &[]).await;
    assert_eq!(ttl, 600);
    app.clock.advance_secs(100);
    let (again, left) = token(&app, &c, &c.secret, &[]).await;
    assert_eq!(again, first, "the same request gets the same token");
    assert!(
        (499..=500).contains(&left),
        "expires_in is what is left: {left}"
    );

    let (narrow, _) = token(&app, &c, &c.secret, &[("scope", "reader")]).await;
    assert_ne!(narrow, first, "another scope is another token");
    assert_eq!(claims(&narrow)["roles"], json!(["reader"]));
    assert_eq!(
        token(&app, &c, &c.secret, &[("scope", "reader")]).await.0,
        narrow
    );

    // 481 s after issue less than a fifth (120 s) of 600 s remains: sign anew.
    app.clock.advance_secs(381);
    let (fresh, ttl) = token(&app, &c, &c.secret, &[]).await;
    assert_ne!(fresh, first);
    assert_ne!(claims(&fresh)["jti"], claims(&first)["jti"]);
    assert_eq!(ttl, 600);

    // A changed client says something else: new roles sign a new token.
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/clients/{}", c.id)))
        .json(&json!({"roles": ["reader"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (narrowed, _) = token(&app, &c, &c.secret, &[]).await;
    assert_ne!(narrowed, fresh);
    assert_eq!(claims(&narrowed)["roles"], json!(["reader"]));

    // A new secret gets its own token; the revoked one gets no token at all, cached or not.
    let res = app
        .post_json(&format!("/api/v1/clients/{}/secrets", c.id), &json!({}))
        .await;
    assert_eq!(res.status(), 201);
    let secret = json_of(res).await;
    let new_secret = secret["client_secret"].as_str().unwrap();
    let (with_new, _) = token(&app, &c, new_secret, &[]).await;
    assert_ne!(with_new, narrowed);
    assert_eq!(claims(&with_new)["secret_id"], secret["id"]);
    let old_secret_id = claims(&narrowed)["secret_id"].as_str().unwrap().to_owned();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/clients/{}/secrets/{old_secret_id}", c.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let refused = token_response(&app, &c.client_id, &c.secret, &[]).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(json_of(refused).await["error"], "invalid_client");
}
