//! The portal surfaces under `/api/v1`: admin organization API, portal authentication,
//! portal API keys and SCIM token management.

pub mod admin;
pub mod admin_auth;
pub mod auth;
pub mod caller;
pub mod credentials;
pub mod error;
pub mod fallback_errors;
pub mod json_body;
pub mod password;
pub mod rate_limit;
pub mod request_meta;
pub mod session_cookie;
pub mod sessions;

use actix_web::web;

use error::ApiError;

/// Routes of `/api/v1`; anything unmatched under `/api` answers a JSON 404, and a known
/// path with another method a JSON 405 (see `fallback_errors`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let org = "/admin/organizations/{org_id}";
    cfg.service(
        web::scope("/api/v1")
            .service(
                web::resource("/admin/organizations")
                    .post(admin::create_org)
                    .get(admin::list_orgs),
            )
            .service(
                web::resource(org)
                    .get(admin::get_org)
                    .patch(admin::patch_org)
                    .delete(admin::delete_org),
            )
            .service(web::resource(format!("{org}/password")).post(admin::set_password))
            .service(
                web::resource(format!("{org}/license"))
                    .get(admin::get_license)
                    .post(admin::put_license)
                    .delete(admin::delete_license),
            )
            .configure(crate::sso::api::routes)
            .configure(crate::scim::portal_api::routes)
            .service(web::resource("/auth/login").post(auth::login))
            .service(web::resource("/auth/logout").post(auth::logout))
            .service(web::resource("/auth/session").get(auth::current_session))
            .service(web::resource("/auth/sso/availability").get(auth::sso_availability))
            .service(web::resource("/auth/forgot-password").post(password::forgot_password))
            .service(web::resource("/auth/reset-password").post(password::reset_password))
            .service(web::resource("/auth/change-password").post(password::change_password))
            .service(
                web::resource("/keys")
                    .get(credentials::list_keys)
                    .post(credentials::create_key),
            )
            .service(
                web::resource("/keys/{key_id}")
                    .get(credentials::get_key)
                    .delete(credentials::delete_key),
            )
            .service(
                web::resource("/scim/tokens")
                    .get(credentials::list_scim_tokens)
                    .post(credentials::create_scim_token),
            )
            .service(
                web::resource("/scim/tokens/{token_id}").delete(credentials::delete_scim_token),
            ),
    );
}

/// 404 (unknown path) or 405 (known path, other method) in the API's JSON shape.
pub async fn api_not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found("resource"))
}
