//! The portal surfaces under `/api/v1`: admin organization API, portal authentication,
//! portal API keys and SCIM token management.

pub mod admin;
pub mod admin_auth;
pub mod auth;
pub mod caller;
pub mod credentials;
pub mod error;
pub mod json_body;
pub mod password;
pub mod rate_limit;
pub mod request_meta;
pub mod session_cookie;
pub mod sessions;

use actix_web::web;

use error::ApiError;

/// Routes of `/api/v1`; anything unmatched under `/api` answers a JSON 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .service(
                web::scope("/admin/organizations")
                    .route("", web::post().to(admin::create_org))
                    .route("", web::get().to(admin::list_orgs))
                    .route("/{org_id}", web::get().to(admin::get_org))
                    .route("/{org_id}", web::patch().to(admin::patch_org))
                    .route("/{org_id}", web::delete().to(admin::delete_org))
                    .route("/{org_id}/password", web::post().to(admin::set_password))
                    .route("/{org_id}/license", web::get().to(admin::get_license))
                    .route("/{org_id}/license", web::post().to(admin::put_license))
                    .route("/{org_id}/license", web::delete().to(admin::delete_license)),
            )
            .service(
                web::scope("/auth")
                    .route("/login", web::post().to(auth::login))
                    .route("/logout", web::post().to(auth::logout))
                    .route("/session", web::get().to(auth::current_session))
                    .route("/sso/availability", web::get().to(auth::sso_availability))
                    .route(
                        "/forgot-password",
                        web::post().to(password::forgot_password),
                    )
                    .route("/reset-password", web::post().to(password::reset_password))
                    .route(
                        "/change-password",
                        web::post().to(password::change_password),
                    ),
            )
            .configure(crate::sso::api::routes)
            .route("/keys", web::get().to(credentials::list_keys))
            .route("/keys", web::post().to(credentials::create_key))
            .route("/keys/{key_id}", web::get().to(credentials::get_key))
            .route("/keys/{key_id}", web::delete().to(credentials::delete_key))
            .route("/scim/tokens", web::get().to(credentials::list_scim_tokens))
            .route(
                "/scim/tokens",
                web::post().to(credentials::create_scim_token),
            )
            .route(
                "/scim/tokens/{token_id}",
                web::delete().to(credentials::delete_scim_token),
            ),
    );
}

/// 404 (unknown path) or 405 (known path, other method) in the API's JSON shape.
pub async fn api_not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found("resource"))
}
