//! Black-box API tests over real HTTP, each against SQLite and PostgreSQL.

mod helpers;

mod admin;
mod auth;
mod credentials;
mod ops;
mod saml;
