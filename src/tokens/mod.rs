//! The token service surface (CONTRACT.md §12): the token endpoint, introspection, the
//! JWKS and discovery documents, and the clients API under `/api/v1`. The key ring, the
//! access token format and client authentication it shares with verify/ live in issuer/.

mod client_login;
mod clients_api;
mod code_grant;
mod discovery;
mod form;
mod introspect;
mod oauth_error;
mod token_endpoint;

use actix_web::{web, HttpResponse};

pub use token_endpoint::GRANT_TYPES;

/// `/oauth2/*` and `/.well-known/*`, mounted at the root.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/oauth2/token")
            .route(web::post().to(token_endpoint::token))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/oauth2/introspect")
            .route(web::post().to(introspect::introspect))
            .default_service(web::to(method_not_allowed)),
    )
    .service(web::resource("/oauth2/jwks").route(web::get().to(discovery::jwks)))
    .service(
        web::resource("/.well-known/openid-configuration")
            .route(web::get().to(discovery::openid_configuration)),
    )
    .service(
        web::resource("/.well-known/oauth-authorization-server")
            .route(web::get().to(discovery::openid_configuration)),
    );
}

/// The clients API, inside the `/api/v1` scope.
pub fn api_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/clients")
            .get(clients_api::list)
            .post(clients_api::create),
    )
    .service(
        web::resource("/clients/{id}")
            .get(clients_api::get)
            .patch(clients_api::patch)
            .delete(clients_api::delete),
    )
    .service(web::resource("/clients/{id}/secrets").post(clients_api::rotate_secret))
    .service(web::resource("/clients/{id}/secrets/{secret_id}").delete(clients_api::revoke_secret));
}

/// RFC 6749 §3.2: the token and introspection endpoints take POST only.
async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header(("Allow", "POST"))
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({"error": "invalid_request", "error_description": "use POST"}))
}
