//! Events and signed webhooks (CONTRACT.md §15): the cursor API over the outbox, the webhook
//! endpoints API (its shared work is `crate::webhooks`'s), and the jobs that number committed events and
//! deliver them.

mod api;
mod delivery;
mod render;
mod webhooks_api;

use actix_web::web;

pub use delivery::run_jobs;

/// Inside the `/api/v1` scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/events").get(api::list))
        .service(
            web::resource("/webhooks")
                .get(webhooks_api::list)
                .post(webhooks_api::create),
        )
        .service(
            web::resource("/webhooks/{id}")
                .get(webhooks_api::get)
                .patch(webhooks_api::patch)
                .delete(webhooks_api::delete),
        )
        .service(web::resource("/webhooks/{id}/test").post(webhooks_api::test))
        .service(web::resource("/webhooks/{id}/secret").post(webhooks_api::rotate))
        .service(web::resource("/webhooks/{id}/deliveries").get(webhooks_api::deliveries));
}
