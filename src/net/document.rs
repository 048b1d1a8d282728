//! GET of a document under the fetch guard (`super::fetch`): IdP metadata at save time and
//! on refresh. A refresh sends the validators of the last fetch (RFC 9110 §13.1.1
//! If-None-Match, §13.1.3 If-Modified-Since) and a 304 costs no parse.

use std::net::SocketAddr;

use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;

use super::fetch::{non_public_reason, outbound_client_builder, FetchError, MAX_FETCH_BYTES};

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// A validator longer than this is not kept (nor sent back).
const MAX_VALIDATOR_LEN: usize = 256;

/// The validators of the last fetch, sent back on the next.
#[derive(Clone, Copy, Debug, Default)]
pub struct Validators<'a> {
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    /// 304: the document is as last fetched.
    NotModified,
    Document {
        text: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// GETs `url` under the guard and returns the body text.
pub async fn fetch_text(url: &str, allow_private: bool) -> Result<String, FetchError> {
    match fetch_document(url, allow_private, Validators::default()).await? {
        Fetched::Document { text, .. } => Ok(text),
        Fetched::NotModified => Err(FetchError::Failed(
            "the server answered 304 to an unconditional request".into(),
        )),
    }
}

/// The URL checked, its host resolved and every address judged; the address to pin.
async fn checked_target(
    url: &str,
    allow_private: bool,
) -> Result<(url::Url, String, SocketAddr), FetchError> {
    let parsed =
        url::Url::parse(url).map_err(|_| FetchError::BadUrl("the URL is not valid".into()))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(FetchError::BadUrl("only https URLs may be fetched".into())),
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| FetchError::BadUrl("the URL has no host".into()))?
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let lookup_host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addrs: Vec<SocketAddr> = tokio::time::timeout(
        TIMEOUT,
        tokio::net::lookup_host((lookup_host.as_str(), port)),
    )
    .await
    .map_err(|_| FetchError::Failed("DNS lookup timed out".into()))?
    .map_err(|_| FetchError::Failed(format!("cannot resolve {host}")))?
    .collect();
    let Some(addr) = addrs.first().copied() else {
        return Err(FetchError::Failed(format!("{host} has no address")));
    };
    if let Some((ip, why)) = addrs
        .iter()
        .filter(|_| !allow_private)
        .find_map(|a| non_public_reason(a.ip()).map(|why| (a.ip(), why)))
    {
        return Err(FetchError::Forbidden(format!(
            "{host} resolves to {ip}, which is not a public address: {why}"
        )));
    }
    Ok((parsed, lookup_host, addr))
}

fn header_text(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= MAX_VALIDATOR_LEN)
        .map(str::to_owned)
}

/// GETs `url` under the guard, conditionally when validators are given.
pub async fn fetch_document(
    url: &str,
    allow_private: bool,
    validators: Validators<'_>,
) -> Result<Fetched, FetchError> {
    let (parsed, lookup_host, addr) = checked_target(url, allow_private).await?;
    let client = outbound_client_builder(TIMEOUT)
        .resolve(&lookup_host, addr)
        .build()
        .map_err(|_| FetchError::Failed("HTTP client unavailable".into()))?;
    let mut request = client.get(parsed);
    if let Some(etag) = validators.etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    if let Some(date) = validators.last_modified {
        request = request.header(IF_MODIFIED_SINCE, date);
    }
    let response = request.send().await.map_err(|e| {
        FetchError::Failed(if e.is_timeout() {
            "the request timed out".into()
        } else {
            "the request failed".into()
        })
    })?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if status.is_redirection() {
        return Err(FetchError::Failed(format!(
            "the server answered a redirect ({status}); give the final URL"
        )));
    }
    if !status.is_success() {
        return Err(FetchError::Failed(format!("the server answered {status}")));
    }
    let etag = header_text(&response, ETAG);
    let last_modified = header_text(&response, LAST_MODIFIED);
    let text = read_body(response).await?;
    Ok(Fetched::Document {
        text,
        etag,
        last_modified,
    })
}

async fn read_body(mut response: reqwest::Response) -> Result<String, FetchError> {
    let too_large = || FetchError::Failed("the document is larger than 1 MiB".into());
    if response
        .content_length()
        .is_some_and(|n| n > MAX_FETCH_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| FetchError::Failed("the response could not be read".into()))?
    {
        if body.len() + chunk.len() > MAX_FETCH_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| FetchError::Failed("the document is not UTF-8".into()))
}
