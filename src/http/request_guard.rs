//! Rules every request meets once, at the root, before any route sees it: `HEAD` is
//! answered as `GET` without the body, a request body must arrive within a deadline, and an
//! unsafe `/api/v1` request may carry only a JSON body (CONTRACT.md §4).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{web, HttpMessage, ResponseError};
use futures_util::Stream;

use super::json_body::{is_json_media_type, unsupported_media_type};
use super::request_meta::is_unsafe_method;
use crate::state::AppState;

/// The middleware (`App::wrap(from_fn(guard))`). It must sit inside every middleware that
/// keeps a clone of the request, since it rewrites the request head in place.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Err(refusal) = check_api_media_type(&req).and_then(|()| check_nul(&req)) {
        let response = refusal.error_response().map_into_right_body();
        return Ok(req.into_response(response));
    }
    answer_head_as_get(&mut req);
    if let Some(deadline) = req
        .app_data::<web::Data<AppState>>()
        .map(|s| Duration::from_secs(s.settings.request_body_timeout_secs))
    {
        let payload = req.take_payload();
        if !matches!(payload, Payload::None) {
            req.set_payload(Payload::Stream {
                payload: Box::pin(BodyDeadline::new(payload, deadline)),
            });
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// RFC 9110 §9.3.2: HEAD is GET without the content. Every GET route answers it: the
/// method is GET from here on, and the HTTP/1 codec, which saw HEAD when it parsed the
/// request, writes the GET answer's headers (Content-Length included) and no body.
fn answer_head_as_get(req: &mut ServiceRequest) {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
}

/// No id or parameter holds a NUL (domain/nul.rs): on `/api/v1`, a path with `%00` names nothing (404) and a query with it is a 400, before any
/// route looks the text up. The raw URI is read, since `%00` is what reaches a handler as
/// NUL after decoding.
fn check_nul(req: &ServiceRequest) -> Result<(), super::error::ApiError> {
    let has_nul = |text: &str| text.as_bytes().windows(3).any(|w| w == b"%00");
    // The browser routes (SAML, OIDC) refuse such input themselves, with their failure page
    // and an audit event; SCIM answers in its own format.
    if !req.path().starts_with("/api/v1/") {
        return Ok(());
    }
    if has_nul(req.path()) {
        return Err(super::error::ApiError::not_found("resource"));
    }
    if has_nul(req.query_string()) {
        return Err(super::error::ApiError::bad_request(
            "invalid_request",
            "query parameters must not contain NUL (U+0000)",
        ));
    }
    Ok(())
}

/// CONTRACT.md §4: a request body on `/api/v1` must be JSON. An unsafe request is refused
/// with 415 when it carries a body (a non-zero Content-Length, or any Transfer-Encoding)
/// that is not declared JSON, or declares a media type that is not JSON; a bodyless request
/// without Content-Type passes. The routed path is the one compared, so a percent-encoded
/// prefix cannot slip by.
fn check_api_media_type(req: &ServiceRequest) -> Result<(), super::error::ApiError> {
    let path = req.match_info().as_str();
    let is_api = path == "/api/v1" || path.starts_with("/api/v1/");
    if !is_api || !is_unsafe_method(req.method()) {
        return Ok(());
    }
    let headers = req.headers();
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes().iter().any(|b| *b != b'0'));
    let declares_type = headers.contains_key(header::CONTENT_TYPE);
    if (has_body || declares_type) && !is_json_media_type(req.request()) {
        return Err(unsupported_media_type());
    }
    Ok(())
}

/// True for the error a body stream yields when its deadline passed.
pub fn is_body_timeout(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
}

/// The request body as the handler reads it, ending in a `TimedOut` error once the deadline
/// passes: a client that sends a body slowly (slow loris) cannot hold the request open.
struct BodyDeadline {
    inner: Payload,
    deadline: Pin<Box<tokio::time::Sleep>>,
    done: bool,
}

impl BodyDeadline {
    fn new(inner: Payload, within: Duration) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(within)),
            done: false,
        }
    }
}

impl Stream for BodyDeadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.done = true;
            let late = io::Error::new(io::ErrorKind::TimedOut, "the request body came too slowly");
            return Poll::Ready(Some(Err(PayloadError::Io(late))));
        }
        Poll::Pending
    }
}
