//! The portal surfaces under `/api/v1`: admin organization API, portal authentication,
//! portal API keys and SCIM token management.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod credentials;
pub mod password;
pub mod sessions_api;

use actix_web::web;

/// The portal's routes inside the `/api/v1` scope that startup mounts.
pub fn api_routes(cfg: &mut web::ServiceConfig) {
    let org = "/admin/organizations/{org_id}";
    cfg.service(
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
    .service(web::resource("/scim/tokens/{token_id}").delete(credentials::delete_scim_token))
    .service(web::resource("/sessions").get(sessions_api::list_sessions))
    .service(web::resource("/sessions/{session_id}").delete(sessions_api::revoke_session));
}
