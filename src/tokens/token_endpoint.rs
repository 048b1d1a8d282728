//! `POST /oauth2/token` (RFC 6749 §3.2): the client credentials grant (§4.4) with RFC 9068
//! access tokens, and the OpenID provider's `authorization_code` (§4.1.3, CONTRACT.md §13;
//! the code itself is issuer/auth_code.rs). Grants dispatch on `grant_type`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::client_login::{authenticate_caller, Caller};
use super::form::{read_form, Form};
use super::oauth_error::{OAuthError, OAuthResult};
use crate::issuer::access_token::{issue_reusable, NewAccessToken};
use crate::jose::Alg;
use crate::state::AppState;

/// The grants this endpoint serves (also listed by the discovery documents).
pub const GRANT_TYPES: &[&str] = &["client_credentials", "authorization_code"];

pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    match serve(&req, &state, payload).await {
        Ok(response) => response,
        Err(err) => {
            state
                .metrics
                .tokens_refused
                .with_label_values(&[err.error, err.reason])
                .inc();
            actix_web::ResponseError::error_response(&err)
        }
    }
}

async fn serve(
    req: &HttpRequest,
    state: &AppState,
    payload: web::Payload,
) -> OAuthResult<HttpResponse> {
    let form = read_form(req, payload).await?;
    let grant = form
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("missing_grant_type", "grant_type is required"))?
        .to_owned();
    if !GRANT_TYPES.contains(&grant.as_str()) {
        return Err(OAuthError::unsupported_grant_type(&grant));
    }
    let caller = authenticate_caller(req, state, &form).await?;
    match grant.as_str() {
        "client_credentials" => client_credentials(state, &caller, &form).await,
        "authorization_code" => super::code_grant::authorization_code(state, &caller, &form).await,
        other => Err(OAuthError::unsupported_grant_type(other)),
    }
}

async fn client_credentials(
    state: &AppState,
    caller: &Caller,
    form: &Form,
) -> OAuthResult<HttpResponse> {
    let client = &caller.client;
    if client.client.client_type != "service" {
        return Err(OAuthError::unauthorized_client(
            "only service clients may use the client_credentials grant",
        ));
    }
    let roles = client.roles();
    let granted = granted_scope(form.get("scope"), &roles)?;
    let audience = audience(state, form, &client.audiences())?;
    let alg = Alg::parse(&client.client.signing_alg).unwrap_or(Alg::Rs256);
    let ttl = client.client.token_ttl_secs;
    let new = NewAccessToken {
        org: &client.org,
        subject: &client.client.client_id,
        client_id: &client.client.client_id,
        secret_id: client.secret_id.as_deref(),
        audience: &audience,
        scope: &granted.join(" "),
        roles: &granted,
        ttl_secs: ttl,
        alg,
    };
    let (token, expires_at) = issue_reusable(state, &new).await.map_err(|e| {
        tracing::error!(error = %e, "access token signing failed");
        OAuthError::server_error()
    })?;
    state
        .metrics
        .tokens_issued
        .with_label_values(&["client_credentials", alg.as_str()])
        .inc();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(json!({
            "access_token": &*token,
            "token_type": "Bearer",
            // A reused token reports what it has left (RFC 6749 §5.1), a new one its
            // whole lifetime (`exp` counts from the second of `iat`).
            "expires_in": (expires_at - state.clock.now_ms() + 999).max(0) / 1000,
            "scope": granted.join(" "),
        })))
}

/// RFC 6749 §3.3: scope values are NQCHAR tokens. A client's scopes are its roles: asking
/// for fewer narrows the token's `roles`; asking for one it lacks is `invalid_scope`.
fn granted_scope(requested: Option<&str>, roles: &[String]) -> OAuthResult<Vec<String>> {
    let Some(requested) = requested else {
        return Ok(roles.to_vec());
    };
    let mut granted: Vec<String> = Vec::new();
    for value in requested.split(' ').filter(|v| !v.is_empty()) {
        let nqchar = value
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
        if !nqchar || value.len() > 64 {
            return Err(OAuthError::invalid_scope(
                "scope values must be RFC 6749 scope tokens",
            ));
        }
        if !roles.iter().any(|r| r == value) {
            let shown: String = value.chars().take(64).collect();
            return Err(OAuthError::invalid_scope(format!(
                "scope {shown:?} is not granted to this client"
            )));
        }
        if !granted.iter().any(|g| g == value) {
            granted.push(value.to_owned());
        }
    }
    Ok(granted)
}

/// `audience` or RFC 8707 `resource` (one of them, once): one of the client's audiences;
/// by default the first of them, else PUBLIC_URL.
fn audience(state: &AppState, form: &Form, allowed: &[String]) -> OAuthResult<String> {
    let resources = form.all("resource");
    if resources.len() > 1 {
        return Err(OAuthError::invalid_target("ask for one resource per token"));
    }
    let asked = match (
        form.get("audience"),
        resources.first().filter(|r| !r.is_empty()),
    ) {
        (Some(a), Some(r)) if a != r => {
            return Err(OAuthError::invalid_target("audience and resource differ"))
        }
        (Some(a), _) => Some(a.to_owned()),
        (None, r) => r.cloned(),
    };
    let public = &state.settings.public_url;
    match asked {
        None => Ok(allowed.first().cloned().unwrap_or_else(|| public.clone())),
        Some(a) if allowed.contains(&a) || (allowed.is_empty() && &a == public) => Ok(a),
        Some(_) => Err(OAuthError::invalid_target(
            "the audience is not one of this client's audiences",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_narrow_the_clients_roles_and_unknown_ones_are_refused() {
        let roles = vec!["reader".to_owned(), "writer".to_owned()];
        assert_eq!(granted_scope(None, &roles).unwrap(), roles);
        assert_eq!(
            granted_scope(Some("writer writer"), &roles).unwrap(),
            vec!["writer"]
        );
        assert_eq!(
            granted_scope(Some("admin"), &roles).unwrap_err().error,
            "invalid_scope"
        );
        assert_eq!(
            granted_scope(Some("a\"b"), &roles).unwrap_err().error,
            "invalid_scope"
        );
    }
}
