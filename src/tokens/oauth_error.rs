//! The OAuth endpoints' error body (RFC 6749 §5.2): `{"error","error_description"}` with
//! the RFC's status, `Cache-Control: no-store`, and `WWW-Authenticate: Basic` on a 401
//! when the client used Basic (RFC 6749 §5.2, RFC 7617).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::issuer::client_auth::ClientRefusal;
use crate::store::StoreError;

#[derive(Debug)]
pub struct OAuthError {
    pub status: StatusCode,
    /// The RFC 6749 / RFC 8707 error code.
    pub error: &'static str,
    pub description: String,
    /// axid's finer reason, for metrics (a fixed set).
    pub reason: &'static str,
    pub basic_challenge: bool,
    pub retry_after_secs: Option<i64>,
}

impl OAuthError {
    fn new(
        status: StatusCode,
        error: &'static str,
        reason: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            reason,
            basic_challenge: false,
            retry_after_secs: None,
        }
    }

    /// 400 `invalid_request`: a missing, repeated or malformed parameter or header.
    pub fn invalid_request(reason: &'static str, description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            reason,
            description,
        )
    }

    /// 401 `invalid_client`: one answer for every way client authentication fails, so
    /// nothing tells an unknown client from a wrong secret.
    pub fn invalid_client(reason: &'static str, basic_used: bool) -> Self {
        Self {
            basic_challenge: basic_used,
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                reason,
                "client authentication failed",
            )
        }
    }

    pub fn refused_client(refusal: ClientRefusal, basic_used: bool) -> Self {
        Self::invalid_client(refusal.as_str(), basic_used)
    }

    pub fn unsupported_grant_type(grant: &str) -> Self {
        let shown: String = grant.chars().take(64).collect();
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "unsupported_grant_type",
            format!("grant_type {shown:?} is not supported"),
        )
    }

    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "unauthorized_client",
            description,
        )
    }

    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "invalid_scope",
            description,
        )
    }

    /// RFC 8707 §2: the requested audience is not one this client may get.
    pub fn invalid_target(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "invalid_target",
            description,
        )
    }

    /// For the authorization_code grant of the OpenID provider (CONTRACT.md §13).
    pub fn invalid_grant(reason: &'static str, description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            reason,
            description,
        )
    }

    /// 429 after too many failed client authentications from one IP (CONTRACT.md §4, §12).
    pub fn rate_limited(retry_after_secs: i64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "rate_limited",
                "too many failed client authentications; try again later",
            )
        }
    }

    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "server_error",
            "an internal error occurred",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "database_unavailable",
            "the database is unavailable; try again shortly",
        )
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.error)
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response
            .insert_header(("Cache-Control", "no-store"))
            .insert_header(("Pragma", "no-cache"));
        if self.basic_challenge && self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((
                "WWW-Authenticate",
                "Basic realm=\"axid\", charset=\"UTF-8\"",
            ));
        }
        if let Some(secs) = self.retry_after_secs {
            response.insert_header(("Retry-After", secs.to_string()));
        }
        response.json(json!({"error": self.error, "error_description": self.description}))
    }
}

impl From<StoreError> for OAuthError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                Self::unavailable()
            }
            other => {
                tracing::error!(detail = %other, "database error");
                Self::server_error()
            }
        }
    }
}

impl From<crate::http::error::ApiError> for OAuthError {
    /// The shared rate limiter answers in the API's type; only its 429 and 503 reach here.
    fn from(err: crate::http::error::ApiError) -> Self {
        match (err.status, err.retry_after_secs) {
            (StatusCode::TOO_MANY_REQUESTS, Some(secs)) => Self::rate_limited(secs),
            (StatusCode::SERVICE_UNAVAILABLE, _) => Self::unavailable(),
            _ => Self::server_error(),
        }
    }
}

pub type OAuthResult<T> = Result<T, OAuthError>;
