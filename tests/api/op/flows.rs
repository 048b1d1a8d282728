//! Successful flows: a portal session answers at once; a browser without one signs in
//! through the organization's SAML IdP and lands back with a code; the code gets an ID token
//! with every §13 claim, an access token with the user as `sub`, and userinfo.

use axid::clock::Clock;
use serde_json::json;

use super::*;
use crate::helpers::{json_of, new_client, spawn_replica, TestApp};
use crate::saml::{acs_url, configured, idp, spec_for, Flow};
use crate::tokens::{introspect, jwt_parts};
use crate::{both_dbs, saml_both_dbs};

both_dbs!(
    a_portal_session_gets_a_code_and_the_code_gets_an_id_token_and_userinfo,
    a_code_issued_by_one_replica_is_redeemed_on_another,
);
saml_both_dbs!(a_browser_without_a_session_signs_in_through_saml_and_comes_back_with_a_code);

async fn a_portal_session_gets_a_code_and_the_code_gets_an_id_token_and_userinfo(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = web_client(&app, "portal").await;
    let code = code_for(&app, &app.client, &c).await;
    let res = redeem(&app, &c, &code, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = json_of(res).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    let (header, id) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(id["iss"], app.address);
    assert_eq!(id["sub"], "org_admin:acme");
    assert_eq!(id["aud"], c.client_id);
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["amr"], json!(["pwd"]));
    assert_eq!(id["org_id"], "acme");
    assert_eq!(id["roles"], json!(["admin"]));
    assert!(id["auth_time"].as_i64().unwrap() <= id["iat"].as_i64().unwrap());
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        600
    );
    let access = body["access_token"].as_str().unwrap();
    let (at_header, at) = jwt_parts(access);
    assert_eq!(at_header["typ"], "at+jwt");
    assert_eq!(at["sub"], "org_admin:acme");
    assert_eq!(at["client_id"], c.client_id);
    assert_eq!(at["roles"], json!(["admin"]));
    let info = userinfo(&app, access).await;
    assert_eq!(info.status(), 200);
    let info = json_of(info).await;
    assert_eq!(info["sub"], "org_admin:acme");
    assert_eq!(info["org_id"], "acme");
    assert_eq!(info["roles"], json!(["admin"]));
    // The ID token is not an access token anywhere.
    let refused = userinfo(&app, body["id_token"].as_str().unwrap()).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    assert_eq!(introspect(&app, &c, access).await["active"], true);
    // A second redemption fails and ends what the first one got.
    let again = grant_error(redeem(&app, &c, &code, &[]).await).await;
    assert!(again.contains("already used"), "{again}");
    assert_eq!(introspect(&app, &c, access).await, json!({"active": false}));
    assert_eq!(userinfo(&app, access).await.status(), 401);
    let audit = op_audit(&app).await;
    // One FixedClock millisecond: find the entries, do not rely on their order.
    assert!(audit
        .iter()
        .any(|e| e.0 == "login.failed" && e.1 == "code_reused"));
    let created = audit.iter().find(|e| e.0 == "session.created").unwrap();
    assert_eq!(created.2["client_id"], c.client_id);
    // Discovery names every endpoint and method of the flow.
    let meta = json_of(app.get("/.well-known/openid-configuration").await).await;
    assert_eq!(meta["authorization_endpoint"], app.url("/oauth2/authorize"));
    assert_eq!(meta["userinfo_endpoint"], app.url("/oauth2/userinfo"));
    assert_eq!(meta["response_types_supported"], json!(["code"]));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert!(meta["grant_types_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("authorization_code")));
}

async fn a_code_issued_by_one_replica_is_redeemed_on_another(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = web_client(&app, "replicas").await;
    // The ring exists before the second replica starts (a replica reloads the ring for an
    // unknown kid at most once a second, too slow for a test that just started).
    assert_eq!(app.get("/oauth2/jwks").await.status(), 200);
    // One public URL, as behind a load balancer: the issuer is the same on both.
    let other = spawn_replica(&app, &[("PUBLIC_URL", &app.address)]).await;
    let code = code_for(&app, &app.client, &c).await;
    let res = redeem(&other, &c, &code, &[]).await;
    assert_eq!(res.status(), 200);
    let access = json_of(res).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(userinfo(&app, &access).await.status(), 200);
    // The replay on the first replica revokes on both.
    grant_error(redeem(&app, &c, &code, &[]).await).await;
    assert_eq!(userinfo(&other, &access).await.status(), 401);
}

/// Follows the browser from authorize to the IdP: the flow the SP started.
async fn to_idp(app: &TestApp, browser: &reqwest::Client, path: &str) -> (Flow, String) {
    let res = get(app, browser, path).await;
    assert_eq!(res.status(), 302);
    let login = location(&res);
    assert!(
        login.starts_with("/auth/saml/acme/login?return_to="),
        "{login}"
    );
    let res = get(app, browser, &login).await;
    assert_eq!(res.status(), 302);
    let binding = res
        .cookies()
        .find(|c| c.name() == "axid_saml_flow")
        .map(|c| c.value().to_owned())
        .expect("binding cookie");
    let to_idp = location(&res);
    let request = param(&to_idp, "SAMLRequest").unwrap();
    let deflated = base64::engine::general_purpose::STANDARD
        .decode(request)
        .unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::DeflateDecoder::new(&deflated[..]),
        &mut xml,
    )
    .unwrap();
    let start = xml.find(" ID=\"").unwrap() + 5;
    let flow = Flow {
        request_id: xml[start..start + xml[start..].find('"').unwrap()].to_owned(),
        relay_state: param(&to_idp, "RelayState").unwrap(),
        binding,
    };
    (flow, xml)
}

async fn a_browser_without_a_session_signs_in_through_saml_and_comes_back_with_a_code(
    app: TestApp,
) {
    configured(&app, "acme", json!({})).await;
    let c = web_client(&app, "saml-app").await;
    let browser = new_client();
    let hinted = authorize_query(&c, &[("login_hint", "alice@acme.com")]);
    let (flow, xml) = to_idp(&app, &browser, &hinted).await;
    assert!(
        xml.contains("<saml:Subject><saml:NameID>alice@acme.com</saml:NameID>"),
        "{xml}"
    );
    assert!(!xml.contains("ForceAuthn"));
    let mut spec = spec_for(&app, "acme", Some(&flow), "alice@acme.com");
    spec.attributes = vec![("displayName".into(), vec!["Alice Liddell".into()])];
    let res = browser
        .post(acs_url(&app, "acme"))
        .form(&[
            ("SAMLResponse", idp().response_b64(&spec).unwrap()),
            ("RelayState", flow.relay_state.clone()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(back.starts_with("/oauth2/authorize?"), "{back}");
    let code = code_for_path(&app, &browser, &back).await;
    let body = json_of(redeem(&app, &c, &code, &[]).await).await;
    let (_, id) = jwt_parts(body["id_token"].as_str().unwrap());
    let user_id = id["sub"].as_str().unwrap().to_owned();
    assert!(!user_id.is_empty() && !user_id.starts_with("org_admin"));
    assert_eq!(id["amr"], json!(["saml"]));
    assert_eq!(id["email"], "alice@acme.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["roles"], json!(["viewer"]));
    assert_eq!(id["nonce"], "n-456");
    let now = app.clock.now_ms() / 1000;
    assert!((now - id["auth_time"].as_i64().unwrap()).abs() <= 1);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let info = json_of(userinfo(&app, &access).await).await;
    assert_eq!(info["sub"], user_id);
    assert_eq!(info["email"], "alice@acme.com");
    assert_eq!(info["roles"], json!(["viewer"]));
    // prompt=login ignores the live session and signs in again (ForceAuthn), and the
    // request it resumes after does not ask again; prompt=none uses the session.
    let res = get(&app, &browser, &authorize_query(&c, &[("prompt", "login")])).await;
    let login = location(&res);
    let return_to = param(&format!("http://x{login}"), "return_to").unwrap();
    assert!(!return_to.contains("prompt"), "{return_to}");
    let (_, xml) = to_idp(&app, &browser, &authorize_query(&c, &[("prompt", "login")])).await;
    assert!(xml.contains("ForceAuthn=\"true\""), "{xml}");
    let pending = code_for_path(&app, &browser, &authorize_query(&c, &[("prompt", "none")])).await;
    // A SCIM deactivation ends the user's tokens at once, and the code not yet redeemed.
    let scim = app.scim_token("idp").await;
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let res = new_client()
        .patch(app.url(&format!("/scim/v2/Users/{user_id}")))
        .bearer_auth(&scim)
        .header("content-type", "application/scim+json")
        .body(patch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(userinfo(&app, &access).await.status(), 401);
    assert_eq!(
        introspect(&app, &c, &access).await,
        json!({"active": false})
    );
    let refused = grant_error(redeem(&app, &c, &pending, &[]).await).await;
    assert!(refused.contains("no longer active"), "{refused}");
}

/// A code from an authorize path that must answer at once.
async fn code_for_path(app: &TestApp, http: &reqwest::Client, path: &str) -> String {
    let res = get(app, http, path).await;
    assert_eq!(res.status(), 302);
    let to = location(&res);
    assert!(to.starts_with(&format!("{REDIRECT}?")), "{to}");
    assert_eq!(param(&to, "state").as_deref(), Some("st-123"));
    param(&to, "code").expect("code")
}
