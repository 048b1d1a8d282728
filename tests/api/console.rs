//! The admin console's HTML (CONTRACT.md §16) over real HTTP: the root leads to it, pages
//! need a session, the sign-in form shows each refusal beside its field, the CSP header is
//! on every page, a cross-site form post is refused, values that came from an IdP are shown
//! as text, and the SSO audit filters and pages. The browser walk is `console_browser.rs`.

use axid::protocol::saml::test_idp::SignMode;
use serde_json::json;

use crate::helpers::{json_of, new_client, TestApp, ORG_PASSWORD};
use crate::saml::{configured, idp, post_response, spec_for};
use crate::{both_dbs, saml_both_dbs};

both_dbs!(
    the_root_leads_to_the_console_and_pages_need_a_session,
    a_form_sign_in_shows_refusals_beside_their_field,
    a_cross_site_form_post_is_refused,
);
saml_both_dbs!(
    values_from_an_idp_are_shown_as_text,
    the_audit_page_filters_by_outcome_and_reason,
    a_refused_user_s_reference_finds_the_audit_entry,
);

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn assert_csp(res: &reqwest::Response, page: &str) {
    assert_eq!(
        res.headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap()),
        Some(CSP),
        "{page}"
    );
}

/// Signs `org` in through the console form; the client keeps the cookie.
async fn form_sign_in(app: &TestApp, org: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/ui/sign-in"))
        .form(&[("org_id", org), ("password", password)])
        .send()
        .await
        .unwrap()
}

async fn the_root_leads_to_the_console_and_pages_need_a_session(app: TestApp) {
    let browser = new_client();
    let root = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        (root.status().as_u16(), location(&root)),
        (303, "/ui/".into())
    );
    for page in ["/ui/", "/ui/audit"] {
        let res = browser.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.status(), 303, "{page}");
        assert_eq!(location(&res), "/ui/sign-in", "{page}");
    }
    let form = browser.get(app.url("/ui/sign-in")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    assert_csp(&form, "sign-in");
    assert_eq!(form.headers()["x-frame-options"], "DENY");
    let html = form.text().await.unwrap();
    for label in [r#"<label for="org_id">"#, r#"<label for="password">"#] {
        assert!(html.contains(label), "{label} in {html}");
    }
    assert!(!html.contains("<script>"), "no inline script");
    let css = browser
        .get(app.url("/ui/assets/console.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let missing = browser.get(app.url("/ui/nowhere")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_csp(&missing, "404");
    assert!(missing.text().await.unwrap().contains("not_found"));
}

async fn a_form_sign_in_shows_refusals_beside_their_field(app: TestApp) {
    app.create_org("acme").await;
    let wrong = form_sign_in(&app, "acme", "not-the-password").await;
    assert_eq!(wrong.status(), 401);
    assert_csp(&wrong, "refused sign-in");
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains(r#"<p class="field-error" id="password-error">the organization or password is wrong</p>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"value="acme""#),
        "the org id is kept: {html}"
    );
    let empty = form_sign_in(&app, " ", "x").await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains(r#"id="org_id-error""#));

    let ok = form_sign_in(&app, "acme", ORG_PASSWORD).await;
    assert_eq!((ok.status().as_u16(), location(&ok)), (303, "/ui/".into()));
    let overview = app.get("/ui/").await;
    assert_eq!(overview.status(), 200);
    assert_csp(&overview, "overview");
    let html = overview.text().await.unwrap();
    assert!(
        html.contains("<h1>Overview</h1>") && html.contains("No SSO configuration yet."),
        "{html}"
    );
    // The console session is the portal session: the API accepts it too.
    assert_eq!(app.get("/api/v1/auth/session").await.status(), 200);

    let out = app
        .client
        .post(app.url("/ui/sign-out"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (out.status().as_u16(), location(&out)),
        (303, "/ui/sign-in".into())
    );
    assert_eq!(app.get("/ui/").await.status(), 303);
    assert_eq!(app.get("/api/v1/auth/session").await.status(), 401);
}

async fn a_cross_site_form_post_is_refused(app: TestApp) {
    app.create_org("acme").await;
    let forged = new_client()
        .post(app.url("/ui/sign-in"))
        .header("Origin", "https://evil.example")
        .form(&[("org_id", "acme"), ("password", ORG_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged.headers().get("set-cookie").is_none());
    assert!(forged.text().await.unwrap().contains("csrf"));

    assert_eq!(form_sign_in(&app, "acme", ORG_PASSWORD).await.status(), 303);
    let out = app
        .client
        .post(app.url("/ui/sign-out"))
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 403);
    assert_eq!(
        app.get("/ui/").await.status(),
        200,
        "the session survives a forged sign-out"
    );
}

const HOSTILE_NAME_ID: &str = r#""><img src=x onerror=alert(1)><script>alert(2)</script>"#;

async fn values_from_an_idp_are_shown_as_text(app: TestApp) {
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let mut spec = spec_for(&app, "acme", None, HOSTILE_NAME_ID);
    spec.sign = SignMode::Assertion;
    let res = post_response(&app, "acme", &idp().response_b64(&spec).unwrap(), None).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let audit = app.get("/ui/audit").await;
    assert_eq!(audit.status(), 200);
    assert_csp(&audit, "audit");
    let html = audit.text().await.unwrap();
    assert!(
        !html.contains("<img src=x") && !html.contains("<script>alert"),
        "{html}"
    );
    assert!(
        html.contains(
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
        ),
        "{html}"
    );
}

async fn the_audit_page_filters_by_outcome_and_reason(app: TestApp) {
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let good = spec_for(&app, "acme", None, "ok@acme.test");
    let signed = idp().response_b64(&good).unwrap();
    assert_eq!(
        post_response(&app, "acme", &signed, None).await.status(),
        303
    );
    let stranger = axid::protocol::saml::test_idp::TestIdp::new(
        crate::saml::ATTACKER_KEY,
        crate::saml::ATTACKER_CERT,
    );
    for i in 0..3 {
        let spec = spec_for(&app, "acme", None, &format!("bad{i}@acme.test"));
        let forged = stranger.response_b64(&spec).unwrap();
        assert_eq!(
            post_response(&app, "acme", &forged, None).await.status(),
            403
        );
    }
    let failures = app
        .get("/ui/audit?outcome=failure&reason=signature_invalid")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        failures.matches("<code>signature_invalid</code>").count(),
        3,
        "{failures}"
    );
    assert!(
        failures.contains("this organization&#39;s SSO configuration")
            || failures.contains("this organization's SSO configuration"),
        "{failures}"
    );
    assert!(!failures.contains("<td>success</td>"), "{failures}");
    let api = json_of(
        app.get("/api/v1/sso/audit?outcome=failure&reason=signature_invalid")
            .await,
    )
    .await;
    assert_eq!(api["events"].as_array().unwrap().len(), 3, "{api}");
    let overview = app.get("/ui/").await.text().await.unwrap();
    assert!(
        overview.contains("Latest failed sign-ins") && overview.contains("signature_invalid"),
        "{overview}"
    );
    assert!(
        overview.contains("IdP signing"),
        "the IdP certificate is listed: {overview}"
    );
    let bad = app.get("/ui/audit?outcome=maybe").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("invalid_outcome"));
}

async fn a_refused_user_s_reference_finds_the_audit_entry(app: TestApp) {
    configured(&app, "acme", json!({"allow_idp_initiated": true})).await;
    let stranger = axid::protocol::saml::test_idp::TestIdp::new(
        crate::saml::ATTACKER_KEY,
        crate::saml::ATTACKER_CERT,
    );
    let forged = |name: &str| {
        stranger
            .response_b64(&spec_for(&app, "acme", None, name))
            .unwrap()
    };
    let res = post_response(&app, "acme", &forged("a@acme.test"), None).await;
    assert_eq!(res.status(), 403);
    let body = json_of(res).await;
    let reference = body["reference"].as_str().expect("a reference").to_owned();
    assert_eq!(reference.len(), 8, "{body}");
    // The HTML page shows it too.
    let page = new_client()
        .post(crate::saml::acs_url(&app, "acme"))
        .form(&[("SAMLResponse", forged("b@acme.test"))])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 403);
    assert!(page.text().await.unwrap().contains("Reference: <code>"));

    // Typed back by an admin in lower case with a dash, it finds the one entry.
    let typed = format!("{}-{}", &reference[..4], &reference[4..]).to_lowercase();
    let html = app
        .get(&format!("/ui/audit?reference={typed}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        html.matches("<code>signature_invalid</code>").count(),
        1,
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"<td class="mono">{reference}</td>"#)),
        "{html}"
    );
    let api = json_of(
        app.get(&format!("/api/v1/sso/audit?reference={reference}"))
            .await,
    )
    .await;
    assert_eq!(api["events"].as_array().unwrap().len(), 1, "{api}");
    assert_eq!(api["events"][0]["detail"]["reference"], reference.as_str());
    let odd = app.get("/api/v1/sso/audit?reference=%25%27x").await;
    assert_eq!(odd.status(), 200);
    assert_eq!(json_of(odd).await["events"], json!([]));
    let events = json_of(app.get("/api/v1/events?types=login.failed").await).await;
    assert_eq!(
        events["events"][0]["data"]["reference"],
        reference.as_str(),
        "{events}"
    );
}
