//! Writes the seed corpora of the fuzz targets (`cargo run --example fuzz_seeds`): inputs
//! made for each target's own settings, so the fuzzer starts from documents that pass the
//! early checks (a SAML response signed for the target's SP, request id and time).

use std::path::Path;

use axid::protocol::saml::test_idp::{ResponseSpec, SignMode, TestIdp};

const KEY: &str = include_str!("../tests/fixtures/saml/idp.key");
const CERT: &str = include_str!("../tests/fixtures/saml/idp.crt");

fn write(target: &str, name: &str, body: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    std::fs::create_dir_all(&dir).expect("corpus dir");
    std::fs::write(dir.join(name), body).expect("seed");
}

fn saml() {
    let idp = TestIdp::new(KEY, CERT);
    for (name, sign) in [
        ("assertion-signed", SignMode::Assertion),
        ("response-signed", SignMode::Response),
        ("both-signed", SignMode::Both),
    ] {
        let mut spec = ResponseSpec::new(
            "https://idp.example.test/",
            "http://sp.test/auth/saml/acme/metadata",
            "http://sp.test/auth/saml/acme/callback",
            "ada@acme.test",
            1_790_000_000_000,
        );
        spec.in_response_to = Some("_req1".into());
        spec.sign = sign;
        spec.attributes
            .push(("groups".into(), vec!["Engineering".into(), "Staff".into()]));
        write(
            "saml_response",
            name,
            &idp.response_xml(&spec).expect("signed"),
        );
    }
}

fn metadata() {
    let body: String = CERT.lines().filter(|l| !l.starts_with("-----")).collect();
    let xml = format!(
        r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.test/" cacheDuration="PT2H" validUntil="2030-01-01T00:00:00Z"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor><NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/sso/post"/></IDPSSODescriptor></EntityDescriptor>"#
    );
    write("idp_metadata", "okta-like", &xml);
}

fn main() {
    saml();
    metadata();
    let filters = [
        r#"userName eq "ada@acme.test""#,
        r#"emails[type eq "work" and value co "@acme"]"#,
        r#"externalId eq "00u1abcd" and active eq true"#,
        r#"displayName sw "Eng" or not (members[value eq "u1"])"#,
        r#"meta.lastModified gt "2026-01-01T00:00:00Z""#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr"#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R\u0026D""#,
    ];
    for (i, f) in filters.iter().enumerate() {
        write("scim_filter", &format!("filter-{i}"), f);
    }
    let patches = [
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#,
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u3"}]},{"op":"remove","path":"members[value eq \"u1\"]"}]}"#,
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"name.givenName":"Ada","emails[type eq \"work\"].value":"a@acme.test"}}]}"#,
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"u9"}}]}"#,
    ];
    for (i, p) in patches.iter().enumerate() {
        write("scim_patch", &format!("patch-{i}"), p);
    }
    let jwts = [
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwczovL2lkcC50ZXN0Iiwic3ViIjoiYWRhIiwiYXVkIjoiYXhpZCIsImV4cCI6MTc5MDAwMDAwMCwibm9uY2UiOiJuIn0.c2lnbmF0dXJl",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZGEifQ.",
        "eyJhbGciOiJFUzI1NiIsImNyaXQiOlsiYjY0Il19.e30.c2ln",
    ];
    for (i, t) in jwts.iter().enumerate() {
        write("jwt", &format!("jwt-{i}"), t);
    }
}
