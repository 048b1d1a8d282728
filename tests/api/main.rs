//! Black-box API tests over real HTTP, each against SQLite and PostgreSQL.

mod helpers;
mod mail_sink;
mod process;

mod admin;
mod auth;
mod console;
mod console_browser;
mod console_pages;
mod crash_under_load;
mod credentials;
mod database_outage;
mod durability;
mod emails;
mod events;
mod nul_bytes;
mod oidc;
mod op;
mod openapi;
mod ops;
mod password_reset;
mod rate_limits;
mod request_rules;
mod saml;
mod scim;
mod setup_links;
mod sso_drafts;
mod tokens;
mod upgrade;
