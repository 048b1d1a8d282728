//! The OpenID provider for web applications (CONTRACT.md §13): `GET /oauth2/authorize` and
//! `GET|POST /oauth2/userinfo`. The code, the ID token and the audit entries are shared with
//! the token endpoint (tokens/), so they live in issuer/.

mod authorize;
pub mod openapi;
mod request;
mod userinfo;
