//! Why an OIDC login was refused: one typed reason per check, with the snake_case code that
//! audit events, metrics and the browser error page (CONTRACT.md §2) carry.

pub use crate::protocol::FixSide;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OidcReason {
    // The callback request and the flow it belongs to.
    BadRequest,
    StateMissing,
    StateUnknown,
    StateReplayed,
    StateExpired,
    BrowserMismatch,
    IdpError,
    CodeMissing,
    // Talking to the provider.
    NotConfigured,
    DiscoveryFailed,
    JwksFetchFailed,
    TokenExchangeFailed,
    CodeRejected,
    IdTokenMissing,
    // ID token checks, in the order of id_token.rs (OIDC Core 1.0 §3.1.3.7).
    MalformedToken,
    AlgNotAllowed,
    KidUnknown,
    SignatureInvalid,
    IssuerMismatch,
    AudienceMismatch,
    AzpMismatch,
    TokenExpired,
    TokenNotYetValid,
    IssuedInFuture,
    NonceMismatch,
    // Claims to user (claims.rs).
    SubjectMissing,
    TenantMismatch,
    EmailNotVerified,
    EmailMissing,
    EmailDomainNotAllowed,
    HostedDomainNotAllowed,
}

impl OidcReason {
    /// The code stored in audit events and shown on the error page.
    pub fn code(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::StateMissing => "state_missing",
            Self::StateUnknown => "state_unknown",
            Self::StateReplayed => "state_replayed",
            Self::StateExpired => "state_expired",
            Self::BrowserMismatch => "browser_mismatch",
            Self::IdpError => "idp_error",
            Self::CodeMissing => "code_missing",
            Self::NotConfigured => "not_configured",
            Self::DiscoveryFailed => "discovery_failed",
            Self::JwksFetchFailed => "jwks_fetch_failed",
            Self::TokenExchangeFailed => "token_exchange_failed",
            Self::CodeRejected => "code_rejected",
            Self::IdTokenMissing => "id_token_missing",
            Self::MalformedToken => "malformed_token",
            Self::AlgNotAllowed => "alg_not_allowed",
            Self::KidUnknown => "kid_unknown",
            Self::SignatureInvalid => "signature_invalid",
            Self::IssuerMismatch => "issuer_mismatch",
            Self::AudienceMismatch => "audience_mismatch",
            Self::AzpMismatch => "azp_mismatch",
            Self::TokenExpired => "token_expired",
            Self::TokenNotYetValid => "token_not_yet_valid",
            Self::IssuedInFuture => "issued_in_future",
            Self::NonceMismatch => "nonce_mismatch",
            Self::SubjectMissing => "subject_missing",
            Self::TenantMismatch => "tenant_mismatch",
            Self::EmailNotVerified => "email_not_verified",
            Self::EmailMissing => "email_missing",
            Self::EmailDomainNotAllowed => "email_domain_not_allowed",
            Self::HostedDomainNotAllowed => "hosted_domain_not_allowed",
        }
    }

    pub fn side(self) -> FixSide {
        match self {
            Self::BadRequest
            | Self::StateMissing
            | Self::StateUnknown
            | Self::StateReplayed
            | Self::StateExpired
            | Self::BrowserMismatch
            | Self::CodeMissing
            | Self::CodeRejected => FixSide::User,
            Self::NotConfigured
            | Self::EmailMissing
            | Self::EmailDomainNotAllowed
            | Self::HostedDomainNotAllowed => FixSide::ServiceConfiguration,
            Self::IdpError
            | Self::DiscoveryFailed
            | Self::JwksFetchFailed
            | Self::TokenExchangeFailed
            | Self::IdTokenMissing
            | Self::MalformedToken
            | Self::AlgNotAllowed
            | Self::KidUnknown
            | Self::SignatureInvalid
            | Self::IssuerMismatch
            | Self::AudienceMismatch
            | Self::AzpMismatch
            | Self::TokenExpired
            | Self::TokenNotYetValid
            | Self::IssuedInFuture
            | Self::NonceMismatch
            | Self::SubjectMissing
            | Self::TenantMismatch
            | Self::EmailNotVerified => FixSide::IdentityProvider,
        }
    }

    /// HTTP status of the refusal: 400 for a broken or replayed browser request, 401 for a
    /// token that does not verify, 403 for a verified user this organization refuses, 404
    /// when OIDC is not set up, 502 when the provider cannot be reached or misbehaves.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest
            | Self::StateMissing
            | Self::StateUnknown
            | Self::StateReplayed
            | Self::StateExpired
            | Self::BrowserMismatch
            | Self::IdpError
            | Self::CodeMissing
            | Self::CodeRejected => 400,
            Self::NotConfigured => 404,
            Self::DiscoveryFailed
            | Self::JwksFetchFailed
            | Self::TokenExchangeFailed
            | Self::IdTokenMissing => 502,
            Self::MalformedToken
            | Self::AlgNotAllowed
            | Self::KidUnknown
            | Self::SignatureInvalid
            | Self::IssuerMismatch
            | Self::AudienceMismatch
            | Self::AzpMismatch
            | Self::TokenExpired
            | Self::TokenNotYetValid
            | Self::IssuedInFuture
            | Self::NonceMismatch
            | Self::SubjectMissing
            | Self::TenantMismatch => 401,
            Self::EmailNotVerified
            | Self::EmailMissing
            | Self::EmailDomainNotAllowed
            | Self::HostedDomainNotAllowed => 403,
        }
    }
}

impl std::fmt::Display for OidcReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_a_client_or_gateway_error_never_a_500() {
        for r in [
            OidcReason::StateReplayed,
            OidcReason::AlgNotAllowed,
            OidcReason::EmailDomainNotAllowed,
            OidcReason::JwksFetchFailed,
        ] {
            let s = r.status();
            assert!((400..500).contains(&s) || s == 502, "{r}: {s}");
        }
        assert_eq!(OidcReason::KidUnknown.code(), "kid_unknown");
    }
}
