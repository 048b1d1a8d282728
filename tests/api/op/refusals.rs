//! Every refusal of issue 12 gets the error of RFC 6749 / RFC 7636 / OIDC Core, an audit entry
//! and never a 500: a redirect URI that is not registered character for character never
//! redirects; later errors go back to the client with `state`; a code works once, for its
//! client, with its verifier, within 60 s.

use reqwest::Method;
use serde_json::json;

use super::*;
use crate::helpers::{json_of, new_client, TestApp};
use crate::tokens::{basic, create_client, org_session, HIGH_LIMIT};
use crate::{both_dbs, both_dbs_with};

both_dbs!(
    redirect_uris_that_are_not_registered_exactly_never_redirect,
    errors_after_the_redirect_uri_is_trusted_go_back_with_the_state,
    a_session_of_another_organization_does_not_count,
);
both_dbs_with!(HIGH_LIMIT; codes_work_once_for_their_client_with_their_verifier_within_60_s);

/// A page (HTML by default), no Location header, the reason named.
async fn assert_page(app: &TestApp, http: &reqwest::Client, path: &str, status: u16, code: &str) {
    let res = get(app, http, path).await;
    assert_eq!(res.status(), status, "{path}");
    assert!(res.headers().get("location").is_none(), "{path} redirected");
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let text = res.text().await.unwrap();
    assert!(text.contains(code), "{path}: {text}");
}

async fn redirect_uris_that_are_not_registered_exactly_never_redirect(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = web_client(&app, "exact").await;
    for wrong in [
        "https://app.acme.test/callback/",
        "https://app.acme.test:8443/callback",
        "http://app.acme.test/callback",
        "https://app.acme.test/callback?x=1",
        "https://APP.acme.test/callback",
        "http://127.0.0.1:10/cb",
        "https://evil.test/callback",
    ] {
        let path = authorize_query(&c, &[("redirect_uri", wrong)]);
        assert_page(&app, &app.client, &path, 400, "redirect_uri_mismatch").await;
    }
    let missing = authorize_query(&c, &[("redirect_uri", "")]);
    assert_page(&app, &app.client, &missing, 400, "missing_redirect_uri").await;
    let mut unknown = c.clone();
    unknown.client_id = "axc_doesnotexist".into();
    assert_page(
        &app,
        &app.client,
        &authorize_query(&unknown, &[]),
        401,
        "unknown_client",
    )
    .await;
    // JSON for a caller that prefers it; still no redirect.
    let res = app
        .client
        .get(app.url(&authorize_query(
            &c,
            &[("redirect_uri", "https://evil.test/")],
        )))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json_of(res).await["error"], "redirect_uri_mismatch");
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/clients/{}", c.id)))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_page(
        &app,
        &app.client,
        &authorize_query(&c, &[]),
        401,
        "client_disabled",
    )
    .await;
    let reasons: Vec<String> = op_audit(&app).await.into_iter().map(|e| e.1).collect();
    assert!(reasons.contains(&"redirect_uri_mismatch".to_owned()));
    assert!(reasons.contains(&"client_disabled".to_owned()));
}

async fn errors_after_the_redirect_uri_is_trusted_go_back_with_the_state(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = web_client(&app, "errors").await;
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("response_type", "token")], "unsupported_response_type"),
        (&[("response_type", "")], "invalid_request"),
        (&[("code_challenge_method", "plain")], "invalid_request"),
        (&[("code_challenge_method", "")], "invalid_request"),
        (&[("code_challenge", "")], "invalid_request"),
        (&[("scope", "email")], "invalid_scope"),
        (&[("request", "eyJ.x.y")], "request_not_supported"),
    ];
    for (extra, error) in cases {
        let res = get(&app, &app.client, &authorize_query(&c, extra)).await;
        assert_eq!(res.status(), 302, "{extra:?}");
        let to = location(&res);
        assert!(to.starts_with(&format!("{REDIRECT}?")), "{to}");
        assert_eq!(param(&to, "error").as_deref(), Some(error), "{extra:?}");
        assert_eq!(param(&to, "state").as_deref(), Some("st-123"));
        assert!(param(&to, "code").is_none());
    }
    // A service client has no business here.
    let svc = create_client(
        &app,
        json!({"name": "svc", "type": "service", "redirect_uris": [REDIRECT]}),
    )
    .await;
    let to = location(&get(&app, &app.client, &authorize_query(&svc, &[])).await);
    assert_eq!(param(&to, "error").as_deref(), Some("unauthorized_client"));
    // prompt=none without a session; no SSO to sign in through otherwise.
    let anonymous = new_client();
    let to = location(
        &get(
            &app,
            &anonymous,
            &authorize_query(&c, &[("prompt", "none")]),
        )
        .await,
    );
    assert_eq!(param(&to, "error").as_deref(), Some("login_required"));
    assert_eq!(param(&to, "state").as_deref(), Some("st-123"));
    let to = location(&get(&app, &anonymous, &authorize_query(&c, &[])).await);
    assert_eq!(param(&to, "error").as_deref(), Some("access_denied"));
    let reasons: Vec<String> = op_audit(&app).await.into_iter().map(|e| e.1).collect();
    for reason in [
        "unsupported_response_type",
        "code_challenge_method_not_s256",
        "missing_code_challenge",
        "login_required",
    ] {
        assert!(
            reasons.contains(&reason.to_owned()),
            "{reason}: {reasons:?}"
        );
    }
}

async fn a_session_of_another_organization_does_not_count(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = web_client(&app, "org-a").await;
    let other_org = org_session(&app, "globex").await;
    let to = location(
        &get(
            &app,
            &other_org,
            &authorize_query(&c, &[("prompt", "none")]),
        )
        .await,
    );
    assert_eq!(param(&to, "error").as_deref(), Some("login_required"));
    // A code of org A's client is not redeemable by a client of org B.
    let code = code_for(&app, &app.client, &c).await;
    let res = other_org
        .post(app.url("/api/v1/clients"))
        .json(&json!({"name": "b", "type": "web", "redirect_uris": [REDIRECT]}))
        .send()
        .await
        .unwrap();
    let b = json_of(res).await;
    let b_client = crate::tokens::Client {
        id: b["id"].as_str().unwrap().into(),
        client_id: b["client_id"].as_str().unwrap().into(),
        secret: b["client_secret"].as_str().unwrap().into(),
        body: b.clone(),
    };
    let described = grant_error(redeem(&app, &b_client, &code, &[]).await).await;
    assert!(described.contains("another client"), "{described}");
    // The org is suspended: its client's requests get a page.
    let res = app
        .admin(
            Method::PATCH,
            "/api/v1/admin/organizations/acme",
            Some(json!({"status": "suspended"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = get(&app, &new_client(), &authorize_query(&c, &[])).await;
    assert_eq!(res.status(), 401);
    assert!(res.headers().get("location").is_none());
}

async fn codes_work_once_for_their_client_with_their_verifier_within_60_s(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = web_client(&app, "one").await;
    let c2 = web_client(&app, "two").await;
    let code = code_for(&app, &app.client, &c).await;
    let other = grant_error(redeem(&app, &c2, &code, &[]).await).await;
    assert!(other.contains("another client"), "{other}");
    let missing = grant_error(redeem(&app, &c, &code, &[("code_verifier", "")]).await).await;
    assert!(missing.contains("required"), "{missing}");
    let wrong_verifier = "x".repeat(43);
    let wrong =
        grant_error(redeem(&app, &c, &code, &[("code_verifier", &wrong_verifier)]).await).await;
    assert!(wrong.contains("does not match"), "{wrong}");
    let uri = grant_error(
        redeem(
            &app,
            &c,
            &code,
            &[("redirect_uri", "http://127.0.0.1:9/cb")],
        )
        .await,
    )
    .await;
    assert!(uri.contains("redirect_uri"), "{uri}");
    // None of those spent the code; its own client with its verifier redeems it.
    assert_eq!(redeem(&app, &c, &code, &[]).await.status(), 200);
    let unknown = grant_error(redeem(&app, &c, "not-a-code", &[]).await).await;
    assert!(unknown.contains("not valid"), "{unknown}");
    // 60 s later a fresh code has expired.
    let late = code_for(&app, &app.client, &c).await;
    app.clock.advance_secs(61);
    let expired = grant_error(redeem(&app, &c, &late, &[]).await).await;
    assert!(expired.contains("expired"), "{expired}");
    // A wrong secret is invalid_client, not a grant error; a service client may not redeem.
    let res = new_client()
        .post(app.url("/oauth2/token"))
        .header("authorization", basic(&c.client_id, "axcs_wrong"))
        .form(&[("grant_type", "authorization_code"), ("code", &late)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let svc = create_client(&app, json!({"name": "svc", "type": "service"})).await;
    let res = redeem(&app, &svc, &late, &[]).await;
    assert_eq!(res.status(), 400);
    assert_eq!(json_of(res).await["error"], "unauthorized_client");
    let reasons: Vec<String> = op_audit(&app).await.into_iter().map(|e| e.1).collect();
    for reason in [
        "code_of_other_client",
        "missing_code_verifier",
        "wrong_code_verifier",
        "redirect_uri_mismatch",
        "code_expired",
        "unknown_code",
    ] {
        assert!(
            reasons.contains(&reason.to_owned()),
            "{reason}: {reasons:?}"
        );
    }
}
