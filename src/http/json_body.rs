//! `JsonBody<T>`: the only way a `/api/v1` handler reads a body. It enforces the media type
//! (415), the size limit (413) and turns parse errors into the API's own 400 body.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::request_guard::is_body_timeout;

/// Portal and admin bodies are small; 256 KiB leaves room for IdP metadata XML in an SSO config.
pub const MAX_API_BODY_BYTES: usize = 256 * 1024;

pub struct JsonBody<T>(pub T);

/// True for `application/json` and `application/<x>+json`, with any parameters.
pub fn is_json_media_type(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let media_ok = is_json_media_type(req);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !media_ok {
                return Err(unsupported_media_type());
            }
            if declared_len.is_some_and(|n| n > MAX_API_BODY_BYTES) {
                return Err(too_large());
            }
            let mut body = Vec::with_capacity(declared_len.unwrap_or(1024).min(MAX_API_BODY_BYTES));
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    if is_body_timeout(&e) {
                        body_too_slow()
                    } else {
                        ApiError::bad_request("invalid_body", "the request body could not be read")
                    }
                })?;
                if body.len() + chunk.len() > MAX_API_BODY_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            if crate::domain::json_text_may_hold_nul(&body)
                && serde_json::from_slice::<serde_json::Value>(&body)
                    .is_ok_and(|v| crate::domain::json_holds_nul(&v))
            {
                return Err(ApiError::bad_request(
                    "invalid_request",
                    "text in the request body must not contain NUL (U+0000)",
                ));
            }
            serde_json::from_slice(&body).map(JsonBody).map_err(|e| {
                let message = if e.is_data() {
                    format!("invalid request body: {e}")
                } else {
                    "the request body is not valid JSON".to_owned()
                };
                ApiError::bad_request("invalid_request", message)
            })
        })
    }
}

/// A body a client may leave out: no body at all (no `Content-Type`, no or zero
/// `Content-Length`) is `None`; anything sent is held to every rule of [`JsonBody`], so a
/// malformed optional body is a 400 or 415, never silently the defaults (CONTRACT §2).
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok());
        let chunked = headers.contains_key(header::TRANSFER_ENCODING);
        let absent = !headers.contains_key(header::CONTENT_TYPE)
            && !chunked
            && length.is_none_or(|n| n.trim() == "0");
        if absent {
            return Box::pin(async { Ok(OptionalJsonBody(None)) });
        }
        let body = JsonBody::<T>::from_request(req, payload);
        Box::pin(async move { body.await.map(|b| OptionalJsonBody(Some(b.0))) })
    }
}

pub fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "the request body must be application/json",
    )
}

fn body_too_slow() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        "the request body did not arrive in time",
    )
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than {MAX_API_BODY_BYTES} bytes"),
    )
}
