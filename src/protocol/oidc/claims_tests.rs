//! Unit tests of claims to identity, per provider.

use serde_json::{json, Value};

use super::*;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

fn claims(v: Value) -> Claims {
    v.as_object().cloned().unwrap()
}

fn read(provider: Provider, domains: &[&str], v: Value) -> Result<OidcIdentity, OidcReason> {
    let mapping = ClaimMapping::defaults(provider);
    let domains: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
    let issuer = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    let policy = ClaimPolicy {
        provider,
        mapping: &mapping,
        allowed_email_domains: &domains,
        issuer: &issuer,
    };
    identity_from_claims(&claims(v), &policy)
}

#[test]
fn okta_groups_email_and_name_are_read() {
    let id = read(
        Provider::Okta,
        &["acme.com"],
        json!({"sub": "00u1", "email": "Ann@ACME.com", "email_verified": true, "name": "Ann",
               "groups": ["Everyone", "axid-admins", "Everyone"]}),
    )
    .unwrap();
    assert_eq!(id.subject, "00u1");
    assert_eq!(id.email.as_deref(), Some("Ann@ACME.com"));
    assert_eq!(id.groups, ["Everyone", "axid-admins"]);
}

#[test]
fn entra_reads_groups_and_app_roles_and_checks_the_tenant() {
    let id = read(
        Provider::Entra,
        &[],
        json!({"sub": "s", "tid": TENANT, "groups": ["0b5c-obj-id"], "roles": ["Axid.Admin"]}),
    )
    .unwrap();
    assert_eq!(id.groups, ["0b5c-obj-id", "Axid.Admin"]);
    let other = read(
        Provider::Entra,
        &[],
        json!({"sub": "s", "tid": "00000000-0000-0000-0000-000000000000"}),
    );
    assert_eq!(other.unwrap_err(), OidcReason::TenantMismatch);
    assert!(entra_tenant("https://login.microsoftonline.com/common/v2.0").is_err());
    assert!(entra_tenant("https://login.microsoftonline.com/organizations/v2.0").is_err());
    assert_eq!(
        entra_tenant(&format!("https://login.microsoftonline.com/{TENANT}/v2.0")),
        Ok(TENANT)
    );
}

#[test]
fn auth0_namespaced_claims_carry_groups() {
    let id = read(
        Provider::Auth0,
        &[],
        json!({"sub": "auth0|1", "https://example.com/groups": ["eng"], "https://example.com/roles": "admins",
               "http://other/not-groups": ["x"]}),
    )
    .unwrap();
    assert_eq!(id.groups, ["eng", "admins"]);
}

#[test]
fn google_needs_the_hosted_domain_when_domains_are_restricted() {
    let ok = read(
        Provider::Google,
        &["acme.com"],
        json!({"sub": "1", "email": "a@acme.com", "email_verified": true, "hd": "acme.com"}),
    );
    assert!(ok.is_ok());
    let consumer = read(
        Provider::Google,
        &["acme.com"],
        json!({"sub": "1", "email": "a@acme.com", "email_verified": true}),
    );
    assert_eq!(consumer.unwrap_err(), OidcReason::HostedDomainNotAllowed);
}

#[test]
fn email_verified_must_be_true_when_sent() {
    for sent in [json!(false), json!("false"), json!(0), json!(null)] {
        let r = read(
            Provider::Generic,
            &[],
            json!({"sub": "1", "email": "a@b.c", "email_verified": sent}),
        );
        assert_eq!(r.unwrap_err(), OidcReason::EmailNotVerified);
    }
    assert!(read(
        Provider::Generic,
        &[],
        json!({"sub": "1", "email": "a@b.c"})
    )
    .is_ok());
    assert!(read(
        Provider::Generic,
        &[],
        json!({"sub": "1", "email_verified": "true"})
    )
    .is_ok());
}

#[test]
fn allowed_domains_compare_whole_domains_case_insensitively() {
    let r = |email: &str| {
        read(
            Provider::Okta,
            &["Acme.com"],
            json!({"sub": "1", "email": email}),
        )
    };
    assert!(r("x@ACME.COM").is_ok());
    assert_eq!(
        r("x@evil-acme.com").unwrap_err(),
        OidcReason::EmailDomainNotAllowed
    );
    assert_eq!(
        r("x@acme.com.evil").unwrap_err(),
        OidcReason::EmailDomainNotAllowed
    );
    assert_eq!(
        r("x@sub.acme.com").unwrap_err(),
        OidcReason::EmailDomainNotAllowed
    );
    let none = read(Provider::Okta, &["acme.com"], json!({"sub": "1"}));
    assert_eq!(none.unwrap_err(), OidcReason::EmailMissing);
}

#[test]
fn a_missing_subject_is_refused_and_mapping_overrides_apply() {
    assert_eq!(
        read(Provider::Okta, &[], json!({"email": "a@b.c"})).unwrap_err(),
        OidcReason::SubjectMissing
    );
    let overrides = [
        ("groups".to_string(), "teams".to_string()),
        ("email".to_string(), "mail".to_string()),
    ]
    .into_iter()
    .collect();
    let m = ClaimMapping::with_overrides(Provider::Okta, &overrides);
    assert_eq!(m.groups, ["teams"]);
    assert_eq!(m.email, "mail");
}
