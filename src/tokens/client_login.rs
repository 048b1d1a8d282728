//! How the token and introspection endpoints authenticate their caller (RFC 6749 §2.3):
//! Basic or `client_id`/`client_secret` form fields, never both; failures answer
//! `invalid_client` and count toward the per-IP limit of CONTRACT.md §4.

use actix_web::HttpRequest;

use super::form::Form;
use super::oauth_error::{OAuthError, OAuthResult};
use crate::http::rate_limit::{check_limit, count_attempt};
use crate::http::request_meta::client_ip_text;
use crate::issuer::client_auth::{authenticate, authorization, AuthedClient, AuthorizationHeader};
use crate::state::AppState;

/// The rate-limit bucket failed client authentications share with password logins.
const LIMIT_ACTION: &str = "login";

pub struct Caller {
    pub client: AuthedClient,
}

pub async fn authenticate_caller(
    req: &HttpRequest,
    state: &AppState,
    form: &Form,
) -> OAuthResult<Caller> {
    let header = authorization(req)
        .map_err(|m| OAuthError::invalid_request("malformed_authorization", m))?;
    let (client_id, secret, used_basic) = match header {
        AuthorizationHeader::Basic { client_id, secret } => {
            if form.get("client_secret").is_some() {
                return Err(OAuthError::invalid_request(
                    "several_auth_methods",
                    "authenticate with Basic or with client_secret, not both",
                ));
            }
            if form.get("client_id").is_some_and(|id| id != client_id) {
                return Err(OAuthError::invalid_request(
                    "client_id_mismatch",
                    "client_id differs from the Basic credential",
                ));
            }
            (client_id, secret, true)
        }
        AuthorizationHeader::None => match form.get("client_id") {
            Some(id) => (
                id.to_owned(),
                form.get("client_secret").unwrap_or("").to_owned(),
                false,
            ),
            None => {
                return Err(OAuthError::invalid_client(
                    "no_client_authentication",
                    false,
                ))
            }
        },
        // RFC 6749 §5.2: an unsupported authentication method is `invalid_client`.
        AuthorizationHeader::Bearer(_) | AuthorizationHeader::Other => {
            return Err(OAuthError::invalid_client("unsupported_auth_method", true))
        }
    };
    let ip = client_ip_text(req, &state.settings);
    let limit = state.settings.login_rate_limit_per_minute;
    check_limit(state, LIMIT_ACTION, &ip, limit).await?;
    match authenticate(state, &client_id, &secret, false).await? {
        Ok(client) => Ok(Caller { client }),
        Err(refusal) => {
            count_attempt(state, LIMIT_ACTION, &ip, limit).await?;
            Err(OAuthError::refused_client(refusal, used_basic))
        }
    }
}
