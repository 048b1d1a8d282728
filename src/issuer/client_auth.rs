//! Client authentication shared by the token, introspection and verify endpoints:
//! `Authorization: Basic` (RFC 6749 §2.3.1, both halves form-urlencoded before base64) or
//! `client_id`/`client_secret` form fields, checked against the store.

use actix_web::http::header;
use actix_web::HttpRequest;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::domain::{hash_secret, OrgId};
use crate::state::AppState;
use crate::store::{ClientRecord, StoreResult};

/// Longest Authorization header read: a client id and a secret are under 150 characters.
const MAX_AUTHORIZATION_LEN: usize = 1024;
/// `last_used_at` is written at most once a minute per client and secret.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

pub const CLIENT_ID_PREFIX: &str = "axc_";
pub const CLIENT_SECRET_PREFIX: &str = "axcs_";

/// What the request's `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
pub enum AuthorizationHeader {
    None,
    Basic {
        client_id: String,
        secret: String,
    },
    Bearer(String),
    /// Another scheme (for the caller to refuse or ignore).
    Other,
}

/// Reads the one `Authorization` header. Several headers, a header over 1 KiB, or a Basic
/// value that is not base64 of `id:secret` are malformed requests (RFC 6749 §5.2
/// `invalid_request`), never a server error.
pub fn authorization(req: &HttpRequest) -> Result<AuthorizationHeader, &'static str> {
    let mut values = req.headers().get_all(header::AUTHORIZATION);
    let Some(value) = values.next() else {
        return Ok(AuthorizationHeader::None);
    };
    if values.next().is_some() {
        return Err("send one Authorization header");
    }
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err("the Authorization header is too long");
    }
    let text = value
        .to_str()
        .map_err(|_| "the Authorization header is not ASCII")?;
    let (scheme, rest) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        let (client_id, secret) = parse_basic(rest)?;
        Ok(AuthorizationHeader::Basic { client_id, secret })
    } else if scheme.eq_ignore_ascii_case("bearer") {
        // `to_str` above admits visible ASCII, space and tab only: a byte scan suffices
        // (a char-pattern scan of a 1 KiB token showed in the verify profile).
        if rest.is_empty() || rest.bytes().any(|b| b == b' ' || b == b'\t' || b == b',') {
            return Err("the Bearer credential is malformed");
        }
        Ok(AuthorizationHeader::Bearer(rest.to_owned()))
    } else {
        Ok(AuthorizationHeader::Other)
    }
}

fn parse_basic(encoded: &str) -> Result<(String, String), &'static str> {
    let bytes = STANDARD
        .decode(encoded)
        .map_err(|_| "the Basic credential is not base64")?;
    let text = String::from_utf8(bytes).map_err(|_| "the Basic credential is not UTF-8")?;
    let (id, secret) = text
        .split_once(':')
        .ok_or("the Basic credential has no colon between client id and secret")?;
    let id = form_decode(id).ok_or("the client id is not form-urlencoded")?;
    let secret = form_decode(secret).ok_or("the client secret is not form-urlencoded")?;
    if id.is_empty() {
        return Err("the Basic credential has an empty client id");
    }
    Ok((id, secret))
}

/// `application/x-www-form-urlencoded` decoding of one value (RFC 6749 Appendix B):
/// `+` is a space, `%XX` a byte; a stray `%` or invalid UTF-8 is refused.
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Why a client was not authenticated (fixed set: metrics labels).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientRefusal {
    UnknownClient,
    MissingSecret,
    WrongSecret,
    Disabled,
    OrgSuspended,
}

impl ClientRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownClient => "unknown_client",
            Self::MissingSecret => "missing_secret",
            Self::WrongSecret => "wrong_secret",
            Self::Disabled => "client_disabled",
            Self::OrgSuspended => "org_suspended",
        }
    }
}

/// An identified client. `proven` is false only for community mode's `clientId:` (a known
/// client named without its secret, CONTRACT.md §12).
#[derive(Clone, Debug)]
pub struct AuthedClient {
    pub org: OrgId,
    pub client: ClientRecord,
    pub secret_id: Option<String>,
    pub proven: bool,
}

impl AuthedClient {
    pub fn roles(&self) -> Vec<String> {
        serde_json::from_str(&self.client.roles).unwrap_or_default()
    }
    pub fn audiences(&self) -> Vec<String> {
        serde_json::from_str(&self.client.audiences).unwrap_or_default()
    }
}

/// Checks `client_id` and `secret` (empty: none). `allow_unproven` accepts a known,
/// enabled client without a secret (verify in community mode); a wrong secret is refused
/// whatever the mode.
pub async fn authenticate(
    state: &AppState,
    client_id: &str,
    secret: &str,
    allow_unproven: bool,
) -> StoreResult<Result<AuthedClient, ClientRefusal>> {
    if !client_id.starts_with(CLIENT_ID_PREFIX) || client_id.len() > 64 {
        return Ok(Err(ClientRefusal::UnknownClient));
    }
    let now = state.clock.now_ms();
    let secret_hash = (!secret.is_empty()).then(|| hash_secret(secret));
    let Some(found) = state
        .store
        .find_client_for_auth(client_id, secret_hash.as_deref(), now)
        .await?
    else {
        return Ok(Err(ClientRefusal::UnknownClient));
    };
    let refusal = if found.org_status != "active" {
        Some(ClientRefusal::OrgSuspended)
    } else if found.client.disabled {
        Some(ClientRefusal::Disabled)
    } else if secret.is_empty() && !allow_unproven {
        Some(ClientRefusal::MissingSecret)
    } else if !secret.is_empty() && found.secret_id.is_none() {
        Some(ClientRefusal::WrongSecret)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        return Ok(Err(refusal));
    }
    let org = OrgId::parse(&found.client.org_id)
        .map_err(|e| crate::store::StoreError::Other(e.to_string()))?;
    let stale = |t: Option<i64>| t.is_none_or(|t| now - t > LAST_USED_GRANULARITY_MS);
    let secret_stale = found.secret_id.is_some() && stale(found.secret_last_used_at);
    if stale(found.client.last_used_at) || secret_stale {
        state
            .store
            .mark_client_used(&found.client.id, found.secret_id.as_deref(), now)
            .await?;
    }
    Ok(Ok(AuthedClient {
        org,
        proven: found.secret_id.is_some(),
        secret_id: found.secret_id,
        client: found.client,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn auth(value: &str) -> Result<AuthorizationHeader, &'static str> {
        authorization(
            &TestRequest::default()
                .insert_header(("authorization", value))
                .to_http_request(),
        )
    }

    #[test]
    fn basic_credentials_are_form_decoded_halves_of_base64() {
        let value = format!("Basic {}", STANDARD.encode("axc_a%2Bb:s+cret"));
        assert_eq!(
            auth(&value).unwrap(),
            AuthorizationHeader::Basic {
                client_id: "axc_a+b".into(),
                secret: "s cret".into()
            }
        );
        let empty_secret = format!("basic {}", STANDARD.encode("axc_x:"));
        assert!(
            matches!(auth(&empty_secret).unwrap(), AuthorizationHeader::Basic { secret, .. } if secret.is_empty())
        );
    }

    #[test]
    fn malformed_authorization_headers_are_request_errors() {
        let no_colon = format!("Basic {}", STANDARD.encode("axc_x"));
        let long = format!("Basic {}", "A".repeat(4096));
        let two_schemes = format!("Basic {}, Bearer abc", STANDARD.encode("axc_x:y"));
        for bad in [
            no_colon.as_str(),
            "Basic %%%not-base64",
            long.as_str(),
            two_schemes.as_str(),
            "Bearer a b",
        ] {
            assert!(auth(bad).is_err(), "{bad}");
        }
        let two = TestRequest::default()
            .append_header(("authorization", "Basic eDp5"))
            .append_header(("authorization", "Bearer t"))
            .to_http_request();
        assert!(authorization(&two).is_err());
        assert_eq!(auth("Negotiate abc").unwrap(), AuthorizationHeader::Other);
    }
}
