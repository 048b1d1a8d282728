//! OIDC over real HTTP: configuration through the SSO API (discovery at save, write-only
//! secret), `/auth/oidc/{org}/login` and `/callback` against the fake provider, with every
//! refusal's typed reason read back from the audit feed.

use serde_json::json;

use super::fake_provider::{FakeProvider, Mint, CLIENT_ID, CLIENT_SECRET};
use super::http_support::{
    assert_refused, call, configured, last_reason, oidc_config, oidc_events, to_callback, ORG,
};
use crate::helpers::{json_of, new_client, spawn_replica, TestApp};
use crate::oidc_both_dbs;

async fn a_login_over_http_issues_a_session_with_mapped_roles(app: TestApp) {
    let idp = FakeProvider::start().await;
    configured(&app, &idp.issuer, CLIENT_ID, CLIENT_SECRET).await;
    let start = new_client()
        .get(app.url(&format!("/auth/oidc/{ORG}/login")))
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["state"].len() >= 43 && q["nonce"].len() >= 43 && q["state"] != q["nonce"]);
    assert_eq!(
        q["redirect_uri"],
        app.url(&format!("/auth/oidc/{ORG}/callback"))
    );
    let cookie = start.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "axid_oidc_flow=",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/auth/oidc/acme/",
        "Max-Age=600",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let (browser, url) = to_callback(&app, None).await;
    let res = call(&browser, &url).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dash");
    let session = json_of(
        browser
            .get(app.url("/api/v1/auth/session"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(session["auth_method"], "oidc");
    assert_eq!(session["roles"], json!(["admin"]));
    assert_eq!(session["principal"]["email"], "ann@acme.test");
    let event = &oidc_events(&app).await[0];
    assert_eq!(event["outcome"], "success");
    assert_eq!(event["principal"], "ann@acme.test");
    // The provider's groups changed: roles are recomputed at the next login.
    idp.set_claims(json!({"email": "ann@acme.test", "email_verified": true, "groups": ["sales"]}));
    let (browser, url) = to_callback(&app, None).await;
    assert_eq!(call(&browser, &url).await.status(), 303);
    let session = json_of(
        browser
            .get(app.url("/api/v1/auth/session"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(session["roles"], json!(["viewer"]));
}

async fn every_refusal_is_a_4xx_with_its_reason_in_the_audit_feed(app: TestApp) {
    let idp = FakeProvider::start().await;
    configured(&app, &idp.issuer, CLIENT_ID, CLIENT_SECRET).await;
    let cases = [
        (Mint::WrongAud, "audience_mismatch"),
        (Mint::WrongIss, "issuer_mismatch"),
        (Mint::Expired, "token_expired"),
        (Mint::WrongNonce, "nonce_mismatch"),
        (Mint::AlgNone, "alg_not_allowed"),
        (Mint::Hs256WithClientSecret, "alg_not_allowed"),
        (Mint::KeyNotInJwks, "kid_unknown"),
    ];
    for (mint, code) in cases {
        idp.set_mint(mint);
        let (browser, url) = to_callback(&app, None).await;
        assert_refused(call(&browser, &url).await, 401, code).await;
        assert_eq!(last_reason(&app).await, code, "{mint:?}");
    }
    idp.set_mint(Mint::Valid);
    idp.set_claims(json!({"email": "eve@evil.test", "email_verified": true}));
    let (browser, url) = to_callback(&app, None).await;
    assert_refused(call(&browser, &url).await, 403, "email_domain_not_allowed").await;
    assert_eq!(last_reason(&app).await, "email_domain_not_allowed");
    idp.set_claims(json!({"email": "ann@acme.test", "email_verified": true}));

    // Replayed state: the same callback twice.
    let (browser, first) = to_callback(&app, None).await;
    assert_eq!(call(&browser, &first).await.status(), 303);
    app.clock.advance_secs(1);
    assert_refused(call(&browser, &first).await, 400, "state_replayed").await;
    assert_eq!(last_reason(&app).await, "state_replayed");
    // Replayed code: the used code under a fresh flow of the same browser.
    let (browser2, fresh) = to_callback(&app, None).await;
    let code = |u: &str| {
        url::Url::parse(u)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned()
    };
    let replay = fresh.replace(&code(&fresh), &code(&first));
    assert_refused(call(&browser2, &replay).await, 400, "code_rejected").await;
    assert_eq!(last_reason(&app).await, "code_rejected");
    // Another browser presents a callback it did not start; the real one still completes.
    let (owner, url) = to_callback(&app, None).await;
    app.clock.advance_secs(1);
    assert_refused(call(&new_client(), &url).await, 400, "browser_mismatch").await;
    assert_eq!(last_reason(&app).await, "browser_mismatch");
    assert_eq!(call(&owner, &url).await.status(), 303);
}

async fn any_query_string_on_the_callback_is_a_4xx_with_an_audit_event(app: TestApp) {
    let idp = FakeProvider::start().await;
    configured(&app, &idp.issuer, CLIENT_ID, CLIENT_SECRET).await;
    let long = "A".repeat(10_000);
    let queries = [
        String::new(),
        "code=".into(),
        "state=".into(),
        "code=abc".into(),
        "state=unknown&code=abc".into(),
        "state=a&state=b".into(),
        "state=%ZZ%00&code=%FF".into(),
        "error=access_denied&error_description=%3Cscript%3E".into(),
        "error=%3Cscript%3E&state=x".into(),
        format!("state={long}&code={long}"),
        "state=\u{1F600}&code=\u{0}".into(),
        "&&&==&=&code&state".into(),
    ];
    let browser = new_client();
    for (i, q) in queries.iter().enumerate() {
        let res = browser
            .get(app.url(&format!("/auth/oidc/{ORG}/callback?{q}")))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{q:?} gave {status}");
        assert!(res.headers().get("set-cookie").is_none());
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Sign-in failed") && !page.contains("<script>"),
            "{page}"
        );
        assert_eq!(
            oidc_events(&app).await.len(),
            i + 1,
            "{q:?} left no audit event"
        );
    }
    // Random query strings from a seeded generator: every one a 4xx, none a 5xx.
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let alphabet: Vec<char> =
        "abcdefstatecodeerror=&%+;#?/\\\"'<>\u{0}\u{7f}\u{e9}\u{1F600}0123456789ABCDEF"
            .chars()
            .collect();
    for _ in 0..150 {
        let len = rng.gen_range(0..200);
        let q: String = (0..len)
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect();
        let url = format!("{}?{q}", app.url(&format!("/auth/oidc/{ORG}/callback")));
        let Ok(res) = browser.get(&url).send().await else {
            continue;
        };
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{q:?} gave {status}");
    }
}

async fn configuration_runs_discovery_and_keeps_the_secret_write_only(app: TestApp) {
    let idp = FakeProvider::start().await;
    app.org_admin_session(ORG).await;
    let refused = [
        (
            oidc_config(&format!("{}/", idp.issuer), CLIENT_ID, CLIENT_SECRET),
            "oidc_discovery_failed",
            "not exactly",
        ),
        (
            oidc_config("http://127.0.0.1:9/idp", CLIENT_ID, CLIENT_SECRET),
            "oidc_discovery_failed",
            "discovery",
        ),
        (
            oidc_config(&idp.issuer, CLIENT_ID, ""),
            "missing_client_secret",
            "client_secret",
        ),
        (
            oidc_config(&idp.issuer, "", CLIENT_SECRET),
            "missing_client_id",
            "client_id",
        ),
    ];
    for (body, code, says) in refused {
        let res = app.post_json("/api/v1/sso/config", &body).await;
        assert_eq!(res.status(), 422, "{body}");
        let err = json_of(res).await;
        assert_eq!(err["error"], code, "{err}");
        assert!(err["message"].as_str().unwrap().contains(says), "{err}");
    }
    let res = app
        .post_json(
            "/api/v1/sso/config",
            &oidc_config(&idp.issuer, CLIENT_ID, CLIENT_SECRET),
        )
        .await;
    assert_eq!(res.status(), 201);
    let test = json_of(app.post_json("/api/v1/sso/config/test", &json!({})).await).await;
    assert_eq!(test["ok"], true, "{test}");
    let names: Vec<&str> = test["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for name in ["oidc_client_secret", "oidc_discovery", "oidc_jwks"] {
        assert!(names.contains(&name), "{test}");
    }
    let avail = json_of(
        app.get(&format!("/api/v1/auth/sso/availability?org_id={ORG}"))
            .await,
    )
    .await;
    assert_eq!(avail["protocol"], "oidc");
    assert_eq!(
        avail["login_url"],
        app.url(&format!("/auth/oidc/{ORG}/login"))
    );
    let read = json_of(app.get("/api/v1/sso/config").await).await;
    assert_eq!(read["oidc"]["client_secret_set"], true);
    assert_eq!(read["oidc"]["issuer"], idp.issuer);
    assert!(!read.to_string().contains(CLIENT_SECRET), "{read}");
    let org = axid::domain::OrgId::parse(ORG).unwrap();
    let stored = app.state.store.get_sso_config(&org).await.unwrap().unwrap();
    assert!(
        !stored.config.contains(CLIENT_SECRET),
        "the secret is stored encrypted"
    );
    // A merge patch that leaves the secret out keeps it: logins still work.
    let patch = app
        .client
        .patch(app.url("/api/v1/sso/config"))
        .json(&json!({"oidc": {"client_id": CLIENT_ID}}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 200);
    let (browser, url) = to_callback(&app, None).await;
    assert_eq!(call(&browser, &url).await.status(), 303);
}

async fn a_flow_started_on_one_replica_completes_on_another_once(app: TestApp) {
    let idp = FakeProvider::start().await;
    configured(&app, &idp.issuer, CLIENT_ID, CLIENT_SECRET).await;
    let replica = spawn_replica(&app, super::OIDC_TEST_VARS).await;
    let (browser, url) = to_callback(&app, None).await;
    let on_replica = url.replace(&app.address, &replica.address);
    assert_eq!(call(&browser, &on_replica).await.status(), 303);
    app.clock.advance_secs(1);
    assert_refused(call(&browser, &url).await, 400, "state_replayed").await;
    assert_eq!(last_reason(&app).await, "state_replayed");
}

async fn disabled_configurations_and_suspended_orgs_refuse_logins(app: TestApp) {
    let idp = FakeProvider::start().await;
    configured(&app, &idp.issuer, CLIENT_ID, CLIENT_SECRET).await;
    let (browser, url) = to_callback(&app, None).await;
    let off = app
        .client
        .patch(app.url("/api/v1/sso/config"))
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);
    assert_refused(call(&browser, &url).await, 404, "not_configured").await;
    assert_eq!(last_reason(&app).await, "not_configured");
    let login = new_client()
        .get(app.url(&format!("/auth/oidc/{ORG}/login")))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 404);
    let unknown = new_client()
        .get(app.url("/auth/oidc/nobody/callback?state=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let suspend = app
        .admin(
            reqwest::Method::PATCH,
            &format!("/api/v1/admin/organizations/{ORG}"),
            Some(json!({"status": "suspended"})),
        )
        .await;
    assert_eq!(suspend.status(), 200);
    assert_refused(call(&browser, &url).await, 403, "org_suspended").await;
}

oidc_both_dbs!(
    disabled_configurations_and_suspended_orgs_refuse_logins,
    a_flow_started_on_one_replica_completes_on_another_once,
    a_login_over_http_issues_a_session_with_mapped_roles,
    every_refusal_is_a_4xx_with_its_reason_in_the_audit_feed,
    any_query_string_on_the_callback_is_a_4xx_with_an_audit_event,
    configuration_runs_discovery_and_keeps_the_secret_write_only,
);

/// A binding cookie the browser already holds (planted, say) is never adopted, and an
/// unknown organization is answered like one without OIDC.
async fn the_binding_is_always_fresh_and_unknown_orgs_look_unconfigured(app: TestApp) {
    let idp = FakeProvider::start().await;
    configured(&app, &idp.issuer, CLIENT_ID, CLIENT_SECRET).await;
    let planted = "A".repeat(43);
    let start = new_client()
        .get(app.url(&format!("/auth/oidc/{ORG}/login")))
        .header("Cookie", format!("axid_oidc_flow={planted}"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 302);
    let issued = start
        .cookies()
        .find(|c| c.name() == "axid_oidc_flow")
        .expect("a binding cookie")
        .value()
        .to_owned();
    assert_ne!(issued, planted);
    assert_eq!(issued.len(), 43);
    app.create_org("bare").await;
    for org in ["nosuch", "bare"] {
        let res = new_client()
            .get(app.url(&format!("/auth/oidc/{org}/login")))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{org}");
        assert_eq!(json_of(res).await["error"], "not_configured", "{org}");
    }
}

async fn user_of(app: &TestApp, browser: reqwest::Client) -> serde_json::Value {
    let session = browser
        .get(app.url("/api/v1/auth/session"))
        .send()
        .await
        .unwrap();
    json_of(session).await["principal"]["id"].clone()
}

/// Once linked, an OIDC identity is found by issuer and sub: a new email keeps the user,
/// and another sub with the same email is not the same person.
async fn an_oidc_identity_is_linked_by_issuer_and_sub(app: TestApp) {
    let idp = FakeProvider::start().await;
    configured(&app, &idp.issuer, CLIENT_ID, CLIENT_SECRET).await;
    idp.set_claims(json!({"email": "ann@acme.test", "email_verified": true}));
    let (browser, url) = to_callback(&app, None).await;
    assert_eq!(call(&browser, &url).await.status(), 303);
    let ann = user_of(&app, browser).await;
    idp.set_claims(json!({"email": "ann.renamed@acme.test", "email_verified": true}));
    let (browser, url) = to_callback(&app, None).await;
    assert_eq!(call(&browser, &url).await.status(), 303);
    assert_eq!(
        user_of(&app, browser).await,
        ann,
        "the same sub is the same user"
    );
    idp.set_claims(json!({"sub": "user-2", "email": "ann@acme.test", "email_verified": true}));
    let (browser, url) = to_callback(&app, None).await;
    assert_refused(call(&browser, &url).await, 403, "identity_conflict").await;
    assert_eq!(last_reason(&app).await, "identity_conflict");
}

oidc_both_dbs!(
    the_binding_is_always_fresh_and_unknown_orgs_look_unconfigured,
    an_oidc_identity_is_linked_by_issuer_and_sub
);
