//! Reading an IdP's metadata (SAML metadata §2.4.3 IDPSSODescriptor): entity id, the
//! HTTP-Redirect SingleSignOnService and the signing certificates. No DTD, size-limited.

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
    Ok(IdpMetadata {
        entity_id,
        sso_url,
        certificates,
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
    fn metadata_with_a_dtd_is_refused() {
        assert!(parse_idp_metadata("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>").is_err());
    }
}
