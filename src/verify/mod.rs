//! `/auth/verify` (CONTRACT.md §14): what nginx `auth_request`, Caddy `forward_auth`,
//! Traefik `ForwardAuth` and Envoy `ext_authz` call before each request to a protected
//! upstream. 200 with identity headers and a downstream JWT, 401 (with the browser's login
//! hint), or 403.

mod forwarded;
mod identify;
pub mod openapi;
mod respond;

use actix_web::{web, HttpRequest, HttpResponse};

use crate::http::error::ApiError;
use crate::state::AppState;

async fn verify(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let outcome = async {
        let policy = respond::Policy::parse(req.query_string())?;
        let (found, credential) = identify::identify(&req, &state).await?;
        respond::answer(&req, &state, &policy, found, credential).await
    }
    .await;
    match outcome {
        Ok(response) => response,
        Err(err) => {
            let outcome = if err.status.is_server_error() {
                "error"
            } else {
                "bad_request"
            };
            state
                .metrics
                .verify_outcomes
                .with_label_values(&[outcome, "none", err.code])
                .inc();
            actix_web::ResponseError::error_response(&err)
        }
    }
}

pub(crate) type VerifyResult<T> = Result<T, ApiError>;
