//! `sign_authn_requests`: the HTTP-Redirect query carries SigAlg and a detached signature
//! (SAML bindings §3.4.4.1) that verifies with the SP certificate published in the metadata,
//! which stays the same across requests and replicas.

use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::json;
use x509_cert::der::{Decode, Encode};

use super::*;
use crate::helpers::{new_client, spawn_replica, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(signed_authn_requests_verify_with_the_certificate_in_the_metadata);

fn metadata_key(xml: &str) -> VerifyingKey<sha2::Sha256> {
    let start = xml
        .find("<ds:X509Certificate>")
        .expect("SP certificate in metadata")
        + "<ds:X509Certificate>".len();
    let end = xml[start..].find('<').unwrap() + start;
    let der = base64::engine::general_purpose::STANDARD
        .decode(&xml[start..end])
        .unwrap();
    let cert = x509_cert::Certificate::from_der(&der).unwrap();
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    VerifyingKey::new(rsa::RsaPublicKey::from_public_key_der(&spki).unwrap())
}

async fn signed_authn_requests_verify_with_the_certificate_in_the_metadata(app: TestApp) {
    configured(&app, "acme", json!({"saml": {"sign_authn_requests": true}})).await;
    let metadata = new_client()
        .get(sp_entity(&app, "acme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metadata.contains("AuthnRequestsSigned=\"true\""));
    let key = metadata_key(&metadata);
    let replica = spawn_replica(
        &app,
        &[
            ("SSO_FETCH_ALLOW_PRIVATE", "true"),
            ("SSO_DATA_KEY", TEST_DATA_KEY),
        ],
    )
    .await;
    for server in [&app, &replica] {
        let res = new_client()
            .get(server.url("/auth/saml/acme/login"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let query = location.split_once('?').unwrap().1;
        let (signed, signature) = query
            .split_once("&Signature=")
            .expect("Signature parameter");
        assert!(
            signed.starts_with("SAMLRequest=")
                && signed.contains("&RelayState=")
                && signed.contains(
                    "&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"
                )
        );
        let signature: String = url::form_urlencoded::parse(format!("s={signature}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(signature)
            .unwrap();
        key.verify(signed.as_bytes(), &Signature::try_from(&bytes[..]).unwrap())
            .expect("signature verifies");
    }
    // The login itself still completes.
    let flow = start_login(&app, "acme", "/").await;
    let spec = spec_for(&app, "acme", Some(&flow), "alice@acme.com");
    let res = post_in_flow(&app, "acme", &idp().response_b64(&spec).unwrap(), &flow).await;
    assert_eq!(res.status(), 303);
}
