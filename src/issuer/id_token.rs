//! ID tokens of the OpenID provider (OIDC Core §2, CONTRACT.md §13): every claim the contract
//! lists, signed by the key ring with the client's algorithm and `typ` `JWT`, so an ID token
//! is never accepted where an access token (`at+jwt`) is expected (RFC 9068 §2.1).

use serde_json::{json, Value};

use crate::domain::OrgId;
use crate::jose::Alg;
use crate::state::AppState;

pub const ID_TOKEN_TYP: &str = "JWT";

#[derive(Debug)]
pub struct IdTokenClaims<'a> {
    pub org: &'a OrgId,
    pub subject: &'a str,
    pub client_id: &'a str,
    pub nonce: Option<&'a str>,
    pub auth_time_ms: i64,
    pub amr: &'a str,
    pub email: Option<&'a str>,
    pub email_verified: bool,
    pub name: Option<&'a str>,
    pub roles: &'a [String],
    pub ttl_secs: i64,
    pub alg: Alg,
}

/// The claims object; a claim without a value is left out (OIDC Core §5.3.2).
pub fn id_token_claims(issuer: &str, now_ms: i64, c: &IdTokenClaims<'_>) -> Value {
    let iat = now_ms / 1000;
    let mut claims = json!({
        "iss": issuer,
        "sub": c.subject,
        "aud": c.client_id,
        "azp": c.client_id,
        "auth_time": c.auth_time_ms / 1000,
        "amr": [c.amr],
        "org_id": c.org.as_str(),
        "roles": c.roles,
        "iat": iat,
        "exp": iat + c.ttl_secs,
    });
    if let Some(map) = claims.as_object_mut() {
        if let Some(nonce) = c.nonce {
            map.insert("nonce".into(), json!(nonce));
        }
        if let Some(email) = c.email {
            map.insert("email".into(), json!(email));
            map.insert("email_verified".into(), json!(c.email_verified));
        }
        if let Some(name) = c.name {
            map.insert("name".into(), json!(name));
        }
    }
    claims
}

pub async fn sign_id_token(state: &AppState, c: &IdTokenClaims<'_>) -> Result<String, String> {
    let now = state.clock.now_ms();
    let claims = id_token_claims(&state.settings.public_url, now, c);
    state
        .issuer
        .keyring
        .sign(&state.store, now, c.alg, ID_TOKEN_TYP, &claims)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_values_are_left_out_and_times_are_seconds() {
        let org = OrgId::parse("acme").unwrap();
        let roles = vec!["viewer".to_owned()];
        let c = IdTokenClaims {
            org: &org,
            subject: "u1",
            client_id: "axc_x",
            nonce: None,
            auth_time_ms: 5_999,
            amr: "saml",
            email: None,
            email_verified: true,
            name: Some("Ann"),
            roles: &roles,
            ttl_secs: 600,
            alg: Alg::Rs256,
        };
        let claims = id_token_claims("https://id.test", 10_500, &c);
        assert_eq!(claims["auth_time"], 5);
        assert_eq!(claims["iat"], 10);
        assert_eq!(claims["exp"], 610);
        assert_eq!(claims["amr"], json!(["saml"]));
        assert!(claims.get("nonce").is_none() && claims.get("email").is_none());
        assert!(claims.get("email_verified").is_none());
        assert_eq!(claims["name"], "Ann");
    }
}
