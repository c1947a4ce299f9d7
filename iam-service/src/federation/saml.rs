//! A SAML 2.0 response from an identity provider: decoded, its XML signature verified against
//! the provider's metadata certificates (by `bergshamra`, a maintained XML-DSig library), and
//! the one assertion it carries read into plain values for `iam_core::saml`.
//!
//! Signature wrapping is the attack to defend against: the XML that was signed and the XML
//! that is read must be the same element. So the response must have exactly one assertion, as
//! a direct child of the root; every signature must sit directly in the root or that
//! assertion and reference exactly its parent by ID; the verifier's resolved node must be that
//! same element (matched by its byte offset across the two parsers); and text is read only
//! from elements holding nothing but text, so a comment cannot split a NameID.

use base64::Engine;
use bergshamra_dsig::{verify::VerifyResult, DsigContext};
use bergshamra_keys::{loader::load_x509_cert_der, KeysManager};
use iam_core::saml::{Assertion, Confirmation};
use iam_core::web_identity::TokenRefusal;
use roxmltree::Node;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// SHA-2 only: SHA-1 signatures can be forged with feasible work.
const SIGNATURE_METHODS: [&str; 6] = [
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
];
const DIGEST_METHODS: [&str; 3] = [
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
];
const MAX_NODES: u32 = 5_000;
const MAX_NAMESPACE_DECLARATIONS: usize = 64;

fn invalid(message: impl Into<String>) -> TokenRefusal {
    TokenRefusal::Invalid(message.into())
}

fn signature_invalid() -> TokenRefusal {
    invalid("Response signature invalid")
}

/// The response's XML from the base64 a browser posts (line breaks allowed).
pub fn decode(encoded: &str) -> Result<String, TokenRefusal> {
    let compact: String = encoded.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| invalid("Invalid base64 SAMLResponse (1)"))?;
    String::from_utf8(bytes).map_err(|_| invalid("Invalid SAML response: not UTF-8"))
}

/// Refuses what is not a well-formed, signed response of the shape accepted, before any
/// provider is looked up or any signature checked; answers what the assertion says, which
/// is not to be believed yet (it only picks the provider whose keys to check it with).
pub fn check_shape(xml: &str) -> Result<Assertion, TokenRefusal> {
    let doc = parse(xml)?;
    let (response, assertion, _) = shaped(&doc)?;
    read_assertion(response, assertion)
}

/// Reads the assertion of `xml`, whose signature must hold under one of `certificates`
/// (DER), the provider's signing certificates.
pub fn read(xml: &str, certificates: &[Vec<u8>]) -> Result<Assertion, TokenRefusal> {
    let doc = parse(xml)?;
    let (response, assertion, signatures) = shaped(&doc)?;
    verify(xml, certificates, &signatures)?;
    read_assertion(response, assertion)
}

fn parse(xml: &str) -> Result<roxmltree::Document<'_>, TokenRefusal> {
    if xml.matches("xmlns").count() > MAX_NAMESPACE_DECLARATIONS {
        return Err(invalid("Invalid SAML response: too many namespace declarations"));
    }
    // No DTDs (so no entity expansion) and a bounded tree, before the verifier's own parser
    // sees the document.
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    roxmltree::Document::parse_with_options(xml, options)
        .map_err(|_| invalid("Invalid SAML response: not well-formed XML"))
}

type Shaped<'a, 'i> = (Node<'a, 'i>, Node<'a, 'i>, Vec<Node<'a, 'i>>);

/// The response, its one assertion and its signatures, each checked for shape.
fn shaped<'a>(doc: &'a roxmltree::Document<'a>) -> Result<Shaped<'a, 'a>, TokenRefusal> {
    let response = doc.root_element();
    if !response.has_tag_name((PROTOCOL, "Response")) {
        return Err(invalid("Invalid SAML response: the root must be samlp:Response"));
    }
    check_status(response)?;
    no_foreign_id_attributes(doc)?;
    let assertion = the_assertion(doc, response)?;
    let signatures: Vec<Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name((DSIG, "Signature")))
        .collect();
    if signatures.is_empty() {
        return Err(invalid(
            "Invalid SAML response: neither the response nor its assertion is signed",
        ));
    }
    if signatures.len() > 2 {
        return Err(invalid(
            "Invalid SAML response: at most the response and its assertion are signed",
        ));
    }
    for signature in &signatures {
        check_signature_shape(*signature, response, assertion)?;
        check_signature_markup(*signature)?;
    }
    Ok((response, assertion, signatures))
}

/// Attributes the verifier reads by local name in any namespace: only the unqualified ones
/// are allowed, so both parsers read the same value.
fn no_foreign_id_attributes(doc: &roxmltree::Document) -> Result<(), TokenRefusal> {
    const NAMES: [&str; 8] = [
        "URI",
        "Algorithm",
        "ID",
        "Id",
        "id",
        "AssertionID",
        "PrefixList",
        "Type",
    ];
    let foreign = doc
        .descendants()
        .flat_map(|n| n.attributes())
        .any(|a| a.namespace().is_some() && NAMES.contains(&a.name()));
    if foreign {
        return Err(invalid(
            "Invalid SAML response: a namespace-qualified ID, URI or Algorithm attribute",
        ));
    }
    Ok(())
}

/// The signature holds only what SAML's signatures use, so the verifier never meets an
/// XPath or XSLT transform, an external reference or a key to fetch.
fn check_signature_markup(signature: Node) -> Result<(), TokenRefusal> {
    let markup = || invalid("Invalid SAML response: the signature holds markup SAML signatures do not use");
    let allowed = |node: Node, names: &[&str], inclusive: bool| {
        node.children().filter(Node::is_element).all(|c| {
            (c.tag_name().namespace() == Some(DSIG) && names.contains(&c.tag_name().name()))
                || (inclusive && c.has_tag_name((EXC_C14N, "InclusiveNamespaces")) && prefix_list_ok(c))
        })
    };
    let counts = |node: Node, name: &str| children(node, DSIG, name).count();
    let info = child(signature, DSIG, "SignedInfo").ok_or_else(markup)?;
    let mut ok = allowed(signature, &["SignedInfo", "SignatureValue", "KeyInfo"], false)
        && counts(signature, "SignedInfo") == 1
        && counts(signature, "SignatureValue") == 1
        && counts(signature, "KeyInfo") <= 1
        && allowed(
            info,
            &["CanonicalizationMethod", "SignatureMethod", "Reference"],
            false,
        )
        && counts(info, "CanonicalizationMethod") == 1
        && counts(info, "SignatureMethod") == 1;
    for node in signature.descendants().filter(Node::is_element) {
        let name = node.tag_name().name();
        ok = ok
            && node.attributes().all(|a| a.namespace().is_none())
            && match (node.tag_name().namespace(), name) {
                (Some(DSIG), "CanonicalizationMethod" | "Transform") => allowed(node, &[], true),
                (Some(DSIG), "Reference") => {
                    allowed(node, &["Transforms", "DigestMethod", "DigestValue"], false)
                }
                (Some(DSIG), "Transforms") => allowed(node, &["Transform"], false),
                (Some(DSIG), "KeyInfo") => allowed(node, &["X509Data", "KeyName"], false),
                (Some(DSIG), "X509Data") => allowed(node, &["X509Certificate"], false),
                (Some(DSIG), "Signature" | "SignedInfo") => true,
                (Some(EXC_C14N), "InclusiveNamespaces") => node.children().all(|c| !c.is_element()),
                (Some(DSIG), _) => node.children().all(|c| !c.is_element()),
                _ => false,
            };
    }
    if !ok {
        return Err(markup());
    }
    Ok(())
}

/// Exclusive canonicalization's own prefixes: a few short ones, as real signatures carry.
fn prefix_list_ok(node: Node) -> bool {
    let list = node.attribute("PrefixList").unwrap_or_default();
    list.len() <= 200 && list.split_whitespace().count() <= 8
}

fn check_status(response: Node) -> Result<(), TokenRefusal> {
    let code = child(response, PROTOCOL, "Status")
        .and_then(|s| child(s, PROTOCOL, "StatusCode"))
        .and_then(|c| c.attribute("Value"));
    if code != Some(SUCCESS) {
        return Err(invalid(
            "The identity provider's SAML response is not a success (samlp:StatusCode)",
        ));
    }
    Ok(())
}

/// The single assertion, a direct child of the response; anywhere else is refused.
fn the_assertion<'a>(
    doc: &'a roxmltree::Document<'a>,
    response: Node<'a, 'a>,
) -> Result<Node<'a, 'a>, TokenRefusal> {
    if doc
        .descendants()
        .any(|n| n.has_tag_name((ASSERTION, "EncryptedAssertion")))
    {
        return Err(invalid(
            "Encrypted SAML assertions are not supported; send the assertion signed, unencrypted",
        ));
    }
    let all: Vec<Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ASSERTION, "Assertion")))
        .collect();
    match all.as_slice() {
        [one] if one.parent() == Some(response) => Ok(*one),
        [] => Err(invalid("No valid assertion found in SAML response")),
        _ => Err(invalid(
            "The SAML response must carry exactly one assertion, directly in the response",
        )),
    }
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name((ns, name)))
}

fn children<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| c.has_tag_name((ns, name)))
}

fn algorithm<'a>(node: Option<Node<'a, '_>>) -> Option<&'a str> {
    node.and_then(|n| n.attribute("Algorithm"))
}

/// A signature sits directly in the response or the assertion, signs exactly its parent by
/// ID, with SHA-2 and only the transforms SAML uses.
fn check_signature_shape(signature: Node, response: Node, assertion: Node) -> Result<(), TokenRefusal> {
    let Some(parent) = signature
        .parent_element()
        .filter(|p| *p == response || *p == assertion)
    else {
        return Err(invalid(
            "Invalid SAML response: a signature outside the response and its assertion",
        ));
    };
    let info = child(signature, DSIG, "SignedInfo").ok_or_else(signature_invalid)?;
    if algorithm(child(info, DSIG, "CanonicalizationMethod")) != Some(EXC_C14N) {
        return Err(invalid(
            "The SAML signature must use exclusive canonicalization (xml-exc-c14n#)",
        ));
    }
    let method = algorithm(child(info, DSIG, "SignatureMethod")).unwrap_or_default();
    if !SIGNATURE_METHODS.contains(&method) {
        return Err(invalid(format!(
            "The SAML signature's method `{method}` is not accepted; sign with RSA or ECDSA and SHA-256 or stronger"
        )));
    }
    let references: Vec<Node> = children(info, DSIG, "Reference").collect();
    let [reference] = references.as_slice() else {
        return Err(invalid("The SAML signature must have exactly one Reference"));
    };
    let id = parent.attribute("ID").unwrap_or_default();
    if id.is_empty() || reference.attribute("URI") != Some(&format!("#{id}")) {
        return Err(invalid(
            "The SAML signature must reference the element it is in, by its ID",
        ));
    }
    let ids = parent
        .document()
        .descendants()
        .flat_map(|n| n.attributes())
        .filter(|a| matches!(a.name(), "ID" | "Id" | "id" | "AssertionID") && a.value() == id)
        .count();
    if ids != 1 {
        return Err(invalid(
            "Invalid SAML response: an element ID is used more than once",
        ));
    }
    if !DIGEST_METHODS.contains(&algorithm(child(*reference, DSIG, "DigestMethod")).unwrap_or_default()) {
        return Err(invalid("The SAML signature's digest must be SHA-256 or stronger"));
    }
    let transforms: Vec<&str> = child(*reference, DSIG, "Transforms")
        .map(|t| {
            children(t, DSIG, "Transform")
                .map(|t| t.attribute("Algorithm").unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    if transforms.len() > 2 || transforms.iter().any(|t| *t != ENVELOPED && *t != EXC_C14N) {
        return Err(invalid("The SAML signature may use only the enveloped-signature and exclusive canonicalization transforms"));
    }
    Ok(())
}

/// Every signature holds under a metadata certificate, and what each covers is the element it
/// sits in (found by byte offset in both parsers' trees).
fn verify(xml: &str, certificates: &[Vec<u8>], signatures: &[Node]) -> Result<(), TokenRefusal> {
    let mut keys = KeysManager::new();
    // A certificate of a kind the verifier cannot use (DSA, say) is skipped, not fatal.
    for key in certificates.iter().filter_map(|der| load_x509_cert_der(der).ok()) {
        keys.add_key(key);
    }
    // The keys are the metadata's own, trusted as uploaded (as AWS does): no chain to a CA,
    // and never a key the response itself carries.
    let context = DsigContext::new(keys).with_insecure(true);
    let parsed = uppsala::parse(xml).map_err(|_| invalid("Invalid SAML response: not well-formed XML"))?;
    let results = bergshamra_dsig::verify::verify_all_document_with_source(&context, &parsed, Some(xml))
        .map_err(|_| signature_invalid())?;
    if results.len() != signatures.len() {
        return Err(signature_invalid());
    }
    for result in results {
        let VerifyResult::Valid {
            signature_node,
            references,
            ..
        } = result
        else {
            return Err(signature_invalid());
        };
        let at = |id| parsed.node_range(id).map(|r| r.start);
        let signature = signatures
            .iter()
            .find(|s| Some(s.range().start) == at(signature_node))
            .ok_or_else(signature_invalid)?;
        let covered = match references.as_slice() {
            [only] if only.digest_verified => only.resolved_node.and_then(at),
            _ => None,
        };
        let parent = signature.parent_element().map(|p| p.range().start);
        if covered.is_none() || covered != parent {
            return Err(signature_invalid());
        }
    }
    Ok(())
}

/// The text of an element that holds only text: a comment or element inside is refused, as
/// it could make the signed text and the read text differ.
fn text(node: Node) -> Result<String, TokenRefusal> {
    let mut out = String::new();
    for c in node.children() {
        match c.text().filter(|_| c.is_text()) {
            Some(t) => out.push_str(t),
            None => {
                return Err(invalid(format!(
                    "Invalid SAML response: <{}> must hold only text",
                    node.tag_name().name()
                )))
            }
        }
    }
    Ok(out.trim().to_owned())
}

fn instant(node: Node, name: &str) -> Result<Option<i64>, TokenRefusal> {
    node.attribute(name)
        .map(|text| {
            OffsetDateTime::parse(text, &Rfc3339)
                .map(OffsetDateTime::unix_timestamp)
                .map_err(|_| invalid(format!("Invalid SAML response: {name} is not a date and time")))
        })
        .transpose()
}

fn read_assertion(response: Node, assertion: Node) -> Result<Assertion, TokenRefusal> {
    let issuer = child(assertion, ASSERTION, "Issuer")
        .map(text)
        .transpose()?
        .ok_or_else(|| invalid("Invalid SAML response: the assertion has no Issuer"))?;
    if let Some(outer) = child(response, ASSERTION, "Issuer") {
        if text(outer)? != issuer {
            return Err(invalid(
                "The SAML response and its assertion name different issuers",
            ));
        }
    }
    let subject = child(assertion, ASSERTION, "Subject");
    let name_id = subject.and_then(|s| child(s, ASSERTION, "NameID"));
    let mut confirmations = Vec::new();
    for c in subject
        .into_iter()
        .flat_map(|s| children(s, ASSERTION, "SubjectConfirmation"))
    {
        let data = child(c, ASSERTION, "SubjectConfirmationData");
        confirmations.push(Confirmation {
            method: c.attribute("Method").unwrap_or_default().to_owned(),
            recipient: data.and_then(|d| d.attribute("Recipient")).map(str::to_owned),
            not_before: data.map(|d| instant(d, "NotBefore")).transpose()?.flatten(),
            not_on_or_after: data.map(|d| instant(d, "NotOnOrAfter")).transpose()?.flatten(),
        });
    }
    let conditions = child(assertion, ASSERTION, "Conditions");
    let mut audience_restrictions = Vec::new();
    for r in conditions
        .into_iter()
        .flat_map(|c| children(c, ASSERTION, "AudienceRestriction"))
    {
        audience_restrictions.push(
            children(r, ASSERTION, "Audience")
                .map(text)
                .collect::<Result<_, _>>()?,
        );
    }
    let mut session_not_on_or_after = None;
    for s in children(assertion, ASSERTION, "AuthnStatement") {
        session_not_on_or_after = session_not_on_or_after.or(instant(s, "SessionNotOnOrAfter")?);
    }
    let mut attributes = Vec::new();
    for statement in children(assertion, ASSERTION, "AttributeStatement") {
        for a in children(statement, ASSERTION, "Attribute") {
            let values = children(a, ASSERTION, "AttributeValue")
                .map(text)
                .collect::<Result<_, _>>()?;
            attributes.push((a.attribute("Name").unwrap_or_default().to_owned(), values));
        }
    }
    Ok(Assertion {
        id: assertion.attribute("ID").unwrap_or_default().to_owned(),
        issuer,
        name_id: name_id.map(text).transpose()?,
        name_id_format: name_id.and_then(|n| n.attribute("Format")).map(str::to_owned),
        confirmations,
        not_before: conditions.map(|c| instant(c, "NotBefore")).transpose()?.flatten(),
        not_on_or_after: conditions
            .map(|c| instant(c, "NotOnOrAfter"))
            .transpose()?
            .flatten(),
        audience_restrictions,
        session_not_on_or_after,
        attributes,
        destination: response.attribute("Destination").map(str::to_owned),
    })
}
