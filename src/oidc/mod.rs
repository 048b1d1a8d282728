//! OpenID Connect relying party routes (CONTRACT.md §8): the login redirect and the
//! callback, on the engine in `protocol::oidc` and the shared after-login path.

pub mod login;
pub mod routes;
