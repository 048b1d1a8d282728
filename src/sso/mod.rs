//! The SSO configuration API (CONTRACT.md §6): CRUD with merge patch, the test run, the
//! audit feed, provider defaults, SP metadata and IdP metadata fetching.

pub mod api;
pub mod api_misc;
mod config_tx;
pub mod prepare;
pub mod sp_keys_api;
