//! Gives actix's own error responses under `/api/` (405 for a known path with another
//! method, 400 from a query string it could not parse, ...) the API's JSON error body.

use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::HttpResponse;

pub fn json_error_bodies<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(rewrite)
}

fn rewrite<B: 'static>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_api = res.request().path().starts_with("/api/");
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !is_api || is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (code, message) = describe(status);
    let body =
        HttpResponse::build(status).json(serde_json::json!({"error": code, "message": message}));
    let (req, _) = res.into_parts();
    let res = ServiceResponse::new(req, body)
        .map_into_boxed_body()
        .map_into_right_body::<B>();
    Ok(ErrorHandlerResponse::Response(res))
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("invalid_request", "the request could not be understood"),
        404 => ("not_found", "resource not found"),
        405 => (
            "method_not_allowed",
            "this method is not allowed on this path",
        ),
        413 => ("payload_too_large", "the request body is too large"),
        415 => (
            "unsupported_media_type",
            "the request body must be application/json",
        ),
        s if s >= 500 => ("internal_error", "an internal error occurred"),
        _ => ("error", "the request failed"),
    }
}

/// 404 (unknown path) or 405 (known path, other method) in the API's JSON shape.
pub async fn api_not_found() -> Result<HttpResponse, crate::http::error::ApiError> {
    Err(crate::http::error::ApiError::not_found("resource"))
}
