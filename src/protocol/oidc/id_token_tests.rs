//! Unit tests of the ID token checks, with keys generated in the test.

use serde_json::{json, Value};

use super::*;
use crate::protocol::oidc::test_support::{ec_jwk, key_set, mint, rsa_jwk};

const NOW: i64 = 1_800_000_000;
const ISS: &str = "https://idp.example.com";
const CLIENT: &str = "client-1";

fn want() -> Expected<'static> {
    Expected {
        issuer: ISS,
        client_id: CLIENT,
        nonce: "n-123",
        now_secs: NOW,
        skew_secs: 60,
    }
}

fn claims() -> Value {
    json!({"iss": ISS, "aud": CLIENT, "sub": "u1", "exp": NOW + 300, "iat": NOW, "nonce": "n-123"})
}

fn rs256(claims: &Value) -> String {
    mint(&json!({"alg": "RS256", "kid": "r1"}), claims, b"")
}

fn check(token: &str) -> Result<Claims, OidcReason> {
    verify(token, &key_set(&[rsa_jwk("r1"), ec_jwk("e1")]), &want())
}

fn with(field: &str, value: Value) -> Value {
    let mut c = claims();
    c[field] = value;
    c
}

#[test]
fn a_well_formed_token_passes_every_check() {
    let claims = check(&rs256(&claims())).expect("valid");
    assert_eq!(claims["sub"], "u1");
}

#[test]
fn rsa_pss_and_ecdsa_tokens_verify_too() {
    let ps = mint(&json!({"alg": "PS256", "kid": "r1"}), &claims(), b"");
    let mut set = key_set(&[ec_jwk("e1")]);
    // The RS256-pinned JWK must not verify PS256; an unpinned copy of the key does.
    let mut unpinned = rsa_jwk("r1");
    unpinned.as_object_mut().unwrap().remove("alg");
    set.keys.extend(key_set(&[unpinned]).keys);
    assert!(verify(&ps, &set, &want()).is_ok());
    let es = mint(&json!({"alg": "ES256", "kid": "e1"}), &claims(), b"");
    assert!(check(&es).is_ok());
}

#[test]
fn alg_none_and_hmac_are_refused_even_when_a_secret_would_verify() {
    let none = mint(&json!({"alg": "none", "kid": "r1"}), &claims(), b"");
    assert_eq!(check(&none).unwrap_err(), OidcReason::AlgNotAllowed);
    let hs = mint(
        &json!({"alg": "HS256", "kid": "h1"}),
        &claims(),
        b"client-secret",
    );
    let with_oct = key_set(&[json!({"kty": "oct", "kid": "h1", "k": "Y2xpZW50LXNlY3JldA"})]);
    assert_eq!(
        verify(&hs, &with_oct, &want()).unwrap_err(),
        OidcReason::AlgNotAllowed
    );
}

#[test]
fn an_unknown_kid_or_a_key_of_the_wrong_type_is_kid_unknown() {
    let other = mint(&json!({"alg": "RS256", "kid": "r9"}), &claims(), b"");
    assert_eq!(check(&other).unwrap_err(), OidcReason::KidUnknown);
    let wrong_type = mint(&json!({"alg": "RS256", "kid": "e1"}), &claims(), b"");
    assert_eq!(check(&wrong_type).unwrap_err(), OidcReason::KidUnknown);
}

#[test]
fn a_changed_payload_breaks_the_signature() {
    let token = rs256(&claims());
    let forged = rs256(&with("sub", json!("admin")));
    let parts: Vec<&str> = token.split('.').collect();
    let forged_payload = forged.split('.').nth(1).unwrap();
    let spliced = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_eq!(check(&spliced).unwrap_err(), OidcReason::SignatureInvalid);
}

#[test]
fn issuer_audience_and_azp_are_checked_exactly() {
    let cases = [
        (
            with("iss", json!("https://idp.example.com/")),
            OidcReason::IssuerMismatch,
        ),
        (
            with("aud", json!("someone-else")),
            OidcReason::AudienceMismatch,
        ),
        (with("aud", json!([])), OidcReason::AudienceMismatch),
        (with("aud", json!([CLIENT, "api"])), OidcReason::AzpMismatch),
        (with("azp", json!("someone-else")), OidcReason::AzpMismatch),
    ];
    for (claims, reason) in cases {
        assert_eq!(check(&rs256(&claims)).unwrap_err(), reason, "{claims}");
    }
    let mut several = with("aud", json!(["api", CLIENT]));
    several["azp"] = json!(CLIENT);
    assert!(check(&rs256(&several)).is_ok());
}

#[test]
fn time_claims_hold_within_the_skew() {
    assert!(check(&rs256(&with("exp", json!(NOW - 30)))).is_ok());
    let cases = [
        (with("exp", json!(NOW - 61)), OidcReason::TokenExpired),
        (with("exp", json!("soon")), OidcReason::MalformedToken),
        (with("iat", json!(NOW + 120)), OidcReason::IssuedInFuture),
        (with("nbf", json!(NOW + 120)), OidcReason::TokenNotYetValid),
    ];
    for (claims, reason) in cases {
        assert_eq!(check(&rs256(&claims)).unwrap_err(), reason, "{claims}");
    }
    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        check(&rs256(&no_exp)).unwrap_err(),
        OidcReason::TokenExpired
    );
}

#[test]
fn the_nonce_must_be_the_flows_own() {
    let wrong = rs256(&with("nonce", json!("n-999")));
    assert_eq!(check(&wrong).unwrap_err(), OidcReason::NonceMismatch);
    let mut missing = claims();
    missing.as_object_mut().unwrap().remove("nonce");
    assert_eq!(
        check(&rs256(&missing)).unwrap_err(),
        OidcReason::NonceMismatch
    );
}

#[test]
fn garbage_is_malformed_never_a_panic() {
    for token in [
        "",
        ".",
        "a.b",
        "a.b.c.d.e",
        "!!.??.##",
        "e30.e30.",
        "eyJhbGciOiJSUzI1NiJ9.%%.AA",
    ] {
        assert!(check(token).is_err(), "{token}");
    }
    let crit = mint(
        &json!({"alg": "RS256", "kid": "r1", "crit": ["x"]}),
        &claims(),
        b"",
    );
    assert_eq!(check(&crit).unwrap_err(), OidcReason::MalformedToken);
}
