//! The admin API's credential: `X-Admin-API-Key` compared in constant time, or, in
//! community mode with no key configured, loopback peers only (CONTRACT.md §1).

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use subtle::ConstantTimeEq;

use crate::http::error::ApiError;
use crate::state::AppState;

/// Proof that the request may use the admin organization API.
#[derive(Debug)]
pub struct AdminCaller;

fn authorize(req: &HttpRequest) -> Result<AdminCaller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::internal)?;
    match &state.settings.admin_api_key {
        Some(expected) => {
            let presented = req
                .headers()
                .get("x-admin-api-key")
                .map(|v| v.as_bytes())
                .unwrap_or_default();
            if bool::from(presented.ct_eq(expected.expose().as_bytes())) {
                Ok(AdminCaller)
            } else {
                Err(ApiError::unauthenticated())
            }
        }
        // No key: only the TCP peer counts here, never X-Forwarded-For.
        None if req.peer_addr().is_some_and(|p| p.ip().is_loopback()) => Ok(AdminCaller),
        None => Err(ApiError::forbidden(
            "the admin API answers only loopback clients until ADMIN_API_KEY is set",
        )),
    }
}

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize(req))
    }
}
