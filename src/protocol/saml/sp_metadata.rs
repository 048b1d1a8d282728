//! SP metadata per organization (SAML metadata §2.4.4 SPSSODescriptor): entity id, one
//! HTTP-POST AssertionConsumerService, the SP signing certificates when AuthnRequests are
//! signed and the encryption certificates when encrypted assertions are accepted.

use quick_xml::escape::escape;

/// XML Encryption methods an IdP may choose, strongest first (SAML metadata §2.4.1.1).
const ENCRYPTION_METHODS: &[&str] = &[
    "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    "http://www.w3.org/2009/xmlenc11#aes128-gcm",
    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
    "http://www.w3.org/2009/xmlenc11#rsa-oaep",
];

fn key_descriptor(key_use: &str, cert_b64: &str) -> String {
    let methods: String = if key_use == "encryption" {
        ENCRYPTION_METHODS
            .iter()
            .map(|m| format!("<md:EncryptionMethod Algorithm=\"{m}\"/>"))
            .collect()
    } else {
        String::new()
    };
    format!(
        "<md:KeyDescriptor use=\"{key_use}\"><ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\
         <ds:X509Data><ds:X509Certificate>{cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>{methods}</md:KeyDescriptor>"
    )
}

/// The metadata document. Certificates are bare base64 DER: the SP signing ones when
/// AuthnRequests are signed, the encryption ones when encrypted assertions are accepted
/// (during a rotation, the active and the next key of each).
pub fn sp_metadata_xml(
    entity_id: &str,
    acs_url: &str,
    signing_certs: &[String],
    encryption_certs: &[String],
) -> String {
    let keys: String = signing_certs
        .iter()
        .map(|c| key_descriptor("signing", c))
        .chain(
            encryption_certs
                .iter()
                .map(|c| key_descriptor("encryption", c)),
        )
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"{entity}\">\
         <md:SPSSODescriptor AuthnRequestsSigned=\"{signed}\" WantAssertionsSigned=\"true\" \
         protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">{keys}\
         <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>\
         <md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" \
         Location=\"{acs}\" index=\"0\" isDefault=\"true\"/></md:SPSSODescriptor></md:EntityDescriptor>\n",
        entity = escape(entity_id),
        signed = !signing_certs.is_empty(),
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
            &[],
            &[],
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
        assert!(!xml.contains("KeyDescriptor"));
    }

    #[test]
    fn encryption_certificates_are_published_apart_from_signing_ones() {
        let xml = sp_metadata_xml("e", "a", &["SIGN".into()], &["ENC1".into(), "ENC2".into()]);
        let md = crate::protocol::saml::xml::MD;
        let doc = bergshamra::xml::uppsala::parse(&xml).unwrap();
        let uses: Vec<_> = crate::protocol::saml::xml::all_named(&doc, md, "KeyDescriptor")
            .into_iter()
            .map(|k| {
                crate::protocol::saml::xml::attr(&doc, k, "use")
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(uses, ["signing", "encryption", "encryption"]);
        assert!(xml.contains("xmlenc11#aes256-gcm"));
        assert!(xml.contains("AuthnRequestsSigned=\"true\""));
    }
}
