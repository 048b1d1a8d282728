//! A scripted identity provider in Rust: builds SAML Responses with the layout real IdPs
//! use and signs them with bergshamra. Only tests, the fuzz seeds and the benchmark use it;
//! no route reaches it. Attack cases are derived from its output by the test suite.

use bergshamra::core::algorithm as alg;
use bergshamra::{DsigContext, KeysManager};

use crate::clock::{rfc3339, Millis};

/// Which elements carry an enveloped signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignMode {
    Assertion,
    Response,
    Both,
    Unsigned,
}

/// What goes into one response; `ResponseSpec::new` fills a valid default.
#[derive(Clone, Debug)]
pub struct ResponseSpec {
    pub issuer: String,
    pub destination: String,
    pub recipient: String,
    pub audience: String,
    pub in_response_to: Option<String>,
    pub name_id: String,
    pub attributes: Vec<(String, Vec<String>)>,
    pub response_id: String,
    pub assertion_id: String,
    pub issue_instant: Millis,
    pub not_before: Millis,
    pub not_on_or_after: Millis,
    pub status: String,
    pub sign: SignMode,
    pub signature_method: String,
    pub digest_method: String,
    /// Encrypt the (signed) assertion for the SP, as an EncryptedAssertion.
    pub encryption: Option<super::test_idp_encrypt::Encryption>,
}

fn random_id() -> String {
    format!("_{}", uuid::Uuid::new_v4().simple())
}

impl ResponseSpec {
    /// A valid response from `issuer` for the SP at `sp_entity_id` / `acs_url`, issued `now`.
    pub fn new(
        issuer: &str,
        sp_entity_id: &str,
        acs_url: &str,
        name_id: &str,
        now: Millis,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            destination: acs_url.into(),
            recipient: acs_url.into(),
            audience: sp_entity_id.into(),
            in_response_to: None,
            name_id: name_id.into(),
            attributes: vec![("email".into(), vec![name_id.into()])],
            response_id: random_id(),
            assertion_id: random_id(),
            issue_instant: now,
            not_before: now - 60_000,
            not_on_or_after: now + 300_000,
            status: "urn:oasis:names:tc:SAML:2.0:status:Success".into(),
            sign: SignMode::Assertion,
            signature_method: alg::RSA_SHA256.into(),
            digest_method: alg::SHA256.into(),
            encryption: None,
        }
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An IdP signing key and its certificate, both PEM.
#[derive(Clone, Debug)]
pub struct TestIdp {
    pub key_pem: String,
    pub cert_pem: String,
}

/// The Assertion element (as this IdP writes it) replaced by its EncryptedAssertion.
fn encrypt_in_place(
    xml: &str,
    encryption: &super::test_idp_encrypt::Encryption,
) -> Result<String, String> {
    const CLOSE: &str = "</saml:Assertion>";
    let start = xml.find("<saml:Assertion ").ok_or("no assertion")?;
    let end = xml.find(CLOSE).ok_or("no assertion end")? + CLOSE.len();
    // The plaintext declares the namespace it uses, as Okta, Entra ID and AD FS write it
    // (exclusive c14n renders it the same either way, so the signature still holds).
    let plaintext = xml[start..end].replacen(
        "<saml:Assertion ",
        r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" "#,
        1,
    );
    let encrypted = super::test_idp_encrypt::encrypt_assertion(&plaintext, encryption)?;
    Ok(format!("{}{encrypted}{}", &xml[..start], &xml[end..]))
}

/// Marks where a signature template goes; replaced before signing.
const RESPONSE_SIG: &str = "<!--response-signature-->";
const ASSERTION_SIG: &str = "<!--assertion-signature-->";

impl TestIdp {
    pub fn new(key_pem: &str, cert_pem: &str) -> Self {
        Self {
            key_pem: key_pem.into(),
            cert_pem: cert_pem.into(),
        }
    }

    fn cert_base64(&self) -> String {
        self.cert_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>()
    }

    fn signature_template(&self, spec: &ResponseSpec, reference: &str) -> String {
        format!(
            concat!(
                r#"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>"#,
                r#"<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
                r##"<ds:SignatureMethod Algorithm="{sm}"/><ds:Reference URI="#{r}"><ds:Transforms>"##,
                r#"<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>"#,
                r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>"#,
                r#"<ds:DigestMethod Algorithm="{dm}"/><ds:DigestValue></ds:DigestValue></ds:Reference>"#,
                r#"</ds:SignedInfo><ds:SignatureValue></ds:SignatureValue><ds:KeyInfo><ds:X509Data>"#,
                r#"<ds:X509Certificate>{c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"#
            ),
            sm = spec.signature_method,
            r = reference,
            dm = spec.digest_method,
            c = self.cert_base64()
        )
    }

    /// The unsigned XML with comment markers where signatures go.
    pub fn unsigned_xml(spec: &ResponseSpec) -> String {
        let t = |ms| rfc3339(ms);
        let irt = spec
            .in_response_to
            .as_deref()
            .map(|v| format!(r#" InResponseTo="{}""#, esc(v)))
            .unwrap_or_default();
        let attributes: String = spec
            .attributes
            .iter()
            .map(|(name, values)| {
                let values: String = values
                    .iter()
                    .map(|v| format!("<saml:AttributeValue>{}</saml:AttributeValue>", esc(v)))
                    .collect();
                format!(
                    r#"<saml:Attribute Name="{}">{values}</saml:Attribute>"#,
                    esc(name)
                )
            })
            .collect();
        format!(
            concat!(
                r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{rid}" Version="2.0" IssueInstant="{now}" Destination="{dest}"{irt}>"#,
                r#"<saml:Issuer>{iss}</saml:Issuer>{rsig}<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status>"#,
                r#"<saml:Assertion ID="{aid}" Version="2.0" IssueInstant="{now}"><saml:Issuer>{iss}</saml:Issuer>{asig}"#,
                r#"<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{nid}</saml:NameID>"#,
                r#"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{noa}" Recipient="{rcpt}"{irt}/></saml:SubjectConfirmation></saml:Subject>"#,
                r#"<saml:Conditions NotBefore="{nb}" NotOnOrAfter="{noa}"><saml:AudienceRestriction><saml:Audience>{aud}</saml:Audience></saml:AudienceRestriction></saml:Conditions>"#,
                r#"<saml:AuthnStatement AuthnInstant="{now}" SessionIndex="{sidx}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"#,
                r#"<saml:AttributeStatement>{attrs}</saml:AttributeStatement></saml:Assertion></samlp:Response>"#
            ),
            rid = esc(&spec.response_id),
            now = t(spec.issue_instant),
            dest = esc(&spec.destination),
            irt = irt,
            iss = esc(&spec.issuer),
            rsig = RESPONSE_SIG,
            status = esc(&spec.status),
            aid = esc(&spec.assertion_id),
            asig = ASSERTION_SIG,
            nid = esc(&spec.name_id),
            noa = t(spec.not_on_or_after),
            rcpt = esc(&spec.recipient),
            nb = t(spec.not_before),
            aud = esc(&spec.audience),
            sidx = random_id(),
            attrs = attributes,
        )
    }

    fn sign_first_template(&self, xml: String) -> Result<String, String> {
        let key = bergshamra::keys::loader::load_rsa_private_pem(self.key_pem.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut keys = KeysManager::new();
        keys.add_key(key);
        bergshamra::dsig::sign::sign_owned(&DsigContext::new_permissive(keys), xml)
            .map_err(|e| e.to_string())
    }

    /// The signed response XML.
    pub fn response_xml(&self, spec: &ResponseSpec) -> Result<String, String> {
        let mut xml = Self::unsigned_xml(spec);
        if matches!(spec.sign, SignMode::Assertion | SignMode::Both) {
            // The Response marker is a comment: it stays for the Response pass below.
            xml = xml.replace(
                ASSERTION_SIG,
                &self.signature_template(spec, &spec.assertion_id),
            );
            xml = self.sign_first_template(xml)?;
        }
        if let Some(encryption) = &spec.encryption {
            xml = encrypt_in_place(&xml.replace(ASSERTION_SIG, ""), encryption)?;
        }
        if matches!(spec.sign, SignMode::Response | SignMode::Both) {
            xml = xml.replace(ASSERTION_SIG, "").replace(
                RESPONSE_SIG,
                &self.signature_template(spec, &spec.response_id),
            );
            xml = self.sign_first_template(xml)?;
        }
        Ok(xml.replace(RESPONSE_SIG, "").replace(ASSERTION_SIG, ""))
    }

    /// The signed response, base64 as the HTTP-POST binding sends it (SAML bindings §3.5.4).
    pub fn response_b64(&self, spec: &ResponseSpec) -> Result<String, String> {
        use base64::Engine;
        Ok(base64::engine::general_purpose::STANDARD.encode(self.response_xml(spec)?))
    }
}
