//! The attack corpus builder: each case derived by our own code from a valid signed
//! response (XSW1–8 after Somorovsky et al., "On Breaking SAML", 2012, and the other shapes
//! of CONTRACT.md §7), with the status and reason code the ACS must answer.

use axid::protocol::saml::test_idp::{ResponseSpec, SignMode, TestIdp};
use bergshamra::core::algorithm as alg;

use super::*;
use crate::helpers::TestApp;

/// The text of the first element starting with `open` through its `close` tag.
fn element<'a>(xml: &'a str, open: &str, close: &str) -> &'a str {
    let start = xml.find(open).unwrap_or_else(|| panic!("{open} in {xml}"));
    let end = xml[start..].find(close).expect(close) + start + close.len();
    &xml[start..end]
}

fn signature(xml: &str) -> &str {
    element(xml, "<ds:Signature", "</ds:Signature>")
}

fn assertion(xml: &str) -> &str {
    element(xml, "<saml:Assertion ", "</saml:Assertion>")
}

fn without_signature(xml: &str) -> String {
    xml.replacen(signature(xml), "", 1)
}

/// Inserts `what` right after the first `</saml:Issuer>` at or after `from`.
fn after_issuer(xml: &str, from: usize, what: &str) -> String {
    let at = xml[from..].find("</saml:Issuer>").expect("issuer") + from + "</saml:Issuer>".len();
    format!("{}{what}{}", &xml[..at], &xml[at..])
}

fn evil(text: &str, spec: &ResponseSpec) -> String {
    text.replace(&spec.name_id, "mallory@acme.com")
        .replace(&spec.assertion_id, "_evil_assertion")
        .replace(&spec.response_id, "_evil_response")
}

pub struct Case {
    pub name: &'static str,
    pub body: String,
    pub status: u16,
    pub code: &'static str,
}

fn case(name: &'static str, xml: String, status: u16, code: &'static str) -> Case {
    Case {
        name,
        body: b64(&xml),
        status,
        code,
    }
}

fn signed(spec: &ResponseSpec) -> String {
    idp().response_xml(spec).expect("sign")
}

/// All cases for one flow-bound spec maker.
pub fn corpus(app: &TestApp, mk: &dyn Fn() -> ResponseSpec) -> Vec<Case> {
    let now = app.clock_now();
    let mut out = Vec::new();
    let with = |f: &dyn Fn(&mut ResponseSpec)| {
        let mut s = mk();
        f(&mut s);
        s
    };

    // XSW1: the signed Response is wrapped inside the Signature of an evil Response.
    let s = with(&|s| s.sign = SignMode::Response);
    let x = signed(&s);
    let sig = signature(&x).to_owned();
    let original = without_signature(&x);
    let wrapped_sig = sig.replacen("</ds:Signature>", &format!("{original}</ds:Signature>"), 1);
    out.push(case(
        "xsw1",
        after_issuer(&evil(&original, &s), 0, &wrapped_sig),
        403,
        "assertion_count",
    ));
    // XSW2: the same with the original Response as a detached sibling before the Signature.
    out.push(case(
        "xsw2",
        after_issuer(&evil(&original, &s), 0, &format!("{original}{sig}")),
        403,
        "assertion_count",
    ));

    let s = with(&|s| s.sign = SignMode::Assertion);
    let x = signed(&s);
    let a = assertion(&x).to_owned();
    let evil_a = evil(&without_signature(&a), &s);
    // XSW3: an evil unsigned assertion before the signed one.
    out.push(case(
        "xsw3",
        x.replacen(&a, &format!("{evil_a}{a}"), 1),
        403,
        "assertion_count",
    ));
    // XSW4: the signed assertion moved inside the evil one.
    let evil_holding = evil_a.replacen("</saml:Assertion>", &format!("{a}</saml:Assertion>"), 1);
    out.push(case(
        "xsw4",
        x.replacen(&a, &evil_holding, 1),
        403,
        "assertion_count",
    ));
    // XSW5: the evil assertion carries the signature; an unsigned copy of the original follows.
    let evil_signed = after_issuer(&evil_a, 0, signature(&a));
    out.push(case(
        "xsw5",
        x.replacen(&a, &format!("{evil_signed}{}", without_signature(&a)), 1),
        403,
        "assertion_count",
    ));
    // XSW6: the original (unsigned) assertion inside the evil assertion's Signature.
    let sig_holding = signature(&a).replacen(
        "</ds:Signature>",
        &format!("{}</ds:Signature>", without_signature(&a)),
        1,
    );
    out.push(case(
        "xsw6",
        x.replacen(&a, &after_issuer(&evil_a, 0, &sig_holding), 1),
        403,
        "assertion_count",
    ));
    // XSW7: the signed assertion hidden in Extensions, the evil one beside it.
    let ext = format!("<samlp:Extensions>{a}</samlp:Extensions>");
    out.push(case(
        "xsw7",
        after_issuer(&x.replacen(&a, &evil_a, 1), 0, &ext),
        403,
        "assertion_count",
    ));
    // XSW8: the original inside a ds:Object of the evil assertion's Signature.
    let obj = signature(&a).replacen(
        "</ds:Signature>",
        &format!(
            "<ds:Object>{}</ds:Object></ds:Signature>",
            without_signature(&a)
        ),
        1,
    );
    out.push(case(
        "xsw8",
        x.replacen(&a, &after_issuer(&evil_a, 0, &obj), 1),
        403,
        "assertion_count",
    ));
    // Wrapping without a second assertion: the assertion's signature moved to the Response.
    let moved = after_issuer(&without_signature(&x), 0, signature(&a));
    out.push(case(
        "signature_moved_to_response",
        moved,
        403,
        "reference_mismatch",
    ));
    // The Response given the assertion's ID, so an ID lookup could pick either.
    out.push(case(
        "duplicate_id",
        x.replacen(
            &format!("ID=\"{}\"", s.response_id),
            &format!("ID=\"{}\"", s.assertion_id),
            1,
        ),
        403,
        "duplicate_id",
    ));
    // Signature removed, or content changed after signing.
    out.push(case(
        "signature_removed",
        without_signature(&x),
        403,
        "signature_missing",
    ));
    out.push(case(
        "content_changed",
        x.replacen(&format!(">{}<", s.name_id), ">mallory@acme.com<", 1),
        403,
        "digest_mismatch",
    ));
    out.push(case(
        "reference_uri_empty",
        x.replacen(&format!("URI=\"#{}\"", s.assertion_id), "URI=\"\"", 1),
        403,
        "reference_mismatch",
    ));
    out.push(case("c14n_with_comments", x.replacen("<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"", "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#WithComments\"", 1), 403, "disallowed_algorithm"));
    out.push(case(
        "xslt_transform",
        x.replacen(
            "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>",
            1,
        ),
        403,
        "disallowed_algorithm",
    ));
    out.push(case(
        "two_assertions",
        x.replacen(
            &a,
            &format!("{a}{}", a.replace(&s.assertion_id, "_second")),
            1,
        ),
        403,
        "assertion_count",
    ));
    out.push(case(
        "signature_in_subject",
        x.replacen(
            "<saml:Subject>",
            &format!("<saml:Subject>{}", signature(&a)),
            1,
        ),
        403,
        "signature_misplaced",
    ));
    out.push(case("encrypted_assertion", x.replacen(&a, "<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"/></saml:EncryptedAssertion>", 1), 403, "encrypted_assertion_unsupported"));
    // An attacker's key, its certificate in KeyInfo.
    let attacker = TestIdp::new(ATTACKER_KEY, ATTACKER_CERT);
    out.push(case(
        "attacker_key_in_keyinfo",
        attacker.response_xml(&with(&|_| {})).expect("sign"),
        403,
        "signature_invalid",
    ));
    // Comment injection: the IdP signed "alice@acme.com.evil.test"; the attacker splits it.
    let ci = signed(&with(&|s| s.name_id = "alice@acme.com.evil.test".into()));
    out.push(case(
        "comment_injection_name_id",
        ci.replacen(
            ">alice@acme.com.evil.test<",
            ">alice@acme.com<!---->.evil.test<",
            1,
        ),
        403,
        "identity_not_plain_text",
    ));
    // Audience, Recipient, Destination, Issuer.
    out.push(case(
        "wrong_audience",
        signed(&with(&|s| s.audience = "https://other-sp.test/".into())),
        403,
        "wrong_audience",
    ));
    out.push(case(
        "other_org_audience",
        signed(&with(&|s| s.audience = sp_entity(app, "globex"))),
        403,
        "wrong_audience",
    ));
    out.push(case(
        "wrong_recipient",
        signed(&with(&|s| s.recipient = acs_url(app, "globex"))),
        403,
        "wrong_recipient",
    ));
    out.push(case(
        "wrong_destination",
        signed(&with(&|s| s.destination = acs_url(app, "globex"))),
        403,
        "wrong_destination",
    ));
    out.push(case(
        "wrong_issuer",
        signed(&with(&|s| s.issuer = "https://evil-idp.test/".into())),
        403,
        "wrong_issuer",
    ));
    // Time windows (skew 120 s).
    out.push(case(
        "expired",
        signed(&with(&|s| {
            s.issue_instant = now - 600_000;
            s.not_on_or_after = now - 300_000;
        })),
        403,
        "expired",
    ));
    out.push(case(
        "not_yet_valid",
        signed(&with(&|s| s.not_before = now + 600_000)),
        403,
        "not_yet_valid",
    ));
    out.push(case(
        "issued_in_future",
        signed(&with(&|s| s.issue_instant = now + 600_000)),
        403,
        "issued_in_future",
    ));
    // InResponseTo.
    out.push(case(
        "wrong_in_response_to",
        signed(&with(&|s| {
            s.in_response_to = Some("_someone_elses_request".into())
        })),
        403,
        "wrong_in_response_to",
    ));
    out.push(case(
        "missing_in_response_to",
        signed(&with(&|s| s.in_response_to = None)),
        403,
        "missing_in_response_to",
    ));
    // Weak algorithms.
    out.push(case(
        "sha1_signature",
        signed(&with(&|s| s.signature_method = alg::RSA_SHA1.into())),
        403,
        "weak_algorithm",
    ));
    out.push(case(
        "sha1_digest",
        signed(&with(&|s| s.digest_method = alg::SHA1.into())),
        403,
        "weak_algorithm",
    ));
    // Status, document type, DTDs.
    out.push(case(
        "non_success_status",
        signed(&with(&|s| {
            s.status = "urn:oasis:names:tc:SAML:2.0:status:Requester".into()
        })),
        403,
        "status_not_success",
    ));
    out.push(case(
        "not_a_response",
        x.replace("samlp:Response", "samlp:LogoutResponse"),
        400,
        "not_a_response",
    ));
    out.push(case(
        "dtd",
        format!("<!DOCTYPE samlp:Response>{x}"),
        400,
        "dtd_forbidden",
    ));
    let xxe = x.replacen(&format!(">{}<", s.name_id), ">&xxe;<", 1);
    out.push(case(
        "xxe",
        format!("<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>{xxe}"),
        400,
        "dtd_forbidden",
    ));
    let laughs: String = (1..10)
        .map(|i| {
            format!(
                "<!ENTITY l{i} \"&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};&l{p};\">",
                p = i - 1
            )
        })
        .collect();
    out.push(case(
        "billion_laughs",
        format!(
            "<!DOCTYPE r [<!ENTITY l0 \"lol\">{laughs}]>{}",
            x.replacen(&format!(">{}<", s.name_id), ">&l9;<", 1)
        ),
        400,
        "dtd_forbidden",
    ));
    // Size and shape.
    let padding = "<!--".to_owned() + &"x".repeat(300 * 1024) + "-->";
    out.push(case(
        "oversized",
        format!("{x}{padding}"),
        413,
        "response_too_large",
    ));
    out.push(case(
        "malformed_xml",
        x[..x.len() / 2].to_owned(),
        400,
        "malformed_xml",
    ));
    out.push(Case {
        name: "malformed_base64",
        body: "%%% not base64 %%%".into(),
        status: 400,
        code: "malformed_encoding",
    });
    out
}

pub trait Now {
    fn clock_now(&self) -> i64;
}

impl Now for TestApp {
    fn clock_now(&self) -> i64 {
        axid::clock::Clock::now_ms(&*self.clock)
    }
}
