//! `grant_type=authorization_code` (RFC 6749 §4.1.3, OIDC Core §3.1.3, CONTRACT.md §13): a
//! `web` client, authenticated with its secret like every caller of this endpoint (§12: the
//! token endpoint always requires the secret, so there are no public clients), redeems a
//! code with its PKCE verifier for an access token and an ID token.

use actix_web::HttpResponse;
use serde_json::json;

use super::client_login::Caller;
use super::form::Form;
use super::oauth_error::{OAuthError, OAuthResult};
use crate::issuer::audit::{record, Stage};
use crate::issuer::auth_code::redeem;
use crate::jose::Alg;
use crate::state::AppState;

pub async fn authorization_code(
    state: &AppState,
    caller: &Caller,
    form: &Form,
) -> OAuthResult<HttpResponse> {
    let client = &caller.client;
    if client.client.client_type != "web" {
        return Err(OAuthError::unauthorized_client(
            "only web clients may use the authorization_code grant",
        ));
    }
    let code = form
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("missing_code", "code is required"))?;
    let client_id = &client.client.client_id;
    let outcome = redeem(
        state,
        client,
        code,
        form.get("redirect_uri"),
        form.get("code_verifier"),
    )
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "authorization code redemption failed");
        OAuthError::server_error()
    })?;
    let done = match outcome {
        Ok(done) => done,
        Err(refusal) => {
            let detail = json!({"client_id": client_id, "message": refusal.description()});
            record(
                state,
                &client.org,
                Stage::Token,
                Some(refusal.as_str()),
                None,
                None,
                detail,
            )
            .await;
            return Err(OAuthError::invalid_grant(
                refusal.as_str(),
                refusal.description(),
            ));
        }
    };
    let alg = Alg::parse(&client.client.signing_alg).unwrap_or(Alg::Rs256);
    state
        .metrics
        .tokens_issued
        .with_label_values(&["authorization_code", alg.as_str()])
        .inc();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(json!({
            "access_token": done.access_token,
            "id_token": done.id_token,
            "token_type": "Bearer",
            "expires_in": done.expires_in,
            "scope": done.scope,
        })))
}
