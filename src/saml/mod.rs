//! SAML 2.0 service provider (CONTRACT.md §7): SP metadata, AuthnRequests over
//! HTTP-Redirect, and the assertion consumer service with strict response validation.

pub mod acs;
pub mod login;

use actix_web::web;

/// Browser routes under `/auth/saml/{tenantID}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/auth/saml/{tenant_id}")
            .route("/metadata", web::get().to(login::metadata))
            .route("/login", web::get().to(login::login))
            .route("/callback", web::post().to(acs::callback)),
    );
}
