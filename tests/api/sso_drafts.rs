//! Draft, test, activate (CONTRACT.md §16) over real HTTP, on SQLite and PostgreSQL: an admin
//! saves a draft through the console's wizard form, the live configuration stays as it is,
//! a test sign-in runs every check on the draft and shows NameID, attributes, roles and
//! warnings while writing no user, session, replay entry or event, and activation makes the
//! draft live so the same IdP then signs users in. A form error is shown beside its field.

use serde_json::json;
use sqlx::Row;

use crate::helpers::{json_of, new_client, TestApp};
use crate::saml::{
    acs_url, configured, flow_at_with, flow_of, idp, post_response, spec_for, Flow, ATTACKER_CERT,
    ATTACKER_KEY, IDP_CERT, IDP_ENTITY,
};
use crate::saml_both_dbs;
use axid::protocol::saml::test_idp::TestIdp;

saml_both_dbs!(
    a_draft_is_tested_without_side_effects_then_activated,
    a_refused_test_shows_its_reason_and_the_live_configuration_keeps_working,
    a_refused_draft_shows_the_error_beside_its_field,
);

fn wizard_form(certificate: &str) -> Vec<(&'static str, String)> {
    vec![
        ("provider", "okta".into()),
        ("idp_entity_id", IDP_ENTITY.into()),
        ("idp_sso_url", "https://idp.example.test/sso".into()),
        ("idp_certificate", certificate.into()),
        (
            "role_mappings",
            "Engineering = editor\naxid-admins = admin".into(),
        ),
        ("default_role", "viewer".into()),
    ]
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, String)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .expect("post")
}

/// Rows of each table, read straight from the database.
async fn counts(app: &TestApp, tables: &[&str]) -> Vec<i64> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.expect("connect");
    let mut out = Vec::new();
    for table in tables {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(&pool)
            .await
            .expect("count");
        out.push(row.get::<i64, _>(0));
    }
    pool.close().await;
    out
}

const WRITES: &[&str] = &["users", "sessions", "assertion_replay", "events"];

/// Starts the draft's test sign-in from the console: a page of axid's that moves the
/// browser on to the IdP (a redirect would break the console's `form-action` CSP).
async fn start_test(app: &TestApp, path: &str) -> Flow {
    let res = post_form(app, path, &[]).await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let cookies: Vec<String> = headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let html = res.text().await.unwrap();
    let start = html.find("url=").expect("a meta refresh") + 4;
    let location = html[start..start + html[start..].find('"').unwrap()].replace("&amp;", "&");
    assert!(
        location.starts_with("https://idp.example.test/sso?SAMLRequest="),
        "{location}"
    );
    let binding = cookies
        .iter()
        .find_map(|c| c.strip_prefix("axid_saml_flow="))
        .and_then(|c| c.split(';').next())
        .expect("the binding cookie")
        .to_owned();
    flow_at_with(&location, binding)
}

/// The IdP's answer to the test flow, posted from the browser that started it.
async fn answer_test(app: &TestApp, org: &str, idp: &TestIdp, flow: &Flow) -> reqwest::Response {
    let mut spec = spec_for(app, org, Some(flow), "ada@acme.test");
    spec.attributes = vec![
        ("email".into(), vec!["ada@acme.test".into()]),
        ("firstName".into(), vec!["Ada".into()]),
        ("groups".into(), vec!["Engineering".into(), "Staff".into()]),
    ];
    let xml = idp.response_xml(&spec).expect("signed");
    new_client()
        .post(acs_url(app, org))
        .header("Cookie", flow.cookie())
        .form(&[
            ("SAMLResponse", crate::saml::b64(&xml)),
            ("RelayState", flow.relay_state.clone()),
        ])
        .send()
        .await
        .expect("post")
}

async fn page(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

async fn a_draft_is_tested_without_side_effects_then_activated(app: TestApp) {
    app.org_admin_session("acme").await;
    let saved = post_form(&app, "/ui/sso/draft", &wizard_form(IDP_CERT)).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(saved.headers()["location"], "/ui/sso?done=saved");
    // The live configuration is untouched until activation.
    assert_eq!(app.get("/api/v1/sso/config").await.status(), 404);
    let before = counts(&app, WRITES).await;

    let flow = start_test(&app, "/ui/sso/test").await;
    let answered = answer_test(&app, "acme", &idp(), &flow).await;
    assert_eq!(answered.status(), 200);
    assert!(
        answered.headers().get("set-cookie").is_none(),
        "no session cookie"
    );
    let continue_page = answered.text().await.unwrap();
    assert!(continue_page.contains("url=/ui/sso\""), "{continue_page}");
    assert_eq!(counts(&app, WRITES).await, before, "the test wrote nothing");

    let html = page(&app, "/ui/sso").await;
    assert!(html.contains("Test sign-in passed"), "{html}");
    assert!(html.contains("<td id=\"test-name-id\">ada@acme.test</td>"));
    assert!(html.contains("<td id=\"test-roles\">editor</td>"), "{html}");
    assert!(html.contains("<td id=\"test-groups\">Engineering, Staff</td>"));
    assert!(html.contains("firstName"), "every attribute is listed");

    // The same response again: the test flow is spent, so nothing answers it.
    let again = answer_test(&app, "acme", &idp(), &flow).await;
    assert_eq!(again.status(), 404);

    let activated = post_form(&app, "/ui/sso/activate", &[]).await;
    assert_eq!(activated.headers()["location"], "/ui/sso?done=activated");
    let live = json_of(app.get("/api/v1/sso/config").await).await;
    assert_eq!(live["enabled"], true);
    assert_eq!(live["group_role_mappings"][0]["role"], "editor");
    assert_eq!(live["saml"]["idp_entity_id"], IDP_ENTITY);
    let html = page(&app, "/ui/sso").await;
    assert!(!html.contains("id=\"draft\""), "the draft is gone");

    // Live now: the same IdP signs a user in.
    let start = new_client()
        .get(app.url("/auth/saml/acme/login"))
        .send()
        .await
        .unwrap();
    let login = flow_of(&start);
    let res = answer_test(&app, "acme", &idp(), &login).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert_eq!(counts(&app, &["users"]).await, vec![before[0] + 1]);
    let audit = json_of(app.get("/api/v1/sso/audit?limit=50").await).await;
    let events: Vec<&str> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    for event in ["sso_draft", "sso_test", "sso_config"] {
        assert!(events.contains(&event), "{event} in {events:?}");
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("axid_sso_drafts_total{action=\"tested\",outcome=\"success\"} 1"),
        "{metrics}"
    );
}

async fn a_refused_test_shows_its_reason_and_the_live_configuration_keeps_working(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let live = json_of(app.get("/api/v1/sso/config").await).await;
    // The draft trusts another certificate: the live IdP's response fails the draft's test.
    let saved = post_form(&app, "/ui/sso/draft", &wizard_form(ATTACKER_CERT)).await;
    assert_eq!(saved.status(), 303);
    let flow = start_test(&app, "/ui/sso/test").await;
    assert_eq!(answer_test(&app, "acme", &idp(), &flow).await.status(), 200);
    let html = page(&app, "/ui/sso").await;
    assert!(html.contains("Test sign-in refused"), "{html}");
    assert!(
        html.contains("<code id=\"test-reason\">signature_invalid</code>"),
        "{html}"
    );

    // The new IdP key passes the draft's test while the live configuration still expects
    // the old one, and live sign-ins go on as before.
    let flow = start_test(&app, "/ui/sso/test").await;
    let new_idp = TestIdp::new(ATTACKER_KEY, ATTACKER_CERT);
    assert_eq!(
        answer_test(&app, "acme", &new_idp, &flow).await.status(),
        200
    );
    assert!(page(&app, "/ui/sso").await.contains("Test sign-in passed"));
    let spec = spec_for(&app, "acme", None, "bob@acme.test");
    let unsolicited = crate::saml::b64(&new_idp.response_xml(&spec).unwrap());
    let res = post_response(&app, "acme", &unsolicited, None).await;
    assert_eq!(
        res.status(),
        403,
        "the live configuration does not trust the draft's key"
    );

    // A discarded draft leaves the live configuration as it was.
    let discarded = post_form(&app, "/ui/sso/discard", &[]).await;
    assert_eq!(discarded.headers()["location"], "/ui/sso?done=discarded");
    let still = json_of(app.get("/api/v1/sso/config").await).await;
    assert_eq!(still, live, "the live configuration never changed");
    let res = post_form(&app, "/ui/sso/test", &[]).await;
    assert_eq!(res.status(), 404);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("no draft SSO configuration"));
}

async fn a_refused_draft_shows_the_error_beside_its_field(app: TestApp) {
    app.org_admin_session("acme").await;
    let mut form = wizard_form("not a certificate");
    let res = post_form(&app, "/ui/sso/draft", &form).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"idp_certificate-error\""), "{html}");
    assert!(
        html.contains("Engineering = editor"),
        "the typed form is kept"
    );
    form[3].1 = IDP_CERT.into();
    form[4].1 = "Engineering = Owner!".into();
    let res = post_form(&app, "/ui/sso/draft", &form).await;
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("id=\"role_mappings-error\""));
    assert_eq!(counts(&app, &["sso_drafts"]).await, vec![0]);
}
