//! SP-initiated and IdP-initiated logins end to end with the Rust-scripted IdP.

use axid::protocol::saml::test_idp::SignMode;
use serde_json::json;

use super::*;
use crate::helpers::{new_client, spawn_replica, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(
    an_accepted_assertion_stays_spent_when_its_organization_is_deleted_and_recreated,
    a_kelvin_sign_name_id_is_not_the_user_with_the_ascii_name,
    sp_initiated_login_creates_the_user_and_a_session_for_every_signing_mode,
    groups_map_to_roles_and_an_existing_user_is_linked_not_duplicated,
    a_login_outside_the_allowed_email_domains_is_refused_and_audited,
    no_matching_group_and_no_default_role_is_refused_with_no_role,
    unsolicited_responses_need_allow_idp_initiated,
    a_flow_answers_one_response_only,
    an_assertion_accepted_by_one_replica_is_a_replay_on_another,
    failures_render_an_html_page_naming_the_code_and_who_fixes_it,
    unknown_or_unconfigured_organizations_get_a_4xx_never_a_500
);

async fn login_with(
    app: &TestApp,
    org: &str,
    spec: &axid::protocol::saml::test_idp::ResponseSpec,
    relay: Option<&str>,
) -> reqwest::Response {
    post_response(app, org, &idp().response_b64(spec).expect("sign"), relay).await
}

async fn login_in_flow(
    app: &TestApp,
    org: &str,
    spec: &axid::protocol::saml::test_idp::ResponseSpec,
    flow: &Flow,
) -> reqwest::Response {
    post_in_flow(app, org, &idp().response_b64(spec).expect("sign"), flow).await
}

async fn sp_initiated_login_creates_the_user_and_a_session_for_every_signing_mode(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    for (i, mode) in [SignMode::Assertion, SignMode::Response, SignMode::Both]
        .into_iter()
        .enumerate()
    {
        let flow = start_login(&app, "acme", "/dashboard").await;
        let mut spec = spec_for(&app, "acme", Some(&flow), "alice@acme.com");
        spec.sign = mode;
        let browser = new_client();
        let res = browser
            .post(acs_url(&app, "acme"))
            .header("Cookie", flow.cookie())
            .form(&[
                ("SAMLResponse", idp().response_b64(&spec).unwrap()),
                ("RelayState", flow.relay_state.clone()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{mode:?}: {}", res.text().await.unwrap());
        assert_eq!(res.headers()["location"], "/dashboard");
        let session = browser
            .get(app.url("/api/v1/auth/session"))
            .send()
            .await
            .unwrap();
        assert_eq!(session.status(), 200);
        let body: serde_json::Value = session.json().await.unwrap();
        assert_eq!(body["principal"]["type"], "user");
        assert_eq!(body["principal"]["email"], "alice@acme.com");
        assert_eq!(body["auth_method"], "saml");
        assert_eq!(body["roles"], json!(["viewer"]));
        let _ = i;
    }
    let events = json_of(app.get("/api/v1/sso/audit").await).await;
    let logins: Vec<_> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "saml_login")
        .collect();
    assert_eq!(logins.len(), 3);
    assert!(logins
        .iter()
        .all(|e| e["outcome"] == "success" && e["principal"] == "alice@acme.com"));
    // One JIT user, linked by the later logins.
    let ids: std::collections::BTreeSet<_> = logins
        .iter()
        .map(|e| e["detail"]["user_id"].to_string())
        .collect();
    assert_eq!(ids.len(), 1);
}

async fn groups_map_to_roles_and_an_existing_user_is_linked_not_duplicated(app: TestApp) {
    configured(&app, "acme", json!({"jit_provisioning": false})).await;
    let org = axid::domain::OrgId::parse("acme").unwrap();
    let existing = app
        .state
        .store
        .insert_jit_user(
            &org,
            &axid::store::NewJitUser {
                user_name: "Bob@Acme.com",
                email: Some("bob@acme.com"),
                display_name: Some("Bob"),
                source: "scim",
                resource: "{}",
            },
            0,
        )
        .await
        .unwrap();
    let flow = start_login(&app, "acme", "/").await;
    let mut spec = spec_for(&app, "acme", Some(&flow), "bob@acme.com");
    spec.attributes
        .push(("groups".into(), vec!["axid-admins".into(), "other".into()]));
    let browser = new_client();
    let res = browser
        .post(acs_url(&app, "acme"))
        .header("Cookie", flow.cookie())
        .form(&[
            ("SAMLResponse", idp().response_b64(&spec).unwrap()),
            ("RelayState", flow.relay_state),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let body: serde_json::Value = browser
        .get(app.url("/api/v1/auth/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["principal"]["id"], existing.id.as_str());
    assert_eq!(body["roles"], json!(["admin"]));
    // Without JIT, an unknown user is refused.
    let flow = start_login(&app, "acme", "/").await;
    let res = login_in_flow(
        &app,
        "acme",
        &spec_for(&app, "acme", Some(&flow), "carol@acme.com"),
        &flow,
    )
    .await;
    assert_refused(res, 403, "user_not_provisioned").await;
}

async fn a_login_outside_the_allowed_email_domains_is_refused_and_audited(app: TestApp) {
    configured(&app, "acme", json!({"allowed_email_domains": ["acme.com"]})).await;
    let flow = start_login(&app, "acme", "/").await;
    let res = login_in_flow(
        &app,
        "acme",
        &spec_for(&app, "acme", Some(&flow), "eve@evil.test"),
        &flow,
    )
    .await;
    assert_refused(res, 403, "email_domain_not_allowed").await;
    assert_eq!(audit_reasons(&app).await, vec!["email_domain_not_allowed"]);
}

async fn no_matching_group_and_no_default_role_is_refused_with_no_role(app: TestApp) {
    configured(&app, "acme", json!({"default_role": null})).await;
    let flow = start_login(&app, "acme", "/").await;
    let res = login_in_flow(
        &app,
        "acme",
        &spec_for(&app, "acme", Some(&flow), "alice@acme.com"),
        &flow,
    )
    .await;
    assert_refused(res, 403, "no_role").await;
}

async fn unsolicited_responses_need_allow_idp_initiated(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let spec = spec_for(&app, "acme", None, "alice@acme.com");
    assert_refused(
        login_with(&app, "acme", &spec, None).await,
        403,
        "unsolicited_response",
    )
    .await;
    let res = app
        .client
        .patch(app.url("/api/v1/sso/config"))
        .json(&json!({"allow_idp_initiated": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let spec = spec_for(&app, "acme", None, "alice@acme.com");
    let res = login_with(&app, "acme", &spec, Some("/reports")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/reports");
    // A RelayState that is not a relative path is never a redirect target.
    let spec = spec_for(&app, "acme", None, "alice@acme.com");
    let res = login_with(&app, "acme", &spec, Some("https://evil.test/")).await;
    assert_eq!(res.headers()["location"], "/");
}

async fn a_flow_answers_one_response_only(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let flow = start_login(&app, "acme", "/").await;
    let first = login_in_flow(
        &app,
        "acme",
        &spec_for(&app, "acme", Some(&flow), "alice@acme.com"),
        &flow,
    )
    .await;
    assert_eq!(first.status(), 303);
    // A second, fresh assertion for the same request: the flow is gone.
    let again = login_in_flow(
        &app,
        "acme",
        &spec_for(&app, "acme", Some(&flow), "alice@acme.com"),
        &flow,
    )
    .await;
    assert_refused(again, 403, "wrong_in_response_to").await;
}

async fn an_assertion_accepted_by_one_replica_is_a_replay_on_another(app: TestApp) {
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let replica = spawn_replica(
        &app,
        &[
            ("SSO_FETCH_ALLOW_PRIVATE", "true"),
            ("SSO_DATA_KEY", TEST_DATA_KEY),
        ],
    )
    .await;
    // Both replicas share PUBLIC_URL semantics through the org's own URLs on each.
    let spec = spec_for(&app, "acme", None, "alice@acme.com");
    let signed = idp().response_b64(&spec).unwrap();
    assert_eq!(
        post_response(&app, "acme", &signed, None).await.status(),
        303
    );
    let mut on_replica = spec.clone();
    on_replica.audience = sp_entity(&replica, "acme");
    on_replica.destination = acs_url(&replica, "acme");
    on_replica.recipient = acs_url(&replica, "acme");
    // The same assertion id, signed for the replica's URLs (each test replica has its own port).
    let signed = idp().response_b64(&on_replica).unwrap();
    assert_refused(
        post_response(&replica, "acme", &signed, None).await,
        403,
        "replayed_assertion",
    )
    .await;
    // The replay entry is written with the session in one transaction: the refused
    // sign-in left no session of its own behind.
    let events = json_of(
        app.get("/api/v1/events?types=session.created&limit=100")
            .await,
    )
    .await;
    let saml_sessions = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["data"]["auth_method"] == "saml")
        .count();
    assert_eq!(saml_sessions, 1, "{events}");
}

async fn failures_render_an_html_page_naming_the_code_and_who_fixes_it(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let res = new_client()
        .post(acs_url(&app, "acme"))
        .header("Accept", "text/html")
        .form(&[("SAMLResponse", "not base64!")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = res.text().await.unwrap();
    assert!(
        page.contains("malformed_encoding") && page.contains("identity_provider"),
        "{page}"
    );
}

async fn unknown_or_unconfigured_organizations_get_a_4xx_never_a_500(app: TestApp) {
    app.create_org("bare").await;
    for (path, code) in [
        ("/auth/saml/nosuch/login", 404),
        ("/auth/saml/bare/login", 404),
        ("/auth/saml/BAD!/login", 404),
    ] {
        let res = new_client().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), code, "{path}");
    }
    let res = post_response(&app, "bare", "PHIvPg==", None).await;
    assert_refused(res, 404, "sso_not_configured").await;
    // An unknown organization is answered exactly like one without SSO (no enumeration).
    let res = post_response(&app, "nosuch", "PHIvPg==", None).await;
    assert_refused(res, 404, "sso_not_configured").await;
    for org in ["nosuch", "bare"] {
        let res = new_client()
            .get(app.url(&format!("/auth/saml/{org}/metadata")))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{org}");
        assert_eq!(json_of(res).await["error"], "sso_not_configured", "{org}");
    }
    // A suspended organization cannot run SSO (CONTRACT.md §3).
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let res = app
        .admin(
            reqwest::Method::PATCH,
            "/api/v1/admin/organizations/acme",
            Some(json!({"status": "suspended"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let spec = spec_for(&app, "acme", None, "alice@acme.com");
    assert_refused(
        login_with(&app, "acme", &spec, None).await,
        403,
        "org_suspended",
    )
    .await;
}

/// `\u{212A}ate@acme.com` (Kelvin sign) is another identity than `kate@acme.com`: it does
/// not link to her user nor take her roles (identity values fold only ASCII onto ASCII).
async fn a_kelvin_sign_name_id_is_not_the_user_with_the_ascii_name(app: TestApp) {
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let mut kate = spec_for(&app, "acme", None, "kate@acme.com");
    kate.attributes
        .push(("groups".into(), vec!["axid-admins".into()]));
    let res = login_with(&app, "acme", &kate, None).await;
    assert_eq!(res.status(), 303);
    let lookalike = spec_for(&app, "acme", None, "\u{212A}ate@acme.com");
    let res = login_with(&app, "acme", &lookalike, None).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let events = json_of(app.get("/api/v1/sso/audit").await).await;
    let logins: Vec<&serde_json::Value> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "saml_login" && e["outcome"] == "success")
        .collect();
    assert_eq!(logins.len(), 2);
    let by = |who: &str| {
        logins
            .iter()
            .find(|e| e["principal"] == who)
            .unwrap_or_else(|| panic!("a login of {who}"))["detail"]
            .clone()
    };
    let (real, fake) = (by("kate@acme.com"), by("\u{212A}ate@acme.com"));
    assert_ne!(real["user_id"], fake["user_id"]);
    assert_eq!(real["roles"], json!(["admin"]));
    assert_eq!(fake["roles"], json!(["viewer"]));
}

async fn an_accepted_assertion_stays_spent_when_its_organization_is_deleted_and_recreated(
    app: TestApp,
) {
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let signed = idp()
        .response_b64(&spec_for(&app, "acme", None, "alice@acme.com"))
        .expect("sign");
    assert_eq!(
        post_response(&app, "acme", &signed, None).await.status(),
        303
    );
    let res = app
        .admin(
            reqwest::Method::DELETE,
            "/api/v1/admin/organizations/acme",
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let res = post_response(&app, "acme", &signed, None).await;
    assert_refused(res, 403, "replayed_assertion").await;
}
