//! The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1): its
//! parameters read once from the query, and every refusal with the error code the RFCs give
//! it. Refusals before the redirect URI is trusted show a page; the others go back to it.

use std::collections::HashMap;

/// Longest query read: generous for state and nonce, small enough to bound the work.
const MAX_QUERY_BYTES: usize = 8 * 1024;
/// OIDC Core leaves `state` and `nonce` opaque; these bound what is stored and echoed.
const MAX_STATE_LEN: usize = 2048;
const MAX_NONCE_LEN: usize = 512;

/// Scopes this provider knows (OIDC Core §5.4); others are ignored, as OIDC Core §3.1.2.1
/// lets a provider do with scope values it does not understand.
const KNOWN_SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// Why an authorization request is refused (a fixed set: metrics labels and audit reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    // Shown on a page: the redirect URI cannot be trusted (RFC 6749 §4.1.2.1).
    MalformedQuery,
    MissingClientId,
    UnknownClient,
    ClientDisabled,
    OrgSuspended,
    MissingRedirectUri,
    RedirectUriMismatch,
    /// The database did not answer while the client was looked up: 503, nothing trusted.
    Unavailable,
    // Sent back to the redirect URI.
    RepeatedParameter,
    NotWebClient,
    MissingResponseType,
    UnsupportedResponseType,
    MissingOpenidScope,
    MissingCodeChallenge,
    PlainCodeChallenge,
    MalformedCodeChallenge,
    StateTooLong,
    NonceTooLong,
    BadPrompt,
    RequestObject,
    RequestTooLong,
    LoginRequired,
    NoSso,
}

impl Refusal {
    /// True when the refusal must not redirect (the split `authorize` makes by stage).
    #[cfg(test)]
    pub fn shown_on_page(self) -> bool {
        matches!(
            self,
            Self::MalformedQuery
                | Self::MissingClientId
                | Self::UnknownClient
                | Self::ClientDisabled
                | Self::OrgSuspended
                | Self::MissingRedirectUri
                | Self::RedirectUriMismatch
                | Self::Unavailable
        )
    }

    pub fn reason(self) -> &'static str {
        match self {
            Self::MalformedQuery => "malformed_query",
            Self::MissingClientId => "missing_client_id",
            Self::UnknownClient => "unknown_client",
            Self::ClientDisabled => "client_disabled",
            Self::OrgSuspended => "org_suspended",
            Self::MissingRedirectUri => "missing_redirect_uri",
            Self::RedirectUriMismatch => "redirect_uri_mismatch",
            Self::Unavailable => "database_unavailable",
            Self::RepeatedParameter => "repeated_parameter",
            Self::NotWebClient => "not_a_web_client",
            Self::MissingResponseType => "missing_response_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::MissingOpenidScope => "missing_openid_scope",
            Self::MissingCodeChallenge => "missing_code_challenge",
            Self::PlainCodeChallenge => "code_challenge_method_not_s256",
            Self::MalformedCodeChallenge => "malformed_code_challenge",
            Self::StateTooLong => "state_too_long",
            Self::NonceTooLong => "nonce_too_long",
            Self::BadPrompt => "bad_prompt",
            Self::RequestObject => "request_object_not_supported",
            Self::RequestTooLong => "request_too_long",
            Self::LoginRequired => "login_required",
            Self::NoSso => "sso_not_enabled",
        }
    }

    /// The `error` value (RFC 6749 §4.1.2.1, RFC 7636 §4.4.1, OIDC Core §3.1.2.6).
    pub fn error(self) -> &'static str {
        match self {
            Self::UnknownClient | Self::ClientDisabled | Self::OrgSuspended => "invalid_client",
            Self::NotWebClient => "unauthorized_client",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::MissingOpenidScope => "invalid_scope",
            Self::RequestObject => "request_not_supported",
            Self::LoginRequired => "login_required",
            Self::NoSso => "access_denied",
            Self::Unavailable => "temporarily_unavailable",
            _ => "invalid_request",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::MalformedQuery => "the authorization request's query string is malformed",
            Self::MissingClientId => "client_id is required",
            Self::UnknownClient => "the client is not known",
            Self::ClientDisabled => "the client is disabled",
            Self::OrgSuspended => "the client's organization is suspended",
            Self::MissingRedirectUri => "redirect_uri is required",
            Self::RedirectUriMismatch => {
                "redirect_uri is not one of the client's registered redirect URIs (exact match)"
            }
            Self::Unavailable => "the service is temporarily unavailable; try again shortly",
            Self::RepeatedParameter => "a parameter is repeated",
            Self::NotWebClient => "only web clients may use the authorization code flow",
            Self::MissingResponseType => "response_type is required",
            Self::UnsupportedResponseType => "only response_type=code is supported",
            Self::MissingOpenidScope => "scope must include openid",
            Self::MissingCodeChallenge => "PKCE is required: send code_challenge (S256)",
            Self::PlainCodeChallenge => "code_challenge_method must be S256",
            Self::MalformedCodeChallenge => "code_challenge is not a base64url SHA-256 value",
            Self::StateTooLong => "state is longer than 2048 characters",
            Self::NonceTooLong => "nonce is longer than 512 characters",
            Self::BadPrompt => "prompt holds an unknown value, or none with another value",
            Self::RequestObject => "request and request_uri parameters are not supported",
            Self::RequestTooLong => {
                "the authorization request is too long to carry through sign-in"
            }
            Self::LoginRequired => "the user is not signed in to this client's organization",
            Self::NoSso => "the client's organization has no enabled single sign-on",
        }
    }
}

/// The query's parameters, each at most once (RFC 6749 §3.1); empty values are omitted.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
    repeated: bool,
}

impl Params {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        if raw.len() > MAX_QUERY_BYTES {
            return Err(Refusal::MalformedQuery);
        }
        let mut params = Self::default();
        for (name, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            if params.values.contains_key(name.as_ref()) {
                params.repeated = true;
            }
            if !value.is_empty() {
                params.values.insert(name.into_owned(), value.into_owned());
            }
        }
        Ok(params)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The query again, without `prompt` when `drop_prompt` (the request resumed after the
    /// sign-in that `prompt=login` asked for must not ask again).
    pub fn to_query(&self, drop_prompt: bool) -> String {
        let mut names: Vec<&String> = self.values.keys().collect();
        names.sort();
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for name in names {
            if drop_prompt && name == "prompt" {
                continue;
            }
            out.append_pair(name, &self.values[name]);
        }
        out.finish()
    }
}

/// What a valid request asks for, once the client and redirect URI are trusted.
#[derive(Debug)]
pub struct Checked<'a> {
    pub scope: String,
    pub code_challenge: &'a str,
    pub nonce: Option<&'a str>,
    pub prompt_login: bool,
    pub prompt_none: bool,
    pub max_age_secs: Option<i64>,
}

/// The checks after the redirect URI matched, in the order RFC 6749 §4.1.2.1 lists them.
pub fn check(p: &Params) -> Result<Checked<'_>, Refusal> {
    if p.repeated {
        return Err(Refusal::RepeatedParameter);
    }
    if p.get("request").is_some() || p.get("request_uri").is_some() {
        return Err(Refusal::RequestObject);
    }
    match p.get("response_type") {
        None => return Err(Refusal::MissingResponseType),
        Some("code") => {}
        Some(_) => return Err(Refusal::UnsupportedResponseType),
    }
    let scopes: Vec<&str> = p.get("scope").unwrap_or("").split(' ').collect();
    if !scopes.contains(&"openid") {
        return Err(Refusal::MissingOpenidScope);
    }
    let granted: Vec<&str> = KNOWN_SCOPES
        .into_iter()
        .filter(|s| scopes.contains(s))
        .collect();
    let code_challenge = p
        .get("code_challenge")
        .ok_or(Refusal::MissingCodeChallenge)?;
    // RFC 7636 §4.3: an absent method means plain, which this provider refuses.
    if p.get("code_challenge_method") != Some("S256") {
        return Err(Refusal::PlainCodeChallenge);
    }
    let b64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if code_challenge.len() != 43 || !code_challenge.bytes().all(b64url) {
        return Err(Refusal::MalformedCodeChallenge);
    }
    if p.get("state").is_some_and(|s| s.len() > MAX_STATE_LEN) {
        return Err(Refusal::StateTooLong);
    }
    let nonce = p.get("nonce");
    if nonce.is_some_and(|n| n.len() > MAX_NONCE_LEN) {
        return Err(Refusal::NonceTooLong);
    }
    let (prompt_login, prompt_none) = prompt(p.get("prompt"))?;
    // OIDC Core §3.1.2.1: max_age in seconds; a malformed one is ignored, not fatal.
    let max_age_secs = p
        .get("max_age")
        .and_then(|m| m.parse::<i64>().ok())
        .filter(|m| *m >= 0);
    Ok(Checked {
        scope: granted.join(" "),
        code_challenge,
        nonce,
        prompt_login,
        prompt_none,
        max_age_secs,
    })
}

/// OIDC Core §3.1.2.1: space-separated; `none` stands alone. `consent` and `select_account`
/// are accepted (consent is implicit, and the IdP picks the account).
fn prompt(raw: Option<&str>) -> Result<(bool, bool), Refusal> {
    let values: Vec<&str> = raw
        .unwrap_or("")
        .split(' ')
        .filter(|v| !v.is_empty())
        .collect();
    let known = ["none", "login", "consent", "select_account"];
    if values.iter().any(|v| !known.contains(v)) {
        return Err(Refusal::BadPrompt);
    }
    let none = values.contains(&"none");
    if none && values.len() > 1 {
        return Err(Refusal::BadPrompt);
    }
    Ok((values.contains(&"login"), none))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "response_type=code&client_id=axc_x&redirect_uri=https%3A%2F%2Fa.test%2Fcb\
        &scope=openid%20email%20other&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
        &code_challenge_method=S256&state=s&nonce=n";

    #[test]
    fn a_complete_request_passes_and_unknown_scopes_are_dropped() {
        let p = Params::parse(OK).unwrap();
        let c = check(&p).unwrap();
        assert_eq!(c.scope, "openid email");
        assert_eq!(c.nonce, Some("n"));
        assert!(!c.prompt_login && !c.prompt_none);
    }

    #[test]
    fn each_broken_parameter_has_its_refusal() {
        let cases = [
            ("&response_type=code", Refusal::RepeatedParameter),
            ("&request=x", Refusal::RequestObject),
            ("&prompt=none%20login", Refusal::BadPrompt),
            ("&prompt=bogus", Refusal::BadPrompt),
        ];
        for (extra, refusal) in cases {
            let p = Params::parse(&format!("{OK}{extra}")).unwrap();
            assert_eq!(check(&p).unwrap_err(), refusal, "{extra}");
        }
        let swaps = [
            (
                "response_type=code",
                "response_type=token",
                Refusal::UnsupportedResponseType,
            ),
            ("response_type=code", "x=1", Refusal::MissingResponseType),
            ("openid%20", "", Refusal::MissingOpenidScope),
            ("S256", "plain", Refusal::PlainCodeChallenge),
            (
                "&code_challenge_method=S256",
                "",
                Refusal::PlainCodeChallenge,
            ),
            ("-cM", "-c+", Refusal::MalformedCodeChallenge),
        ];
        for (from, to, refusal) in swaps {
            let p = Params::parse(&OK.replace(from, to)).unwrap();
            assert_eq!(check(&p).unwrap_err(), refusal, "{to}");
            assert!(!refusal.shown_on_page());
        }
    }

    #[test]
    fn the_resumed_query_drops_only_prompt() {
        let p = Params::parse("b=2&prompt=login&a=1").unwrap();
        assert_eq!(p.to_query(true), "a=1&b=2");
        assert_eq!(p.to_query(false), "a=1&b=2&prompt=login");
    }
}
