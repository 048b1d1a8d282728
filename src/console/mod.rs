//! The admin console (CONTRACT.md §16): server-rendered HTML at `/ui/` (maud, compiled into
//! the binary), static assets embedded, a strict Content-Security-Policy on every page, the
//! portal's session cookie and CSRF rule. It reads through the same layers as the portal
//! API and writes through the shared sign-in; it imports no other surface.

mod assets;
mod audit;
mod caller;
mod clients;
mod credentials;
mod directory;
mod form;
mod layout;
pub mod openapi;
mod overview;
mod scim_log;
mod setup;
mod sign_in;
mod sso;
mod webhooks;
mod wizard;

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, HttpResponse};

/// No inline script or style, nothing from elsewhere, no framing, forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'; object-src 'none'";

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        // Not no-referrer: under it a browser sends `Origin: null` on form posts, which the
        // CSRF rule must refuse (Fetch standard, "serializing a request origin").
        .add((header::REFERRER_POLICY, "same-origin"))
}

/// A browser opening the service's root is led to the console.
async fn to_console() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/ui/"))
        .finish()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(setup::routes(web::scope("/setup")).wrap(security_headers()));
    cfg.service(web::resource("/").get(to_console)).service(
        web::scope("/ui")
            .wrap(security_headers())
            .service(web::resource("").get(to_console))
            .service(web::resource("/").get(overview::show))
            .service(
                web::resource("/sign-in")
                    .get(sign_in::form)
                    .post(sign_in::submit),
            )
            .service(web::resource("/sign-in/sso").get(sign_in::sso))
            .service(web::resource("/sign-out").post(sign_in::sign_out))
            .service(web::resource("/sso").get(sso::show))
            .service(web::resource("/sso/draft").post(sso::save))
            .service(web::resource("/sso/test").post(sso::test))
            .service(web::resource("/sso/activate").post(sso::activate))
            .service(web::resource("/sso/discard").post(sso::discard))
            .service(web::resource("/audit").get(audit::show))
            .service(web::resource("/directory").get(directory::show))
            .service(web::resource("/scim-log").get(scim_log::show))
            .service(
                web::resource("/api-keys")
                    .get(credentials::keys)
                    .post(credentials::create_key),
            )
            .service(web::resource("/api-keys/{id}/revoke").post(credentials::revoke_key))
            .service(
                web::resource("/scim-tokens")
                    .get(credentials::tokens)
                    .post(credentials::create_token),
            )
            .service(web::resource("/scim-tokens/{id}/revoke").post(credentials::revoke_token))
            .service(
                web::resource("/clients")
                    .get(clients::show)
                    .post(clients::create),
            )
            .service(web::resource("/clients/{id}/delete").post(clients::delete))
            .service(
                web::resource("/webhooks")
                    .get(webhooks::show)
                    .post(webhooks::create),
            )
            .service(web::resource("/webhooks/{id}/delete").post(webhooks::delete))
            .service(web::resource("/assets/{name}").get(assets::serve))
            .default_service(web::to(layout::not_found)),
    );
}
