//! `POST /oauth2/introspect` (RFC 7662, CONTRACT.md §12), across organizations too.

use serde_json::json;

use super::{access_token, basic, introspect, service_client, HIGH_LIMIT};
use crate::both_dbs_with;
use crate::helpers::{json_of, new_client, TestApp};

both_dbs_with!(HIGH_LIMIT;
    introspection_is_active_only_for_live_tokens_of_the_callers_organization,
    introspection_needs_an_authenticated_client_and_a_token,
);

async fn introspection_is_active_only_for_live_tokens_of_the_callers_organization(app: TestApp) {
    app.org_admin_session("acme").await;
    let minter = service_client(&app, &["reader"]).await;
    let resource_server = service_client(&app, &[]).await;
    let token = access_token(&app, &minter).await;
    let active = introspect(&app, &resource_server, &token).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["client_id"], minter.client_id);
    assert_eq!(active["org_id"], "acme");
    assert_eq!(active["scope"], "reader");
    assert_eq!(active["token_type"], "Bearer");
    assert!(active["exp"].is_i64() && active["iat"].is_i64());
    // Another organization's client learns nothing about acme's valid token.
    let globex = super::org_session(&app, "globex").await;
    let foreign =
        super::create_client_as(&app, &globex, json!({"name": "rs", "type": "service"})).await;
    assert_eq!(
        introspect(&app, &foreign, &token).await,
        json!({"active": false})
    );
    assert_eq!(
        introspect(&app, &resource_server, "not-a-token").await,
        json!({"active": false})
    );
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(
        introspect(&app, &resource_server, &tampered).await,
        json!({"active": false})
    );
    // Disabled, then deleted, then expired.
    let patch = |disabled: bool| {
        app.client
            .patch(app.url(&format!("/api/v1/clients/{}", minter.id)))
            .json(&json!({"disabled": disabled}))
            .send()
    };
    assert_eq!(patch(true).await.unwrap().status(), 200);
    assert_eq!(
        introspect(&app, &resource_server, &token).await["active"],
        false,
        "disabled client"
    );
    assert_eq!(patch(false).await.unwrap().status(), 200);
    assert_eq!(
        introspect(&app, &resource_server, &token).await["active"],
        true
    );
    app.clock.advance_secs(601);
    assert_eq!(
        introspect(&app, &resource_server, &token).await["active"],
        false,
        "expired"
    );
    let fresh = access_token(&app, &minter).await;
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/clients/{}", minter.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        introspect(&app, &resource_server, &fresh).await["active"],
        false,
        "deleted client"
    );
}

async fn introspection_needs_an_authenticated_client_and_a_token(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let token = access_token(&app, &c).await;
    let http = new_client();
    let url = app.url("/oauth2/introspect");
    let anonymous = http
        .post(&url)
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(json_of(anonymous).await["error"], "invalid_client");
    let wrong = http
        .post(&url)
        .header("authorization", basic(&c.client_id, "axcs_wrong"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let missing = http
        .post(&url)
        .header("authorization", basic(&c.client_id, &c.secret))
        .form(&[("token_type_hint", "access_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(json_of(missing).await["error"], "invalid_request");
}
