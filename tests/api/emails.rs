//! An email with two `@` is not an email, wherever one is read (domain::Email).

use serde_json::json;

use crate::helpers::{json_of, TestApp};
use crate::saml::{assert_refused, configured, idp, post_in_flow, spec_for, start_login};
use crate::saml_both_dbs;

saml_both_dbs!(
    a_second_at_does_not_pass_the_allowed_domain_check,
    a_contact_email_with_two_ats_is_refused,
);

/// `eve@evil.test@acme.com` ends in `@acme.com`, but it is no address of acme.com.
async fn a_second_at_does_not_pass_the_allowed_domain_check(app: TestApp) {
    configured(&app, "acme", json!({"allowed_email_domains": ["acme.com"]})).await;
    for name_id in ["eve@evil.test@acme.com", "eve@@acme.com"] {
        let flow = start_login(&app, "acme", "/").await;
        let spec = spec_for(&app, "acme", Some(&flow), name_id);
        let response = idp().response_b64(&spec).expect("sign");
        let res = post_in_flow(&app, "acme", &response, &flow).await;
        assert_refused(res, 403, "email_domain_not_allowed").await;
    }
}

async fn a_contact_email_with_two_ats_is_refused(app: TestApp) {
    let body = json!({"org_id": "beta", "name": "Beta", "contact_email": "it@evil.test@beta.test"});
    let res = app
        .admin(
            reqwest::Method::POST,
            "/api/v1/admin/organizations",
            Some(body),
        )
        .await;
    assert_eq!(res.status(), 400);
    let body = json_of(res).await;
    assert_eq!(body["error"], "invalid_email");
    assert!(
        body["message"].as_str().unwrap().contains("exactly one @"),
        "{body}"
    );
}
