//! Reading an IdP's metadata (SAML metadata §2.4.3 IDPSSODescriptor): entity id, the
//! HTTP-Redirect SingleSignOnService, the signing certificates, and how long the document
//! may be cached (metadata §1.3.2 `validUntil`, §1.3.3 `cacheDuration`). No DTD,
//! size-limited.

use bergshamra::xml::uppsala::{Document, NodeId, Parser};

use crate::protocol::saml::xml::{attr, children_named, is_element, trimmed_text, DSIG, MD};

const HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const MAX_METADATA_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdpMetadata {
    pub entity_id: String,
    pub sso_url: String,
    /// Certificates as bare base64 DER, as the metadata carries them.
    pub certificates: Vec<String>,
    /// The shortest `cacheDuration` of the entity and the EntitiesDescriptor around it.
    pub cache_duration_ms: Option<i64>,
    /// The earliest `validUntil` of the same two elements.
    pub valid_until: Option<crate::clock::Millis>,
}

/// An xs:duration (XML Schema part 2 §3.2.6) as milliseconds: `PnYnMnDTnHnMnS`, a year as
/// 365 days and a month as 30 (only used to schedule a refetch). None when malformed or
/// negative.
pub fn parse_xs_duration(text: &str) -> Option<i64> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    const DAY: f64 = 86_400_000.0;
    let date_ms = duration_part(date, &[('Y', 365.0 * DAY), ('M', 30.0 * DAY), ('D', DAY)])?;
    let time_ms = match time {
        Some(t) => duration_part(t, &[('H', 3_600_000.0), ('M', 60_000.0), ('S', 1000.0)])?,
        None => 0.0,
    };
    if date.is_empty() && time.is_none() {
        return None;
    }
    let total = date_ms + time_ms;
    (total.is_finite() && total < 1e15).then_some(total as i64)
}

/// Sums `number unit` pairs, units in the given order, each at most once.
fn duration_part(mut text: &str, units: &[(char, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut next_unit = 0;
    while !text.is_empty() {
        let end = text.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let (number, tail) = text.split_at(end);
        let unit = tail.chars().next()?;
        let at = units[next_unit..].iter().position(|(u, _)| *u == unit)? + next_unit;
        let value: f64 = number.parse().ok()?;
        // Only seconds may carry a fraction.
        if number.contains('.') && unit != 'S' {
            return None;
        }
        total += value * units[at].1;
        next_unit = at + 1;
        text = &tail[1..];
    }
    Some(total)
}

fn shortest_cache_duration(doc: &Document<'_>, nodes: &[NodeId]) -> Option<i64> {
    nodes
        .iter()
        .filter_map(|n| attr(doc, *n, "cacheDuration").and_then(parse_xs_duration))
        .min()
}

fn earliest_valid_until(doc: &Document<'_>, nodes: &[NodeId]) -> Option<crate::clock::Millis> {
    nodes
        .iter()
        .filter_map(|n| attr(doc, *n, "validUntil").and_then(crate::clock::parse_rfc3339))
        .min()
}

fn idp_descriptor(doc: &Document<'_>, entity: NodeId) -> Option<NodeId> {
    children_named(doc, entity, MD, "IDPSSODescriptor")
        .first()
        .copied()
}

/// The first EntityDescriptor with an IDPSSODescriptor (also inside EntitiesDescriptor).
fn find_entity(doc: &Document<'_>) -> Option<(NodeId, NodeId)> {
    let root = doc.document_element()?;
    if is_element(doc, root, MD, "EntityDescriptor") {
        return idp_descriptor(doc, root).map(|d| (root, d));
    }
    if is_element(doc, root, MD, "EntitiesDescriptor") {
        return children_named(doc, root, MD, "EntityDescriptor")
            .into_iter()
            .find_map(|e| idp_descriptor(doc, e).map(|d| (e, d)));
    }
    None
}

pub fn parse_idp_metadata(xml: &str) -> Result<IdpMetadata, String> {
    if xml.len() > MAX_METADATA_BYTES {
        return Err("the metadata is larger than 1 MiB".into());
    }
    if xml
        .as_bytes()
        .windows(9)
        .any(|w| w.eq_ignore_ascii_case(b"<!DOCTYPE"))
    {
        return Err("the metadata contains a DTD".into());
    }
    let doc = Parser::new()
        .with_forbid_dtd(true)
        .with_max_depth(48)
        .parse(xml)
        .map_err(|_| "the metadata is not well-formed XML".to_owned())?;
    let (entity, idp) = find_entity(&doc).ok_or("the metadata has no IDPSSODescriptor")?;
    let entity_id = attr(&doc, entity, "entityID")
        .filter(|e| !e.is_empty())
        .ok_or("the EntityDescriptor has no entityID")?
        .to_owned();
    let sso_url = children_named(&doc, idp, MD, "SingleSignOnService")
        .into_iter()
        .find(|s| attr(&doc, *s, "Binding") == Some(HTTP_REDIRECT))
        .and_then(|s| attr(&doc, s, "Location"))
        .ok_or("the IdP metadata has no HTTP-Redirect SingleSignOnService")?
        .to_owned();
    let mut certificates = Vec::new();
    for kd in children_named(&doc, idp, MD, "KeyDescriptor") {
        if attr(&doc, kd, "use").is_some_and(|u| u != "signing") {
            continue;
        }
        for cert in doc
            .descendants(kd)
            .into_iter()
            .filter(|n| is_element(&doc, *n, DSIG, "X509Certificate"))
        {
            if let Some(text) = trimmed_text(&doc, cert) {
                let compact: String = text.split_whitespace().collect();
                if !certificates.contains(&compact) {
                    certificates.push(compact);
                }
            }
        }
    }
    if certificates.is_empty() {
        return Err("the IdP metadata has no signing certificate".into());
    }
    let scope: Vec<NodeId> = doc.document_element().into_iter().chain([entity]).collect();
    Ok(IdpMetadata {
        entity_id,
        sso_url,
        certificates,
        cache_duration_ms: shortest_cache_duration(&doc, &scope),
        valid_until: earliest_valid_until(&doc, &scope),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_yields_entity_redirect_url_and_signing_certs() {
        let xml = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1">
          <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
            <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIB
            AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            <md:KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>ENC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp/post"/>
            <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp/redirect"/>
          </md:IDPSSODescriptor></md:EntityDescriptor>"#;
        let md = parse_idp_metadata(xml).unwrap();
        assert_eq!(md.entity_id, "http://www.okta.com/exk1");
        assert_eq!(md.sso_url, "https://idp/redirect");
        assert_eq!(md.certificates, vec!["MIIBAAAA".to_owned()]);
    }

    #[test]
    fn xs_durations_become_milliseconds() {
        assert_eq!(parse_xs_duration("PT1H"), Some(3_600_000));
        assert_eq!(parse_xs_duration("P7D"), Some(7 * 86_400_000));
        assert_eq!(
            parse_xs_duration("P1DT2H30M1.5S"),
            Some(86_400_000 + 9_001_500)
        );
        assert_eq!(parse_xs_duration("PT0S"), Some(0));
        for bad in [
            "", "P", "PT", "1H", "PT1H1H", "PM1", "P1H", "-PT1H", "P1.5D", "PT1M1H",
        ] {
            assert_eq!(parse_xs_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn cache_hints_come_from_the_entity_and_its_container() {
        let xml = r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" cacheDuration="PT6H" validUntil="2030-01-02T00:00:00Z">
          <md:EntityDescriptor entityID="https://idp" cacheDuration="P2D" validUntil="2030-01-01T00:00:00Z">
          <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
            <md:KeyDescriptor><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp/redirect"/>
          </md:IDPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor>"#;
        let md = parse_idp_metadata(xml).unwrap();
        assert_eq!(md.cache_duration_ms, Some(6 * 3_600_000));
        assert_eq!(
            md.valid_until,
            crate::clock::parse_rfc3339("2030-01-01T00:00:00Z")
        );
    }

    #[test]
    fn metadata_with_a_dtd_is_refused() {
        assert!(parse_idp_metadata("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>").is_err());
    }
}
