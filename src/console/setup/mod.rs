//! Setup links (CONTRACT.md §16): the JSON API that makes them and the pages a link opens.

pub mod api;
mod links;
mod pages;
mod session;

use actix_web::web;

/// `/setup/...`, with the console's security headers.
pub fn routes(scope: actix_web::Scope) -> actix_web::Scope {
    scope
        .service(web::resource("/").get(pages::start))
        .service(
            web::resource("/scim")
                .get(pages::scim)
                .post(pages::create_scim_token),
        )
        .service(web::resource("/sso").get(pages::sso))
        .service(web::resource("/sso/draft").post(pages::sso_save))
        .service(web::resource("/sso/test").post(pages::sso_test))
        .service(web::resource("/sso/activate").post(pages::sso_activate))
        .service(web::resource("/sso/discard").post(pages::sso_discard))
        .service(web::resource("/{token}").get(session::open))
        .default_service(web::to(super::layout::not_found))
}
