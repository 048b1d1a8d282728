//! Request plumbing every `/api/v1` surface shares: the caller extractor (session cookie or
//! API key) and role checks, the JSON error type, the JSON body extractor, the CSRF rule,
//! client IP and request metadata, the attempt limits, the session cookie, and the
//! root request guard (HEAD as GET, body deadline, the /api/v1 media type), and the admin
//! API's key check.

pub mod admin_auth;
pub mod api_routes;
pub mod api_schemas;
pub mod caller;
pub mod error;
pub mod fallback_errors;
pub mod json_body;
pub mod keyset;
pub mod rate_limit;
pub mod request_guard;
pub mod request_meta;
pub mod session_cookie;
