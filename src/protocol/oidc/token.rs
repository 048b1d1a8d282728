//! The token request (OIDC Core 1.0 §3.1.3.1, RFC 6749 §4.1.3) with `client_secret_basic`
//! (RFC 6749 §2.3.1) and the PKCE verifier (RFC 7636 §4.5). Neither the code, the secret
//! nor any token is ever logged or put in an error.

use serde_json::Value;

use super::reason::OidcReason;
use crate::config::Secret;
use crate::net::http::OutboundHttp;

/// What the token request needs.
#[derive(Debug)]
pub struct CodeExchange<'a> {
    pub token_endpoint: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a Secret,
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub pkce_verifier: &'a str,
}

/// A refused exchange: the reason and a sentence safe to put in an audit event.
#[derive(Debug, PartialEq, Eq)]
pub struct ExchangeError {
    pub reason: OidcReason,
    pub detail: String,
}

fn fail(reason: OidcReason, detail: impl Into<String>) -> ExchangeError {
    ExchangeError {
        reason,
        detail: detail.into(),
    }
}

/// Exchanges the code; returns the raw ID token (verified by the caller).
pub async fn exchange_code(
    http: &OutboundHttp,
    x: &CodeExchange<'_>,
) -> Result<String, ExchangeError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", x.code),
        ("redirect_uri", x.redirect_uri),
        ("code_verifier", x.pkce_verifier),
    ];
    let reply = http
        .post_form(
            x.token_endpoint,
            (x.client_id, x.client_secret.expose()),
            &form,
        )
        .await
        .map_err(|e| {
            fail(
                OidcReason::TokenExchangeFailed,
                format!("token endpoint: {e}"),
            )
        })?;
    read_token_response(reply.status, &reply.body)
}

/// Reads a token endpoint answer: 200 with an `id_token`, or an RFC 6749 §5.2 error.
pub fn read_token_response(status: u16, body: &[u8]) -> Result<String, ExchangeError> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if status != 200 {
        // Only the registered error code is kept: error_description may echo input.
        let code = json
            .as_ref()
            .and_then(|j| j.get("error"))
            .and_then(Value::as_str)
            .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or("unknown");
        let reason = match code {
            "invalid_grant" => OidcReason::CodeRejected,
            _ => OidcReason::TokenExchangeFailed,
        };
        return Err(fail(
            reason,
            format!("token endpoint answered HTTP {status} ({code})"),
        ));
    }
    json.as_ref()
        .and_then(|j| j.get("id_token"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            fail(
                OidcReason::IdTokenMissing,
                "token response has no id_token (is the openid scope granted?)",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_yields_the_id_token() {
        let got = read_token_response(
            200,
            br#"{"access_token":"a","id_token":"h.p.s","token_type":"Bearer"}"#,
        );
        assert_eq!(got.unwrap(), "h.p.s");
        let missing = read_token_response(200, br#"{"access_token":"a"}"#).unwrap_err();
        assert_eq!(missing.reason, OidcReason::IdTokenMissing);
    }

    #[test]
    fn invalid_grant_is_a_rejected_code_and_nothing_of_the_body_leaks() {
        let err = read_token_response(
            400,
            br#"{"error":"invalid_grant","error_description":"code abc123 was already used"}"#,
        )
        .unwrap_err();
        assert_eq!(err.reason, OidcReason::CodeRejected);
        assert!(!err.detail.contains("abc123"), "{}", err.detail);
        let err = read_token_response(401, br#"{"error":"<script>"}"#).unwrap_err();
        assert_eq!(err.reason, OidcReason::TokenExchangeFailed);
        assert!(err.detail.contains("unknown"));
        let err = read_token_response(502, b"<html>").unwrap_err();
        assert_eq!(err.reason, OidcReason::TokenExchangeFailed);
    }
}
