//! Saving an organization's SSO configuration, for every surface that edits it (the SSO
//! API, the console and setup links): preparing it (metadata, secrets), writing it with
//! its events and sessions, drafts, and the test sign-in of a draft (CONTRACT.md §6, §16).

pub mod draft;
pub mod prepare;
pub mod test_result;
pub mod test_sign_in;
pub mod write;

pub use write::{config_json, save, ConfigWrite};
