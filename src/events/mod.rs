//! Events and signed webhooks (CONTRACT.md §15): the cursor API over the outbox, the webhook
//! endpoints API (its shared work is `crate::webhooks`'s), and the jobs that number committed events and
//! deliver them.

mod api;
mod delivery;
pub mod openapi;
mod render;
mod webhooks_api;

pub use delivery::run_jobs;
