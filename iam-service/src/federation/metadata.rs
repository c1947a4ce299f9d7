//! SAML 2.0 metadata of an identity provider (CreateSAMLProvider, UpdateSAMLProvider): its
//! entity ID, how long the metadata is valid, and the certificates it signs with.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// What the provider's metadata says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlMetadata {
    pub entity_id: String,
    /// The document's `validUntil`, when it has one.
    pub valid_until: Option<OffsetDateTime>,
    /// DER of each signing certificate, with its expiry.
    pub certificates: Vec<SigningCertificate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningCertificate {
    pub der: Vec<u8>,
    pub not_after: OffsetDateTime,
}

/// Namespace declarations a metadata document may make: real ones use a handful, and the
/// parser's work grows with their square.
const MAX_NAMESPACE_DECLARATIONS: usize = 64;
const MAX_NODES: u32 = 20_000;

/// Reads an IdP's metadata; the error says, in our words, what is wrong with it.
pub fn parse(document: &str) -> Result<SamlMetadata, String> {
    if document.matches("xmlns").count() > MAX_NAMESPACE_DECLARATIONS {
        return Err(format!(
            "metadata declares more than {MAX_NAMESPACE_DECLARATIONS} namespaces"
        ));
    }
    // No DTDs (no entity expansion, no external references), and a bounded tree.
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    let doc = roxmltree::Document::parse_with_options(document, options)
        .map_err(|e| format!("metadata is not XML: {e}"))?;
    let root = doc.root_element();
    if !root.has_tag_name((MD, "EntityDescriptor")) {
        return Err("metadata must be an md:EntityDescriptor".into());
    }
    let entity_id = root
        .attribute("entityID")
        .filter(|id| !id.is_empty() && id.len() <= 1024)
        .ok_or("metadata has no entityID")?
        .to_owned();
    let valid_until = match root.attribute("validUntil") {
        None => None,
        Some(text) => Some(
            OffsetDateTime::parse(text, &Rfc3339)
                .map_err(|_| format!("validUntil `{text}` is not a date and time"))?,
        ),
    };
    let idp = root
        .children()
        .find(|n| n.has_tag_name((MD, "IDPSSODescriptor")))
        .ok_or("metadata has no md:IDPSSODescriptor")?;
    let mut certificates = Vec::new();
    for key in idp.children().filter(|n| n.has_tag_name((MD, "KeyDescriptor"))) {
        if key.attribute("use").is_some_and(|u| u != "signing") {
            continue;
        }
        for cert in key
            .descendants()
            .filter(|n| n.has_tag_name((DS, "X509Certificate")))
        {
            certificates.push(certificate(cert.text().unwrap_or_default())?);
        }
    }
    if certificates.is_empty() || certificates.len() > 10 {
        return Err("metadata must name 1 to 10 signing certificates (ds:X509Certificate)".into());
    }
    Ok(SamlMetadata {
        entity_id,
        valid_until,
        certificates,
    })
}

fn certificate(text: &str) -> Result<SigningCertificate, String> {
    use base64::Engine;
    use x509_cert::der::Decode;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| "a signing certificate is not base64".to_owned())?;
    let parsed = x509_cert::Certificate::from_der(&der)
        .map_err(|_| "a signing certificate is not an X.509 certificate".to_owned())?;
    let not_after = parsed.tbs_certificate.validity.not_after.to_unix_duration();
    let not_after = OffsetDateTime::from_unix_timestamp(not_after.as_secs() as i64)
        .map_err(|_| "a signing certificate's expiry is out of range".to_owned())?;
    Ok(SigningCertificate { der, not_after })
}
