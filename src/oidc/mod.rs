//! OpenID Connect relying party (CONTRACT.md §8): discovery, JWKS, ID token checks, the
//! authorization code flow with state, nonce and PKCE, and claims to a federated identity.

pub mod claims;
pub mod config;
pub mod discovery;
pub mod flow;
pub mod http;
pub mod id_token;
pub mod jwks;
pub mod keys;
pub mod login;
pub mod reason;
pub mod routes;
pub mod token;

#[cfg(test)]
mod test_support;

pub use reason::{FixSide, OidcReason};
