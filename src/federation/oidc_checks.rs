//! Saving an OIDC configuration (CONTRACT.md §6): shape checks, then discovery at save time
//! (its result is cached), so a configuration that cannot work is refused with a 422 that
//! says what failed. The issuer is kept exactly as entered: ID tokens must carry it
//! byte for byte (OIDC Core 1.0 §3.1.3.7 item 2).

use serde_json::{json, Value};

use crate::clock::Millis;
use crate::federation::config::{invalid, ConfigError, OidcConfig};
use crate::net::http::OutboundPolicy;
use crate::protocol::oidc::claims::{entra_tenant, Provider};
use crate::protocol::oidc::keys::KeySet;
use crate::protocol::oidc::runtime::OidcRuntime;
use crate::state::AppState;

/// Scopes requested when the configuration names none.
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// Keys `claim_mapping` may set (see `claims::ClaimMapping::with_overrides`).
const MAPPING_KEYS: [&str; 7] = [
    "email",
    "name",
    "given_name",
    "family_name",
    "first_name",
    "last_name",
    "groups",
];

/// Checks that need no network: issuer, client id, scopes, claim mapping, Entra's tenant.
pub fn check_shape(
    oidc: &mut OidcConfig,
    provider: &str,
    policy: &OutboundPolicy,
) -> Result<(), ConfigError> {
    let issuer = oidc.issuer.as_str();
    if issuer.is_empty() || issuer.trim() != issuer {
        return Err(invalid(
            "invalid_issuer",
            "oidc.issuer is required, without surrounding spaces",
        ));
    }
    let parsed = policy
        .check_url(issuer)
        .map_err(|e| invalid("invalid_issuer", format!("oidc.issuer: {e}")))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid(
            "invalid_issuer",
            "oidc.issuer must not have a query or fragment (OIDC Discovery §2)",
        ));
    }
    if Provider::parse(provider) == Provider::Entra {
        entra_tenant(issuer).map_err(|e| invalid("invalid_issuer", e))?;
    }
    if oidc.client_id.trim().is_empty() || oidc.client_id.len() > 255 {
        return Err(invalid("missing_client_id", "oidc.client_id is required"));
    }
    if oidc.scopes.is_empty() {
        oidc.scopes = DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    }
    // RFC 6749 §3.3: scope tokens are printable ASCII without spaces, quotes or backslashes.
    let bad_scope = oidc.scopes.iter().find(|s| {
        s.is_empty()
            || !s
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
    });
    if let Some(bad) = bad_scope {
        return Err(invalid(
            "invalid_scope",
            format!("{bad:?} is not a valid scope"),
        ));
    }
    if !oidc.scopes.iter().any(|s| s == "openid") {
        oidc.scopes.insert(0, "openid".into());
    }
    if let Some(key) = oidc
        .claim_mapping
        .keys()
        .find(|k| !MAPPING_KEYS.contains(&k.as_str()))
    {
        return Err(invalid(
            "invalid_claim_mapping",
            format!(
                "claim_mapping key {key:?} is not one of {}",
                MAPPING_KEYS.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Discovery at save time; the document is cached for logins.
pub async fn discover(rt: &OidcRuntime, issuer: &str, now: Millis) -> Result<(), ConfigError> {
    rt.discover_now(issuer, now).await.map(|_| ()).map_err(|e| {
        invalid(
            "oidc_discovery_failed",
            format!("OIDC discovery failed: {e}"),
        )
    })
}

fn check(name: &str, ok: bool, detail: impl Into<String>) -> Value {
    json!({"name": name, "ok": ok, "detail": detail.into()})
}

/// The OIDC checks of `POST /api/v1/sso/config/test`: discovery now, the JWKS holds usable
/// signing keys, and the stored client secret decrypts. Changes nothing but the caches.
pub async fn test_checks(state: &AppState, oidc: &OidcConfig, now: Millis) -> Vec<Value> {
    let mut checks = Vec::new();
    let secret_ok = oidc
        .client_secret_enc
        .as_deref()
        .is_some_and(|enc| state.sso.keyring.decrypt(enc).is_ok());
    checks.push(check(
        "oidc_client_secret",
        secret_ok,
        if secret_ok {
            "the client secret is stored and decrypts"
        } else {
            "no usable client secret is stored"
        },
    ));
    let meta = match state.oidc.discover_now(&oidc.issuer, now).await {
        Ok(meta) => meta,
        Err(e) => {
            checks.push(check("oidc_discovery", false, e.0));
            return checks;
        }
    };
    checks.push(check(
        "oidc_discovery",
        true,
        format!("issuer matches; token endpoint {}", meta.token_endpoint),
    ));
    let keys = state
        .oidc
        .http
        .get(&meta.jwks_uri)
        .await
        .map_err(|e| e.to_string())
        .and_then(|body| KeySet::parse(&body));
    checks.push(match keys {
        Ok(set) if !set.keys.is_empty() => check(
            "oidc_jwks",
            true,
            format!("{} usable signing key(s)", set.keys.len()),
        ),
        Ok(_) => check(
            "oidc_jwks",
            false,
            "the JWKS has no RSA, EC or Ed25519 signing key",
        ),
        Err(e) => check("oidc_jwks", false, e),
    });
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(issuer: &str) -> OidcConfig {
        OidcConfig {
            issuer: issuer.into(),
            client_id: "c1".into(),
            ..OidcConfig::default()
        }
    }

    const STRICT: OutboundPolicy = OutboundPolicy {
        allow_http: false,
        allow_private: false,
    };

    #[test]
    fn the_issuer_is_kept_as_entered_and_must_be_https() {
        let mut ok = cfg("https://acme.okta.com/");
        check_shape(&mut ok, "okta", &STRICT).unwrap();
        assert_eq!(ok.issuer, "https://acme.okta.com/");
        assert_eq!(ok.scopes, ["openid", "email", "profile"]);
        for bad in [
            "http://acme.okta.com",
            " https://acme.okta.com",
            "acme.okta.com",
            "https://i/?x=1",
            "",
        ] {
            let err = check_shape(&mut cfg(bad), "okta", &STRICT).unwrap_err();
            assert_eq!(err.code, "invalid_issuer", "{bad}");
        }
    }

    #[test]
    fn entra_needs_a_tenant_issuer_and_scopes_and_mappings_are_checked() {
        let err = check_shape(
            &mut cfg("https://login.microsoftonline.com/common/v2.0"),
            "entra",
            &STRICT,
        );
        assert_eq!(err.unwrap_err().code, "invalid_issuer");
        let mut c = cfg("https://i.example");
        c.scopes = vec!["email".into(), "groups".into()];
        check_shape(&mut c, "generic", &STRICT).unwrap();
        assert_eq!(c.scopes, ["openid", "email", "groups"]);
        c.scopes = vec!["bad scope".into()];
        assert_eq!(
            check_shape(&mut c, "generic", &STRICT).unwrap_err().code,
            "invalid_scope"
        );
        let mut m = cfg("https://i.example");
        m.claim_mapping.insert("password".into(), "x".into());
        assert_eq!(
            check_shape(&mut m, "generic", &STRICT).unwrap_err().code,
            "invalid_claim_mapping"
        );
        let mut no_client = cfg("https://i.example");
        no_client.client_id.clear();
        assert_eq!(
            check_shape(&mut no_client, "generic", &STRICT)
                .unwrap_err()
                .code,
            "missing_client_id"
        );
    }
}
