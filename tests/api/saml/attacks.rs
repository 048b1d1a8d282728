//! The attack corpus (see `attack_corpus.rs`) posted to the real ACS: every case must be
//! refused with its exact typed reason, which the audit feed then shows.

use serde_json::json;

use super::attack_corpus::{corpus, Now};
use super::*;
use crate::helpers::TestApp;
use crate::saml_both_dbs;

saml_both_dbs!(every_attack_is_refused_with_its_typed_reason);

async fn every_attack_is_refused_with_its_typed_reason(app: TestApp) {
    configured(&app, "acme", json!({"clock_skew_seconds": 120})).await;
    // The corpus answers one request id; every case gets its own flow with that id.
    let template_flow = Flow {
        request_id: "_TEMPLATE_REQUEST_ID_0000000000000000000000".into(),
        relay_state: String::new(),
        binding: String::new(),
    };
    let mk = || spec_for(&app, "acme", Some(&template_flow), "alice@acme.com");
    let cases = corpus(&app, &mk);
    let mut expected = Vec::new();
    let org = axid::domain::OrgId::parse("acme").unwrap();
    for (i, c) in cases.iter().enumerate() {
        // A flow of this org whose outstanding request id is the one the corpus answers,
        // stored as /login stores it (each case consumes its own RelayState).
        let flow = Flow {
            request_id: template_flow.request_id.clone(),
            relay_state: format!("attack-case-{i}"),
            binding: format!("attack-binding-{i}"),
        };
        let now = app.clock_now();
        let stored = axid::store::NewSamlFlow {
            relay_state_hash: &axid::protocol::saml::authn_request::relay_state_hash(
                &flow.relay_state,
            ),
            request_id: &flow.request_id,
            return_to: "/",
            binding_hash: &axid::domain::hash_secret(&flow.binding),
            purpose: axid::store::FlowPurpose::Login,
        };
        app.state
            .store
            .insert_saml_flow(&org, &stored, now, now + 600_000)
            .await
            .unwrap();
        let res = post_in_flow(&app, "acme", &c.body, &flow).await;
        let status = res.status().as_u16();
        assert!(
            res.headers().get("set-cookie").is_none(),
            "{}: cookie set",
            c.name
        );
        let text = res.text().await.unwrap_or_default();
        let got: serde_json::Value = serde_json::from_str(&text).unwrap_or(json!({"error": text}));
        assert_eq!(
            (status, got["error"].as_str().unwrap_or_default()),
            (c.status, c.code),
            "case {}",
            c.name
        );
        expected.push(c.code.to_owned());
    }
    // Replay: an accepted IdP-initiated assertion posted again.
    let res = app
        .client
        .patch(app.url("/api/v1/sso/config"))
        .json(&json!({"allow_idp_initiated": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let once = idp()
        .response_b64(&spec_for(&app, "acme", None, "alice@acme.com"))
        .unwrap();
    assert_eq!(post_response(&app, "acme", &once, None).await.status(), 303);
    assert_refused(
        post_response(&app, "acme", &once, None).await,
        403,
        "replayed_assertion",
    )
    .await;
    expected.push("none".into());
    expected.push("replayed_assertion".into());
    // The audit feed names every reason (the test clock stands still, so compare as sets
    // with multiplicity rather than by order).
    let mut reasons = audit_reasons(&app).await;
    reasons.sort();
    expected.sort();
    assert_eq!(reasons, expected);
    println!(
        "attack corpus: {} cases refused with their typed reasons",
        cases.len() + 1
    );
}
