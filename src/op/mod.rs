//! The OpenID provider for web applications (CONTRACT.md §13): `GET /oauth2/authorize` and
//! `GET|POST /oauth2/userinfo`. The code, the ID token and the audit entries are shared with
//! the token endpoint (tokens/), so they live in issuer/.

mod authorize;
mod request;
mod userinfo;

use actix_web::web;

/// Mounted at the root, beside tokens/.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/oauth2/authorize").route(web::get().to(authorize::authorize)))
        .service(
            web::resource("/oauth2/userinfo")
                .route(web::get().to(userinfo::userinfo))
                .route(web::post().to(userinfo::userinfo)),
        );
}
