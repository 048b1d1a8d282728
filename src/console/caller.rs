//! Who is using the console: the portal session (cookie only; API keys are for programs),
//! with the CSRF rule of CONTRACT.md §4 on every form post. Without a session the browser
//! is sent to the sign-in page; every other refusal is an HTML page, never JSON.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};

use super::layout::{error_page, Viewer};
use crate::domain::OrgId;
use crate::http::caller::SessionCaller;
use crate::http::error::ApiError;
use crate::store::SessionRecord;

/// A signed-in console user who may read the organization's setup.
pub struct ConsoleCaller {
    pub org: OrgId,
    pub roles: Vec<String>,
    pub record: SessionRecord,
}

impl ConsoleCaller {
    /// Credentials and setup changes are the admin's (CONTRACT.md §5).
    pub fn require_admin(&self) -> Result<(), ConsoleRefusal> {
        if self.roles.iter().any(|r| r == "admin") {
            Ok(())
        } else {
            Err(ConsoleRefusal::Page(ApiError::forbidden(
                "this page needs the admin role",
            )))
        }
    }

    /// Who a change made here is, for its event and audit entry.
    pub fn changed_by<'a>(&'a self, ip: &'a str) -> crate::credentials::ChangedBy<'a> {
        crate::credentials::ChangedBy {
            actor_type: &self.record.principal_type,
            actor_id: &self.record.principal_id,
            principal: crate::login::sessions::audit_principal(&self.record),
            ip,
        }
    }

    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            org: self.org.as_str(),
            principal: self
                .record
                .email
                .as_deref()
                .unwrap_or(&self.record.principal_id),
        }
    }
}

#[derive(Debug)]
pub enum ConsoleRefusal {
    SignInFirst,
    Page(ApiError),
}

impl std::fmt::Display for ConsoleRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignInFirst => f.write_str("sign in first"),
            Self::Page(e) => f.write_str(&e.message),
        }
    }
}

impl ResponseError for ConsoleRefusal {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignInFirst => StatusCode::SEE_OTHER,
            Self::Page(e) => e.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignInFirst => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/ui/sign-in"))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish(),
            Self::Page(e) => error_page(e.status, e.code, &e.message),
        }
    }
}

impl From<ApiError> for ConsoleRefusal {
    fn from(e: ApiError) -> Self {
        if e.status == StatusCode::UNAUTHORIZED {
            Self::SignInFirst
        } else {
            Self::Page(e)
        }
    }
}

impl From<crate::store::StoreError> for ConsoleRefusal {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Page(ApiError::from(e))
    }
}

impl FromRequest for ConsoleCaller {
    type Error = ConsoleRefusal;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ConsoleRefusal>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = SessionCaller::from_request(req, payload);
        Box::pin(async move {
            let session = session.await?;
            let roles: Vec<String> =
                serde_json::from_str(&session.record.roles).unwrap_or_default();
            let reader = roles
                .iter()
                .any(|r| matches!(r.as_str(), "admin" | "editor" | "viewer"));
            if !reader {
                return Err(ConsoleRefusal::Page(ApiError::forbidden(
                    "the console needs the admin, editor or viewer role",
                )));
            }
            Ok(ConsoleCaller {
                org: session.org,
                roles,
                record: session.record,
            })
        })
    }
}
