//! The portal surfaces under `/api/v1`: admin organization API, portal authentication,
//! portal API keys and SCIM token management.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod credentials;
pub mod openapi;
pub mod password;
pub mod sessions_api;
