//! `POST /oauth2/introspect` (RFC 7662): an authenticated client of an organization learns
//! whether an access token of that organization is active. Every other case, including
//! another organization's valid token, is `{"active": false}` (§2.2), so introspection never
//! confirms that a token exists elsewhere.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::client_login::authenticate_caller;
use super::form::read_form;
use super::oauth_error::{OAuthError, OAuthResult};
use crate::issuer::access_token::check;
use crate::state::AppState;

pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> OAuthResult<HttpResponse> {
    let form = read_form(&req, payload).await?;
    let caller = authenticate_caller(&req, &state, &form).await?;
    let token = form
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("missing_token", "token is required"))?;
    let body = match check(&state, token).await? {
        Ok(valid) if valid.org == caller.client.org => {
            let mut claims = valid.claims;
            claims.insert("active".into(), json!(true));
            claims.insert("token_type".into(), json!("Bearer"));
            claims.remove("secret_id");
            Value::Object(claims)
        }
        _ => json!({"active": false}),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(body))
}
