//! The SSO configuration API (CONTRACT.md §6): CRUD with merge patch, the test run, the
//! audit feed, provider defaults, SP metadata, IdP metadata fetching and refresh.

pub mod api;
pub mod api_misc;
pub mod metadata_api;
pub mod openapi;
pub mod sp_keys_api;
