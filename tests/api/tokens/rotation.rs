//! The key ring (CONTRACT.md §12): JWKS caching, discovery, and rotation (next published
//! before it signs, retired kept until its tokens expired, one replica at a time).

use std::collections::HashSet;

use super::{access_token, introspect, jwt_parts, service_client};
use crate::both_dbs_with;
use crate::helpers::{json_of, spawn_replica, TestApp};

/// A one-hour period and a one-minute JWKS cache: the next key appears 180 s (2 x 60 s +
/// one 60 s refresh) before it signs.
const FAST: [(&str, &str); 2] = [
    ("SIGNING_KEY_ROTATION_PERIOD", "1h"),
    ("JWKS_MAX_AGE_SECS", "60"),
];

both_dbs_with!(FAST;
    the_jwks_is_cacheable_and_discovery_names_every_endpoint,
    rotation_publishes_the_next_key_first_and_keeps_the_retired_one,
    replicas_rotate_one_at_a_time_and_sign_with_the_same_key,
);

async fn kids(app: &TestApp) -> HashSet<String> {
    let jwks = json_of(app.get("/oauth2/jwks").await).await;
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["alg"] == "RS256")
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn kid_of(token: &str) -> String {
    jwt_parts(token).0["kid"].as_str().unwrap().to_owned()
}

async fn rotate(app: &TestApp) -> axid::state::keyring::RotationReport {
    let state = &app.state;
    state
        .issuer
        .keyring
        .rotate(&state.store, state.clock.now_ms())
        .await
        .expect("rotation")
}

async fn the_jwks_is_cacheable_and_discovery_names_every_endpoint(app: TestApp) {
    let res = app.get("/oauth2/jwks").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body = json_of(res).await;
    let keys = body["keys"].as_array().unwrap();
    let shapes: HashSet<(String, String)> = keys
        .iter()
        .map(|k| {
            (
                k["kty"].as_str().unwrap().to_owned(),
                k["alg"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [("RSA", "RS256"), ("EC", "ES256"), ("OKP", "EdDSA")];
    assert_eq!(
        shapes,
        expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    );
    assert!(keys.iter().all(|k| k["use"] == "sig"));
    let key = &keys[0];
    assert!(
        key.get("d").is_none() && key.get("p").is_none(),
        "never a private part"
    );
    let cached = app
        .client
        .get(app.url("/oauth2/jwks"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    let stale = app
        .client
        .get(app.url("/oauth2/jwks"))
        .header("if-none-match", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let doc = json_of(app.get(path).await).await;
        assert_eq!(doc["issuer"], app.address);
        assert_eq!(
            doc["token_endpoint"],
            format!("{}/oauth2/token", app.address)
        );
        assert_eq!(doc["jwks_uri"], format!("{}/oauth2/jwks", app.address));
        assert_eq!(
            doc["introspection_endpoint"],
            format!("{}/oauth2/introspect", app.address)
        );
        assert!(doc["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&"client_credentials".into()));
        assert_eq!(
            doc["token_endpoint_auth_methods_supported"],
            serde_json::json!(["client_secret_basic", "client_secret_post"])
        );
        assert_eq!(
            doc["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
    }
}

async fn rotation_publishes_the_next_key_first_and_keeps_the_retired_one(app: TestApp) {
    app.org_admin_session("acme").await;
    let c = service_client(&app, &[]).await;
    let rs = service_client(&app, &[]).await;
    let first = access_token(&app, &c).await;
    let k1 = kid_of(&first);
    assert_eq!(rotate(&app).await, Default::default(), "nothing due yet");
    app.clock.advance_secs(3600 - 180);
    let report = rotate(&app).await;
    // Every algorithm got its first key together, so all three rotate together.
    assert_eq!(report.created_next, vec!["RS256", "ES256", "EdDSA"]);
    let published = kids(&app).await;
    assert_eq!(
        published.len(),
        2,
        "the next key is published before it signs"
    );
    let before = access_token(&app, &c).await;
    assert_eq!(kid_of(&before), k1, "the active key still signs");
    let k2 = published.iter().find(|k| **k != k1).unwrap().clone();
    app.clock.advance_secs(180);
    let after = access_token(&app, &c).await;
    assert_eq!(
        kid_of(&after),
        k2,
        "the next key signs from its activation time"
    );
    assert_eq!(rotate(&app).await.promoted, vec!["RS256", "ES256", "EdDSA"]);
    assert_eq!(kids(&app).await.len(), 2, "the retired key stays published");
    assert_eq!(
        introspect(&app, &rs, &before).await["active"],
        true,
        "tokens of the retired key verify"
    );
    assert_eq!(introspect(&app, &rs, &after).await["active"], true);
    app.clock.advance_secs(3600 + 180);
    assert_eq!(
        rotate(&app).await.deleted,
        3,
        "dropped once their tokens all expired"
    );
    let published = kids(&app).await;
    assert!(
        !published.contains(&k1) && published.contains(&k2),
        "{published:?}"
    );
}

async fn replicas_rotate_one_at_a_time_and_sign_with_the_same_key(app: TestApp) {
    app.org_admin_session("acme").await;
    let replica = spawn_replica(&app, &FAST).await;
    let c = service_client(&app, &[]).await;
    let a = access_token(&app, &c).await;
    let b = access_token(&replica, &c).await;
    assert_eq!(kid_of(&a), kid_of(&b), "one active key for every replica");
    let old = kid_of(&a);
    app.clock.advance_secs(3600 - 180);
    let (x, y) = tokio::join!(rotate(&app), rotate(&replica));
    assert_eq!(
        x.created_next.len() + y.created_next.len(),
        3,
        "one replica made one next key per algorithm: {x:?} {y:?}"
    );
    // The replica that lost the lease loads the new key on its next tick, well before the
    // key signs (the publish lead is longer than a tick).
    rotate(&app).await;
    rotate(&replica).await;
    app.clock.advance_secs(180);
    let a = access_token(&app, &c).await;
    let b = access_token(&replica, &c).await;
    assert_eq!(kid_of(&a), kid_of(&b), "both switch at the activation time");
    assert_ne!(kid_of(&a), old);
}
