//! Checks 5 and 11–17: the values of the Response and of the signed Assertion, each check a
//! small function returning its own rejection. The clock is a parameter (`now`).

use bergshamra::xml::uppsala::{Document, NodeId};

use super::reason::Rejection;
use super::ValidationContext;
use crate::clock::Millis;
use crate::protocol::saml::xml::{
    attr, children_named, is_element, single_child, trimmed_text, SAML, SAMLP,
};

/// SAML core §3.2.2.2: top-level status of a successful response.
const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
/// SAML profiles §4.1.4.2: the confirmation method of Web Browser SSO.
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// Oldest IssueInstant accepted, beyond the clock skew.
const MAX_RESPONSE_AGE_MS: Millis = 10 * 60 * 1000;

/// xs:dateTime in UTC (SAML core §1.3.3); a value without a zone is read as UTC.
pub fn parse_saml_time(text: &str) -> Option<Millis> {
    let text = text.trim();
    let has_zone =
        text.ends_with('Z') || text.get(19..).is_some_and(|rest| rest.contains(['+', '-']));
    if has_zone {
        crate::clock::parse_rfc3339(text)
    } else {
        crate::clock::parse_rfc3339(&format!("{text}Z"))
    }
}

/// Check 5: the document element is a SAML 2.0 protocol Response (SAML core §3.3.3).
pub fn check_5_response_root(doc: &Document<'_>) -> Result<NodeId, Rejection> {
    let root = doc.document_element().ok_or(Rejection::NotAResponse)?;
    if !is_element(doc, root, SAMLP, "Response") {
        return Err(Rejection::NotAResponse);
    }
    if attr(doc, root, "Version") != Some("2.0") {
        return Err(Rejection::WrongVersion);
    }
    Ok(root)
}

/// Check 5b: top-level StatusCode is Success (SAML core §3.2.2.2). Checked early only to
/// give a precise reason: a non-success response is refused whatever its signature.
pub fn check_5b_status(doc: &Document<'_>, response: NodeId) -> Result<(), Rejection> {
    let code = single_child(doc, response, SAMLP, "Status")
        .ok()
        .flatten()
        .and_then(|s| single_child(doc, s, SAMLP, "StatusCode").ok().flatten())
        .and_then(|c| attr(doc, c, "Value"));
    if code == Some(STATUS_SUCCESS) {
        Ok(())
    } else {
        Err(Rejection::StatusNotSuccess)
    }
}

fn issuer_of(doc: &Document<'_>, node: NodeId) -> Result<Option<String>, Rejection> {
    match single_child(doc, node, SAML, "Issuer") {
        Err(_) => Err(Rejection::WrongIssuer),
        Ok(None) => Ok(None),
        Ok(Some(i)) => trimmed_text(doc, i).map(Some).ok_or(Rejection::WrongIssuer),
    }
}

/// Check 11: the Assertion's Issuer (required, SAML core §2.3.3) and the Response's Issuer
/// (optional, §3.2.2) are the configured IdP entity id.
pub fn check_11_issuer(
    doc: &Document<'_>,
    response: NodeId,
    assertion: NodeId,
    ctx: &ValidationContext<'_>,
) -> Result<String, Rejection> {
    if issuer_of(doc, response)?.is_some_and(|i| i != ctx.idp_entity_id) {
        return Err(Rejection::WrongIssuer);
    }
    match issuer_of(doc, assertion)? {
        Some(i) if i == ctx.idp_entity_id => Ok(i),
        _ => Err(Rejection::WrongIssuer),
    }
}

/// Check 12: Destination is this organization's ACS URL (SAML bindings §3.5.5.2; required
/// here even for unsigned responses, CONTRACT.md §7).
pub fn check_12_destination(
    doc: &Document<'_>,
    response: NodeId,
    ctx: &ValidationContext<'_>,
) -> Result<(), Rejection> {
    match attr(doc, response, "Destination") {
        Some(d) if d == ctx.acs_url => Ok(()),
        _ => Err(Rejection::WrongDestination),
    }
}

/// The InResponseTo rule shared by the Response and SubjectConfirmationData (SAML profiles
/// §4.1.4.2–4.1.4.3): the flow's request id, or absent only when unsolicited is allowed.
fn in_response_to_ok(value: Option<&str>, ctx: &ValidationContext<'_>) -> Result<(), Rejection> {
    match (ctx.expected_request_id, value) {
        (Some(expected), Some(v)) if v == expected => Ok(()),
        (Some(_), Some(_)) => Err(Rejection::WrongInResponseTo),
        (Some(_), None) => Err(Rejection::MissingInResponseTo),
        (None, Some(_)) => Err(Rejection::WrongInResponseTo),
        (None, None) if ctx.allow_unsolicited => Ok(()),
        (None, None) => Err(Rejection::UnsolicitedNotAllowed),
    }
}

/// Check 13: the Response's InResponseTo.
pub fn check_13_in_response_to(
    doc: &Document<'_>,
    response: NodeId,
    ctx: &ValidationContext<'_>,
) -> Result<(), Rejection> {
    in_response_to_ok(attr(doc, response, "InResponseTo"), ctx)
}

/// Check 14: neither IssueInstant lies in the future beyond the skew (SAML core §3.2.2, §2.3.3).
pub fn check_14_issue_instant(
    doc: &Document<'_>,
    nodes: [NodeId; 2],
    ctx: &ValidationContext<'_>,
) -> Result<Millis, Rejection> {
    let mut oldest = Millis::MAX;
    for node in nodes {
        let at = attr(doc, node, "IssueInstant")
            .and_then(parse_saml_time)
            .ok_or(Rejection::MalformedXml)?;
        if at > ctx.now + ctx.clock_skew_ms {
            return Err(Rejection::IssuedInFuture);
        }
        oldest = oldest.min(at);
    }
    Ok(oldest)
}

/// Check 15: a bearer SubjectConfirmation whose data names this ACS as Recipient, has not
/// expired, carries no NotBefore and answers this flow (SAML profiles §4.1.4.2).
pub fn check_15_subject_confirmation(
    doc: &Document<'_>,
    subject: NodeId,
    ctx: &ValidationContext<'_>,
) -> Result<Millis, Rejection> {
    let bearers: Vec<NodeId> = children_named(doc, subject, SAML, "SubjectConfirmation")
        .into_iter()
        .filter(|c| attr(doc, *c, "Method") == Some(BEARER))
        .collect();
    let mut first_error = Rejection::NoBearerConfirmation;
    for (i, confirmation) in bearers.into_iter().enumerate() {
        match one_confirmation(doc, confirmation, ctx) {
            Ok(until) => return Ok(until),
            Err(e) if i == 0 => first_error = e,
            Err(_) => {}
        }
    }
    Err(first_error)
}

fn one_confirmation(
    doc: &Document<'_>,
    confirmation: NodeId,
    ctx: &ValidationContext<'_>,
) -> Result<Millis, Rejection> {
    let data = single_child(doc, confirmation, SAML, "SubjectConfirmationData")
        .ok()
        .flatten()
        .ok_or(Rejection::NoBearerConfirmation)?;
    if attr(doc, data, "Recipient") != Some(ctx.acs_url) {
        return Err(Rejection::WrongRecipient);
    }
    if attr(doc, data, "NotBefore").is_some() {
        return Err(Rejection::NoBearerConfirmation);
    }
    let until = attr(doc, data, "NotOnOrAfter")
        .and_then(parse_saml_time)
        .ok_or(Rejection::NoBearerConfirmation)?;
    if ctx.now >= until + ctx.clock_skew_ms {
        return Err(Rejection::Expired);
    }
    in_response_to_ok(attr(doc, data, "InResponseTo"), ctx)?;
    Ok(until)
}

/// Check 16: Conditions time window and audience (SAML core §2.5.1): every
/// AudienceRestriction must name this organization's SP entity id.
pub fn check_16_conditions(
    doc: &Document<'_>,
    assertion: NodeId,
    ctx: &ValidationContext<'_>,
) -> Result<Option<Millis>, Rejection> {
    let conditions = single_child(doc, assertion, SAML, "Conditions")
        .map_err(|_| Rejection::MissingAudience)?
        .ok_or(Rejection::MissingAudience)?;
    let time = |name| {
        attr(doc, conditions, name)
            .map(|t| parse_saml_time(t).ok_or(Rejection::MalformedXml))
            .transpose()
    };
    if time("NotBefore")?.is_some_and(|nb| ctx.now + ctx.clock_skew_ms < nb) {
        return Err(Rejection::NotYetValid);
    }
    let not_on_or_after = time("NotOnOrAfter")?;
    if not_on_or_after.is_some_and(|na| ctx.now >= na + ctx.clock_skew_ms) {
        return Err(Rejection::Expired);
    }
    let restrictions = children_named(doc, conditions, SAML, "AudienceRestriction");
    if restrictions.is_empty() {
        return Err(Rejection::MissingAudience);
    }
    for restriction in restrictions {
        let names_us = children_named(doc, restriction, SAML, "Audience")
            .into_iter()
            .any(|a| trimmed_text(doc, a).as_deref() == Some(ctx.sp_entity_id));
        if !names_us {
            return Err(Rejection::WrongAudience);
        }
    }
    Ok(not_on_or_after)
}

/// Check 17: the response is not older than the service accepts.
pub fn check_17_age(issued_at: Millis, ctx: &ValidationContext<'_>) -> Result<(), Rejection> {
    if issued_at + MAX_RESPONSE_AGE_MS + ctx.clock_skew_ms < ctx.now {
        return Err(Rejection::ResponseTooOld);
    }
    Ok(())
}
