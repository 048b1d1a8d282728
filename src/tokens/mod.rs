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
pub mod openapi;
mod token_endpoint;

pub use token_endpoint::GRANT_TYPES;
