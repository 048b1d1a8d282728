//! SP metadata per organization (SAML metadata §2.4.4 SPSSODescriptor): entity id, one
//! HTTP-POST AssertionConsumerService, and the SP signing certificate when AuthnRequests
//! are signed.

use quick_xml::escape::escape;

/// The metadata document; `signing_cert_b64` is the SP certificate as bare base64 DER.
pub fn sp_metadata_xml(entity_id: &str, acs_url: &str, signing_cert_b64: Option<&str>) -> String {
    let key = signing_cert_b64
        .map(|c| {
            format!(
                "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\
                 <ds:X509Data><ds:X509Certificate>{c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            )
        })
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"{entity}\">\
         <md:SPSSODescriptor AuthnRequestsSigned=\"{signed}\" WantAssertionsSigned=\"true\" \
         protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">{key}\
         <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>\
         <md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" \
         Location=\"{acs}\" index=\"0\" isDefault=\"true\"/></md:SPSSODescriptor></md:EntityDescriptor>\n",
        entity = escape(entity_id),
        signed = signing_cert_b64.is_some(),
        acs = escape(acs_url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_entity_and_one_post_acs() {
        let xml = sp_metadata_xml(
            "http://x/auth/saml/acme/metadata",
            "http://x/auth/saml/acme/callback",
            None,
        );
        let md = crate::protocol::saml::xml::MD;
        let doc = bergshamra::xml::uppsala::parse(&xml).unwrap();
        let root = doc.document_element().unwrap();
        assert_eq!(
            crate::protocol::saml::xml::attr(&doc, root, "entityID"),
            Some("http://x/auth/saml/acme/metadata")
        );
        let acs = crate::protocol::saml::xml::all_named(&doc, md, "AssertionConsumerService");
        assert_eq!(acs.len(), 1);
        assert!(xml.contains("AuthnRequestsSigned=\"false\""));
    }
}
