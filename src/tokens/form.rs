//! The OAuth endpoints' request body: `application/x-www-form-urlencoded` only (RFC 6749
//! §3.2, RFC 7662 §2.1), at most 16 KiB, each parameter at most once (RFC 6749 §3.1, §3.2),
//! read by hand so every refusal is the RFC's `invalid_request` instead of a framework error.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use super::oauth_error::{OAuthError, OAuthResult};

const MAX_FORM_BYTES: usize = 16 * 1024;

/// Parameters by name. `resource` may repeat (RFC 8707 §2), so every value is kept in a list;
/// other names are refused when repeated.
#[derive(Debug, Default)]
pub struct Form(HashMap<String, Vec<String>>);

impl Form {
    /// The parameter's value; empty values count as omitted (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map(Vec::as_slice).unwrap_or_default()
    }
}

pub async fn read_form(req: &HttpRequest, mut payload: web::Payload) -> OAuthResult<Form> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if essence.as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request(
            "not_form",
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            OAuthError::invalid_request("unreadable_body", "the body could not be read")
        })?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(OAuthError::invalid_request(
                "body_too_large",
                "the body is larger than 16 KiB",
            ));
        }
        body.extend_from_slice(&chunk);
    }
    parse(&body)
}

fn parse(body: &[u8]) -> OAuthResult<Form> {
    let mut params: HashMap<String, Vec<String>> = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        let values = params.entry(name.clone().into_owned()).or_default();
        if !values.is_empty() && name != "resource" {
            let shown: String = name.chars().take(40).collect();
            return Err(OAuthError::invalid_request(
                "repeated_parameter",
                format!("parameter {shown:?} is repeated"),
            ));
        }
        values.push(value.into_owned());
    }
    Ok(Form(params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused_except_rfc_8707_resources() {
        assert_eq!(
            parse(b"grant_type=a&grant_type=b").unwrap_err().reason,
            "repeated_parameter"
        );
        let form = parse(b"resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb&scope=").unwrap();
        assert_eq!(form.all("resource").len(), 2);
        assert_eq!(form.get("scope"), None, "an empty value is an omitted one");
    }
}
