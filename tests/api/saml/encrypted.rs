//! Encrypted assertions end to end (CONTRACT.md §17): the SP metadata publishes the
//! organization's encryption certificate, an IdP encrypting for it signs in, a rotation
//! publishes the next key before it is used and the retired one keeps decrypting, and the
//! session keeps the NameID and SessionIndex for a later single logout.

use axid::domain::OrgId;
use axid::protocol::saml::test_idp_encrypt::Encryption;
use serde_json::json;

use super::*;
use crate::helpers::TestApp;
use crate::saml_both_dbs;

saml_both_dbs!(
    encrypted_sign_ins_work_through_a_key_rotation,
    an_org_that_does_not_accept_encryption_names_the_setting,
    an_assertion_for_an_unknown_key_fails_with_one_reason
);

/// The encryption certificates the org's SP metadata publishes, as PEM.
pub async fn encryption_certs(app: &TestApp, org: &str) -> Vec<String> {
    let xml = new_client()
        .get(sp_entity(app, org))
        .send()
        .await
        .expect("metadata")
        .text()
        .await
        .expect("text");
    xml.split("<md:KeyDescriptor use=\"encryption\">")
        .skip(1)
        .map(|part| {
            let start = part.find("<ds:X509Certificate>").expect("cert") + 20;
            let end = part.find("</ds:X509Certificate>").expect("end");
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                &part[start..end]
            )
        })
        .collect()
}

async fn sign_in_encrypted_for(app: &TestApp, cert_pem: &str) -> reqwest::Response {
    let flow = start_login(app, "acme", "/").await;
    let mut spec = spec_for(app, "acme", Some(&flow), "alice@acme.com");
    spec.encryption = Some(Encryption::new(cert_pem));
    let response = idp().response_b64(&spec).expect("response");
    post_in_flow(app, "acme", &response, &flow).await
}

async fn rotate(app: &TestApp) -> serde_json::Value {
    let res = app
        .post_json("/api/v1/sso/sp-keys/rotate", &json!({"use": "encryption"}))
        .await;
    assert_eq!(res.status(), 200);
    json_of(res).await
}

async fn encrypted_sign_ins_work_through_a_key_rotation(app: TestApp) {
    configured(
        &app,
        "acme",
        json!({"saml": {"accept_encrypted_assertions": true}}),
    )
    .await;
    let first = encryption_certs(&app, "acme").await;
    assert_eq!(first.len(), 1, "one encryption certificate is published");
    assert_eq!(sign_in_encrypted_for(&app, &first[0]).await.status(), 303);

    // The session remembers who the IdP said signed in, for a later LogoutRequest.
    let org = OrgId::parse("acme").expect("org");
    let sessions = app
        .state
        .store
        .saml_sessions_of(&org, "alice@acme.com")
        .await
        .expect("sessions");
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].1.as_deref().is_some_and(|i| i.starts_with('_')));

    // Rotation step 1: the next key is published beside the active one, before use.
    let published = rotate(&app).await;
    assert_eq!(published["action"], "published_next");
    let during = encryption_certs(&app, "acme").await;
    assert_eq!(during.len(), 2);
    let next = during
        .iter()
        .find(|c| **c != first[0])
        .expect("next")
        .clone();
    assert_eq!(sign_in_encrypted_for(&app, &next).await.status(), 303);
    assert_eq!(sign_in_encrypted_for(&app, &first[0]).await.status(), 303);

    // Step 2: the next key becomes active; the old one leaves the metadata but still
    // decrypts what an IdP encrypted before it saw the change.
    assert_eq!(rotate(&app).await["action"], "promoted_next");
    assert_eq!(encryption_certs(&app, "acme").await, vec![next.clone()]);
    assert_eq!(sign_in_encrypted_for(&app, &first[0]).await.status(), 303);
    let keys = json_of(app.get("/api/v1/sso/sp-keys").await).await;
    let states: Vec<_> = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter(|k| k["use"] == "encryption")
        .map(|k| k["state"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(states, ["active", "retired"]);
    assert!(
        !keys.to_string().contains("PRIVATE"),
        "no private key is shown"
    );

    // The audit feed says which logins were encrypted, and the rotations.
    let feed = json_of(app.get("/api/v1/sso/audit?limit=50").await).await;
    let events = feed["events"].as_array().expect("events");
    let encrypted = events
        .iter()
        .filter(|e| e["event"] == "saml_login" && e["outcome"] == "success")
        .filter(|e| e["detail"]["encrypted"] == true)
        .count();
    assert_eq!(encrypted, 4);
    assert_eq!(
        events.iter().filter(|e| e["event"] == "sso_sp_key").count(),
        2
    );
}

async fn an_org_that_does_not_accept_encryption_names_the_setting(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    assert!(encryption_certs(&app, "acme").await.is_empty());
    let cert = include_str!("../../fixtures/saml/idp2.crt");
    let res = sign_in_encrypted_for(&app, cert).await;
    assert_refused(res, 403, "encrypted_assertion_unsupported").await;
}

async fn an_assertion_for_an_unknown_key_fails_with_one_reason(app: TestApp) {
    configured(
        &app,
        "acme",
        json!({"saml": {"accept_encrypted_assertions": true}}),
    )
    .await;
    let other = include_str!("../../fixtures/saml/idp2.crt");
    let res = sign_in_encrypted_for(&app, other).await;
    assert_refused(res, 403, "decryption_failed").await;
    assert_eq!(
        audit_reasons(&app).await.first().map(String::as_str),
        Some("decryption_failed")
    );
}
