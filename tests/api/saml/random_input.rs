//! Bad input at the real ACS: random bytes, random form fields and truncated responses get
//! a 4xx and never a 500 or a cookie (bounded count, fixed seed).

use rand::{Rng, SeedableRng};
use serde_json::json;

use super::*;
use crate::helpers::{new_client, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(random_bodies_at_the_acs_get_a_4xx);

async fn random_bodies_at_the_acs_get_a_4xx(app: TestApp) {
    configured(&app, "acme", json!({})).await;
    let valid = idp()
        .response_b64(&spec_for(&app, "acme", None, "alice@acme.com"))
        .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for i in 0..60 {
        let body: Vec<u8> = match i % 3 {
            0 => (0..rng.gen_range(0..2048)).map(|_| rng.gen()).collect(),
            1 => {
                let cut = rng.gen_range(0..valid.len());
                format!(
                    "SAMLResponse={}&RelayState={}",
                    &valid[..cut],
                    rng.gen::<u64>()
                )
                .into_bytes()
            }
            _ => {
                let mut b = format!("SAMLResponse={valid}").into_bytes();
                let at = rng.gen_range(13..b.len());
                b[at] = rng.gen();
                b
            }
        };
        let res = new_client()
            .post(acs_url(&app, "acme"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "input {i}: status {status}");
        assert!(res.headers().get("set-cookie").is_none());
    }
}
