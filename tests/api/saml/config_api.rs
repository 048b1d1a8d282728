//! `/api/v1/sso/...`: configuration CRUD with validation, write-only secrets, roles,
//! providers, SP metadata, the configuration test and the SSRF-guarded metadata fetch.

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::helpers::TestApp;
use crate::saml_both_dbs;

saml_both_dbs!(
    configuration_is_created_read_patched_replaced_and_deleted,
    configurations_that_could_accept_unsigned_or_expired_signers_are_refused,
    client_secrets_are_write_only_and_kept_across_patches,
    viewers_read_but_do_not_write_and_other_orgs_see_nothing,
    providers_and_their_defaults_include_entra_claim_uris,
    sp_metadata_is_served_as_xml_and_json,
    metadata_xml_and_metadata_url_fill_the_idp_fields,
    the_configuration_test_reports_each_check
);

async fn configuration_is_created_read_patched_replaced_and_deleted(app: TestApp) {
    app.org_admin_session("acme").await;
    assert_eq!(app.get("/api/v1/sso/config").await.status(), 404);
    let res = app
        .post_json("/api/v1/sso/config", &saml_config(json!({})))
        .await;
    assert_eq!(res.status(), 201);
    let body = json_of(res).await;
    assert_eq!(body["sp"]["acs_url"], acs_url(&app, "acme"));
    assert_eq!(body["saml"]["idp_entity_id"], IDP_ENTITY);
    assert_eq!(
        app.post_json("/api/v1/sso/config", &saml_config(json!({})))
            .await
            .status(),
        409
    );
    let res = app
        .client
        .patch(app.url("/api/v1/sso/config"))
        .json(&json!({"enforce_sso": true, "saml": {"idp_certificates": [IDP_CERT, IDP2_CERT]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = json_of(res).await;
    assert_eq!(body["enforce_sso"], true);
    assert_eq!(
        body["saml"]["idp_certificates"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        body["saml"]["idp_entity_id"], IDP_ENTITY,
        "merge patch keeps untouched fields"
    );
    let avail = json_of(app.get("/api/v1/auth/sso/availability?org_id=acme").await).await;
    assert_eq!(avail["login_url"], app.url("/auth/saml/acme/login"));
    assert_eq!(avail["password_login_allowed"], false);
    let res = app
        .client
        .put(app.url("/api/v1/sso/config"))
        .json(&saml_config(json!({"provider": "generic"})))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        json_of(res).await["enforce_sso"],
        false,
        "PUT replaces the whole configuration"
    );
    assert_eq!(
        app.client
            .delete(app.url("/api/v1/sso/config"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(app.get("/api/v1/sso/config").await.status(), 404);
}

async fn configurations_that_could_accept_unsigned_or_expired_signers_are_refused(app: TestApp) {
    app.org_admin_session("acme").await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"saml": {"idp_certificates": []}}),
            "missing_signing_certificate",
        ),
        (
            json!({"saml": {"idp_certificates": ["not a certificate"]}}),
            "invalid_certificate",
        ),
        (
            json!({"saml": {"idp_sso_url": "javascript:alert(1)"}}),
            "invalid_idp_sso_url",
        ),
        (json!({"default_role": "Not A Role"}), "invalid_role"),
        (json!({"provider": "nope"}), "unknown_provider"),
        (json!({"saml": {"unknown_field": 1}}), "invalid_config"),
    ];
    for (patch, code) in cases {
        let res = app
            .post_json("/api/v1/sso/config", &saml_config(patch.clone()))
            .await;
        assert_eq!(res.status(), 422, "{patch}");
        assert_eq!(json_of(res).await["error"], code, "{patch}");
    }
    // Twenty-one years on, the fixture certificate has expired.
    app.clock.advance_secs(21 * 366 * 86_400);
    assert_eq!(app.login("acme").await.status(), 200);
    let res = app
        .post_json("/api/v1/sso/config", &saml_config(json!({})))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_of(res).await["error"], "certificate_expired");
}

async fn client_secrets_are_write_only_and_kept_across_patches(app: TestApp) {
    app.org_admin_session("acme").await;
    let cfg = saml_config(
        json!({"oidc": {"issuer": "https://acme.okta.test", "client_id": "0oa1", "client_secret": "top-secret-value"}}),
    );
    let res = app.post_json("/api/v1/sso/config", &cfg).await;
    assert_eq!(res.status(), 201);
    let text = res.text().await.unwrap();
    assert!(
        !text.contains("top-secret-value") && !text.contains("client_secret_enc"),
        "{text}"
    );
    let res = app
        .client
        .patch(app.url("/api/v1/sso/config"))
        .json(&json!({"oidc": {"client_id": "0oa2"}}))
        .send()
        .await
        .unwrap();
    let body = json_of(res).await;
    assert_eq!(body["oidc"]["client_secret_set"], true);
    assert_eq!(body["oidc"]["client_id"], "0oa2");
    let org = axid::domain::OrgId::parse("acme").unwrap();
    let stored = app
        .state
        .store
        .get_sso_config(&org)
        .await
        .unwrap()
        .unwrap()
        .config;
    assert!(
        !stored.contains("top-secret-value"),
        "the secret is encrypted at rest"
    );
}

async fn viewers_read_but_do_not_write_and_other_orgs_see_nothing(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let res = app
        .post_json("/api/v1/keys", &json!({"name": "ro", "role": "viewer"}))
        .await;
    assert_eq!(res.status(), 201);
    let key = json_of(res).await["key"].as_str().unwrap().to_owned();
    let viewer = crate::helpers::new_client();
    let get = |path: &str| viewer.get(app.url(path)).bearer_auth(&key).send();
    assert_eq!(get("/api/v1/sso/config").await.unwrap().status(), 200);
    assert_eq!(get("/api/v1/sso/audit").await.unwrap().status(), 200);
    let res = viewer
        .delete(app.url("/api/v1/sso/config"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Another organization's admin sees no configuration.
    let other = crate::helpers::new_client();
    app.create_org("globex").await;
    let res = other
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"org_id": "globex", "password": crate::helpers::ORG_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        other
            .get(app.url("/api/v1/sso/config"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

async fn providers_and_their_defaults_include_entra_claim_uris(app: TestApp) {
    app.org_admin_session("acme").await;
    let body = json_of(app.get("/api/v1/sso/providers").await).await;
    let ids: Vec<_> = body["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "okta",
            "entra",
            "auth0",
            "google",
            "onelogin",
            "jumpcloud",
            "generic"
        ]
    );
    let entra = json_of(
        app.get("/api/v1/sso/providers/defaults?provider=entra")
            .await,
    )
    .await;
    assert_eq!(
        entra["saml"]["attribute_mapping"]["groups"],
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
    );
    assert_eq!(
        entra["saml"]["attribute_mapping"]["email"],
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
    );
    assert_eq!(
        app.get("/api/v1/sso/providers/defaults?provider=nope")
            .await
            .status(),
        404
    );
}

async fn sp_metadata_is_served_as_xml_and_json(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let res = app.get("/api/v1/sso/sp-metadata").await;
    assert_eq!(
        res.headers()["content-type"],
        "application/samlmetadata+xml"
    );
    let xml = res.text().await.unwrap();
    assert!(xml.contains(&format!("entityID=\"{}\"", sp_entity(&app, "acme"))));
    assert!(xml.contains(&acs_url(&app, "acme")));
    let json = json_of(
        app.client
            .get(app.url("/api/v1/sso/sp-metadata"))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(json["acs_url"], acs_url(&app, "acme"));
    let public = crate::helpers::new_client()
        .get(sp_entity(&app, "acme"))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 200);
    assert_eq!(public.text().await.unwrap(), xml);
}

fn idp_metadata_xml() -> String {
    let cert: String = IDP_CERT
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://meta.idp.test/"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://meta.idp.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    )
}

/// A one-shot loopback HTTP server answering `body` (bounded: it serves `count` requests).
async fn serve(body: String, count: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..count {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let reply = format!("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = sock.write_all(reply.as_bytes()).await;
        }
    });
    format!("http://{addr}/metadata")
}

async fn metadata_xml_and_metadata_url_fill_the_idp_fields(app: TestApp) {
    app.org_admin_session("acme").await;
    let cfg = json!({"protocol": "saml", "default_role": "viewer", "saml": {"metadata_xml": idp_metadata_xml()}});
    let res = app.post_json("/api/v1/sso/config", &cfg).await;
    assert_eq!(res.status(), 201);
    let body = json_of(res).await;
    assert_eq!(body["saml"]["idp_entity_id"], "https://meta.idp.test/");
    assert_eq!(body["saml"]["idp_sso_url"], "https://meta.idp.test/sso");
    let url = serve(idp_metadata_xml(), 2).await;
    let res = app
        .post_json("/api/v1/sso/fetch-metadata", &json!({"url": url}))
        .await;
    assert_eq!(res.status(), 200);
    let body = json_of(res).await;
    assert_eq!(body["idp_entity_id"], "https://meta.idp.test/");
    assert!(body["idp_certificates"][0]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let res = app
        .client
        .put(app.url("/api/v1/sso/config"))
        .json(&json!({"protocol": "saml", "default_role": "viewer", "saml": {"metadata_url": url}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn the_configuration_test_reports_each_check(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let body = json_of(app.post_json("/api/v1/sso/config/test", &json!({})).await).await;
    assert_eq!(body["ok"], true, "{body}");
    let names: Vec<_> = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains(&"idp_certificate_0".to_owned()) && names.contains(&"roles".to_owned()),
        "{names:?}"
    );
}

mod ssrf {
    use super::*;
    use crate::both_dbs;

    both_dbs!(fetch_metadata_refuses_loopback_without_the_operator_setting);

    async fn fetch_metadata_refuses_loopback_without_the_operator_setting(app: TestApp) {
        app.org_admin_session("acme").await;
        let res = app
            .post_json(
                "/api/v1/sso/fetch-metadata",
                &json!({"url": "https://127.0.0.1:9/md"}),
            )
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(json_of(res).await["error"], "url_not_allowed");
        let res = app
            .post_json(
                "/api/v1/sso/fetch-metadata",
                &json!({"url": "http://169.254.169.254/latest/meta-data"}),
            )
            .await;
        assert_eq!(res.status(), 400, "plain http is refused outside tests");
    }
}
