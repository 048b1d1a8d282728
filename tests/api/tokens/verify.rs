//! `/auth/verify` (CONTRACT.md §14) with the DEPLOYMENT_MODE rules of §12.

use reqwest::header::HeaderMap;
use serde_json::json;

use super::{access_token, basic, create_client, org_session, service_client, HIGH_LIMIT};
use crate::both_dbs_with;
use crate::helpers::{new_client, TestApp};

const DATA_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const ENTERPRISE: [(&str, &str); 4] = [
    ("DEPLOYMENT_MODE", "enterprise"),
    ("SSO_DATA_KEY", DATA_KEY),
    ("TRUSTED_PROXIES", "127.0.0.1"),
    ("LOGIN_RATE_LIMIT_PER_MINUTE", "10000"),
];
const COMMUNITY_WITH_DEFAULT: [(&str, &str); 2] = [
    ("COMMUNITY_DEFAULT_ORG", "acme"),
    ("LOGIN_RATE_LIMIT_PER_MINUTE", "10000"),
];

both_dbs_with!(ENTERPRISE;
    enterprise_mode_verifies_each_credential_and_refuses_the_rest,
    policy_answers_403_for_other_organizations_and_missing_roles,
    revocations_are_refused_on_the_next_request,
    the_downstream_jwt_is_cached_until_a_fifth_of_its_life_remains,
    browsers_get_a_login_hint_with_the_original_url_from_trusted_proxies,
);
both_dbs_with!(COMMUNITY_WITH_DEFAULT; community_mode_names_clients_without_secrets_and_has_a_default_org);
both_dbs_with!(HIGH_LIMIT; community_mode_without_a_default_org_answers_401);

struct Answer {
    status: u16,
    headers: HeaderMap,
}

impl Answer {
    fn h(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

async fn verify(app: &TestApp, http: &reqwest::Client, query: &str, auth: Option<&str>) -> Answer {
    let mut req = http.get(app.url(&format!("/auth/verify{query}")));
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    let res = req.send().await.expect("send");
    Answer {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
    }
}

async fn enterprise_mode_verifies_each_credential_and_refuses_the_rest(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &["reader"]).await;
    let anon = new_client();
    let none = verify(&app, &anon, "", None).await;
    assert_eq!(none.status, 401);
    let challenges: Vec<_> = none.headers.get_all("www-authenticate").iter().collect();
    assert!(challenges
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("Bearer")));
    assert!(
        none.h("x-axid-login-url").is_empty(),
        "no login hint for a non-browser"
    );
    // The session cookie.
    let session = verify(&app, &app.client, "", None).await;
    assert_eq!(session.status, 200);
    assert_eq!(session.h("x-axid-org"), "acme");
    assert_eq!(session.h("x-axid-principal-type"), "user");
    // The break-glass password principal is the organization's own (CONTRACT.md §5).
    assert_eq!(session.h("x-axid-subject"), "acme");
    assert_eq!(session.h("x-axid-roles"), "admin");
    assert_eq!(session.h("x-axid-authenticated"), "true");
    assert_eq!(session.h("x-org-id"), "acme");
    assert_eq!(session.h("x-tenant-id"), "acme");
    assert_eq!(session.h("x-user-id"), "acme");
    let (header, claims) = super::jwt_parts(session.h("x-axid-jwt"));
    assert_eq!(header["typ"], "JWT");
    assert_eq!(claims["org_id"], "acme");
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 300);
    // Basic client credentials.
    let basic_ok = verify(&app, &anon, "", Some(&basic(&c.client_id, &c.secret))).await;
    assert_eq!(basic_ok.status, 200);
    assert_eq!(basic_ok.h("x-axid-principal-type"), "client");
    assert_eq!(basic_ok.h("x-client-id"), c.client_id);
    assert_eq!(basic_ok.h("x-axid-authenticated"), "true");
    assert_eq!(basic_ok.h("x-axid-roles"), "reader");
    for bad in [
        basic(&c.client_id, ""),
        basic(&c.client_id, "axcs_wrong"),
        basic("axc_unknown", "x"),
        "Basic !!".into(),
    ] {
        assert_eq!(
            verify(&app, &anon, "", Some(&bad)).await.status,
            401,
            "{bad}"
        );
    }
    // A Bearer access token; its audience is the policy's `aud`.
    let token = access_token(&app, &c).await;
    let bearer = verify(&app, &anon, "", Some(&format!("Bearer {token}"))).await;
    assert_eq!(bearer.status, 200);
    assert_eq!(bearer.h("x-axid-subject"), c.client_id);
    let aud_ok = verify(
        &app,
        &anon,
        &format!("?aud={}", app.address),
        Some(&format!("Bearer {token}")),
    )
    .await;
    assert_eq!(aud_ok.status, 200);
    assert_eq!(
        super::jwt_parts(aud_ok.h("x-axid-jwt")).1["aud"],
        app.address
    );
    let wrong_aud = verify(
        &app,
        &anon,
        "?aud=https://other.test",
        Some(&format!("Bearer {token}")),
    )
    .await;
    assert_eq!(wrong_aud.status, 401);
    assert!(wrong_aud.h("www-authenticate").contains("invalid_token"));
    let garbage = verify(&app, &anon, "", Some("Bearer not.a.token")).await;
    assert_eq!(garbage.status, 401);
    // The downstream JWT is no access token.
    let jwt = session.h("x-axid-jwt").to_owned();
    assert_eq!(
        verify(&app, &anon, "", Some(&format!("Bearer {jwt}")))
            .await
            .status,
        401
    );
    // Any method.
    let head = anon
        .head(app.url("/auth/verify"))
        .header("authorization", basic(&c.client_id, &c.secret))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(
        "axid_verify_outcomes_total{credential=\"session\",outcome=\"allowed\",reason=\"ok\"}"
    ));
    assert!(metrics.contains("outcome=\"unauthenticated\",reason=\"wrong_secret\""));
}

async fn policy_answers_403_for_other_organizations_and_missing_roles(app: TestApp) {
    app.org_admin_session("acme").await;
    let reader = service_client(&app, &["viewer"]).await;
    let globex = org_session(&app, "globex").await;
    let anon = new_client();
    let a_creds = basic(&reader.client_id, &reader.secret);
    assert_eq!(
        verify(&app, &anon, "?org=acme", Some(&a_creds))
            .await
            .status,
        200
    );
    assert_eq!(
        verify(&app, &anon, "?org=globex", Some(&a_creds))
            .await
            .status,
        403,
        "org=B with A's credentials"
    );
    assert_eq!(
        verify(&app, &globex, "?org=acme", None).await.status,
        403,
        "B's session on A's service"
    );
    assert_eq!(verify(&app, &globex, "?org=globex", None).await.status, 200);
    assert_eq!(
        verify(&app, &anon, "?roles=admin", Some(&a_creds))
            .await
            .status,
        403,
        "a viewer on an admin service"
    );
    assert_eq!(
        verify(&app, &anon, "?roles=admin,viewer", Some(&a_creds))
            .await
            .status,
        200,
        "any of"
    );
    assert_eq!(
        verify(&app, &app.client, "?roles=admin&org=acme", None)
            .await
            .status,
        200
    );
    let token = access_token(&app, &reader).await;
    assert_eq!(
        verify(&app, &anon, "?org=globex", Some(&format!("Bearer {token}")))
            .await
            .status,
        403
    );
    let res = anon
        .get(app.url("/auth/verify?org=globex"))
        .header("authorization", &a_creds)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"],
        "forbidden"
    );
    assert_eq!(
        verify(&app, &anon, "?org=NOT%20AN%20ORG", Some(&a_creds))
            .await
            .status,
        400
    );
}

async fn revocations_are_refused_on_the_next_request(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let anon = new_client();
    let creds = basic(&c.client_id, &c.secret);
    let token = access_token(&app, &c).await;
    let bearer = format!("Bearer {token}");
    assert_eq!(verify(&app, &anon, "", Some(&creds)).await.status, 200);
    assert_eq!(verify(&app, &anon, "", Some(&bearer)).await.status, 200);
    let patch = |disabled: bool| {
        app.client
            .patch(app.url(&format!("/api/v1/clients/{}", c.id)))
            .json(&json!({"disabled": disabled}))
            .send()
    };
    assert_eq!(patch(true).await.unwrap().status(), 200);
    assert_eq!(
        verify(&app, &anon, "", Some(&creds)).await.status,
        401,
        "disabled client, Basic"
    );
    assert_eq!(
        verify(&app, &anon, "", Some(&bearer)).await.status,
        401,
        "disabled client, Bearer"
    );
    assert_eq!(patch(false).await.unwrap().status(), 200);
    assert_eq!(verify(&app, &anon, "", Some(&creds)).await.status, 200);
    let secret_id = c.body["secrets"][0]["id"].as_str().unwrap();
    let revoke = app
        .client
        .delete(app.url(&format!("/api/v1/clients/{}/secrets/{secret_id}", c.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    assert_eq!(
        verify(&app, &anon, "", Some(&creds)).await.status,
        401,
        "revoked secret, Basic"
    );
    assert_eq!(
        verify(&app, &anon, "", Some(&bearer)).await.status,
        401,
        "revoked secret, its tokens"
    );
    assert_eq!(verify(&app, &app.client, "", None).await.status, 200);
    let logout = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    // The jar dropped the cookie; a copy of it is refused too.
    assert_eq!(verify(&app, &app.client, "", None).await.status, 401);
}

async fn the_downstream_jwt_is_cached_until_a_fifth_of_its_life_remains(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let creds = basic(&c.client_id, &c.secret);
    let anon = new_client();
    let first = verify(&app, &anon, "?aud=app1", Some(&creds))
        .await
        .h("x-axid-jwt")
        .to_owned();
    let again = verify(&app, &anon, "?aud=app1", Some(&creds))
        .await
        .h("x-axid-jwt")
        .to_owned();
    assert_eq!(first, again, "no signing per request");
    let other_aud = verify(&app, &anon, "?aud=app2", Some(&creds))
        .await
        .h("x-axid-jwt")
        .to_owned();
    assert_ne!(first, other_aud);
    assert_eq!(super::jwt_parts(&other_aud).1["aud"], "app2");
    app.clock.advance_secs(239);
    assert_eq!(
        verify(&app, &anon, "?aud=app1", Some(&creds))
            .await
            .h("x-axid-jwt"),
        first
    );
    app.clock.advance_secs(2);
    let renewed = verify(&app, &anon, "?aud=app1", Some(&creds))
        .await
        .h("x-axid-jwt")
        .to_owned();
    assert_ne!(renewed, first, "signed anew with less than a fifth left");
    // A role change shows at once, cache or not.
    let patched = app
        .client
        .patch(app.url(&format!("/api/v1/clients/{}", c.id)))
        .json(&json!({"roles": ["ops"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let changed = verify(&app, &anon, "?aud=app1", Some(&creds)).await;
    assert_eq!(changed.h("x-axid-roles"), "ops");
    assert_eq!(
        super::jwt_parts(changed.h("x-axid-jwt")).1["roles"],
        json!(["ops"])
    );
}

async fn browsers_get_a_login_hint_with_the_original_url_from_trusted_proxies(app: TestApp) {
    app.create_org("acme").await;
    let browser = new_client();
    let res = browser
        .get(app.url("/auth/verify?org=acme"))
        .header("accept", "text/html,application/xhtml+xml")
        .header("x-forwarded-proto", "http")
        .header("x-forwarded-host", format!("127.0.0.1:{}", app.port))
        .header("x-forwarded-uri", "/app/page?x=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let hint = res.headers()["x-axid-login-url"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        hint.starts_with(&format!("{}/ui/login?org_id=acme", app.address)),
        "{hint}"
    );
    assert!(hint.contains("return_to=%2Fapp%2Fpage%3Fx%3D1"), "{hint}");
    let foreign = browser
        .get(app.url("/auth/verify"))
        .header("accept", "text/html")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "evil.test")
        .header("x-forwarded-uri", "/phish")
        .send()
        .await
        .unwrap();
    let hint = foreign.headers()["x-axid-login-url"].to_str().unwrap();
    assert!(
        !hint.contains("return_to"),
        "another site is never a return_to: {hint}"
    );
}

async fn community_mode_names_clients_without_secrets_and_has_a_default_org(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = create_client(
        &app,
        json!({"name": "sdk", "type": "service", "roles": ["sdk"]}),
    )
    .await;
    let anon = new_client();
    let unproven = verify(&app, &anon, "", Some(&basic(&c.client_id, ""))).await;
    assert_eq!(unproven.status, 200);
    assert_eq!(unproven.h("x-axid-authenticated"), "false");
    assert_eq!(unproven.h("x-client-id"), c.client_id);
    assert_eq!(
        super::jwt_parts(unproven.h("x-axid-jwt")).1["authenticated"],
        false
    );
    let proven = verify(&app, &anon, "", Some(&basic(&c.client_id, &c.secret))).await;
    assert_eq!(proven.h("x-axid-authenticated"), "true");
    assert_eq!(
        verify(&app, &anon, "", Some(&basic(&c.client_id, "axcs_wrong")))
            .await
            .status,
        401,
        "a wrong secret is still wrong"
    );
    assert_eq!(
        verify(&app, &anon, "", Some(&basic("axc_unknown", "")))
            .await
            .status,
        401,
        "an unknown client is no client"
    );
    let nothing = verify(&app, &anon, "", None).await;
    assert_eq!(nothing.status, 200, "COMMUNITY_DEFAULT_ORG's context");
    assert_eq!(nothing.h("x-axid-org"), "acme");
    assert_eq!(nothing.h("x-axid-principal-type"), "anonymous");
    assert_eq!(nothing.h("x-axid-authenticated"), "false");
    assert_eq!(verify(&app, &anon, "?roles=admin", None).await.status, 403);
    assert_eq!(verify(&app, &anon, "?org=globex", None).await.status, 403);
    // The token endpoint always requires the secret.
    assert_eq!(
        super::token_response(&app, &c.client_id, "", &[])
            .await
            .status(),
        401
    );
}

async fn community_mode_without_a_default_org_answers_401(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let anon = new_client();
    assert_eq!(verify(&app, &anon, "", None).await.status, 401);
    assert_eq!(
        verify(&app, &anon, "", Some(&basic(&c.client_id, "")))
            .await
            .h("x-axid-authenticated"),
        "false"
    );
}
