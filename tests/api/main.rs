//! Black-box API tests over real HTTP, each against SQLite and PostgreSQL.

mod helpers;
mod mail_sink;

mod admin;
mod auth;
mod credentials;
mod database_outage;
mod oidc;
mod ops;
mod password_reset;
mod saml;
mod scim;
mod tokens;
