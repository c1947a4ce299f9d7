// A SAML 2.0 identity provider for the tests, over plain http on 127.0.0.1: it issues
// responses as an AWS-federating IdP does (Role, RoleSessionName and SessionDuration
// attributes, audience urn:amazon:webservices), signed with samlify's XML-DSig (xml-crypto):
// RSA-SHA256, SHA-256 digests, exclusive c14n, enveloped signatures.
//   SAML_ACS_URL=http://127.0.0.1:3999/saml [SAML_IDP_PORT=7080] node saml.mjs CERT_DIR
// CERT_DIR is what certs.sh writes: saml.key/saml.pem sign, saml-other.key/saml-other.pem
// are a key the service provider is never told about.
//   GET  /metadata[?key=other]   the IdP's metadata (entity ID https://idp.test/saml)
//   POST /sign                   JSON in, base64 SAMLResponse out (fields: see sign() below)
//   GET  /sso?user=NAME&roles=ROLE_ARN,PROVIDER_ARN;...
//                                IdP-initiated sign-in: a page that POSTs the response to the ACS
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import samlify from 'samlify';

const certDir = process.argv[2];
const acsUrl = process.env.SAML_ACS_URL;
const port = Number(process.env.SAML_IDP_PORT || 7080);
if (!certDir || !acsUrl) {
  console.error('usage: SAML_ACS_URL=URL [SAML_IDP_PORT=7080] node saml.mjs CERT_DIR');
  process.exit(2);
}
const entityId = 'https://idp.test/saml';

const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
};
const AWS_ATTR = 'https://aws.amazon.com/SAML/Attributes/';

function loadKey(name) {
  const pem = fs.readFileSync(path.join(certDir, `${name}.pem`), 'utf8');
  return {
    key: fs.readFileSync(path.join(certDir, `${name}.key`), 'utf8'),
    // The base64 DER alone, as ds:X509Certificate carries it.
    certBody: pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''),
  };
}
const keys = { default: loadKey('saml'), other: loadKey('saml-other') };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  .replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const newId = () => `_${crypto.randomBytes(20).toString('hex')}`;
const instant = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function metadata(keyName) {
  return `<?xml version="1.0" encoding="UTF-8"?>`
    + `<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" entityID="${esc(entityId)}">`
    + `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${NS.samlp}">`
    + `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>`
    + `<ds:X509Certificate>${keys[keyName].certBody}</ds:X509Certificate>`
    + `</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
    + `<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>`
    + `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"`
    + ` Location="http://127.0.0.1:${port}/sso"/>`
    + `</md:IDPSSODescriptor></md:EntityDescriptor>`;
}

function attribute(name, values) {
  const list = Array.isArray(values) ? values : [values];
  return `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">`
    + list.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')
    + `</saml:Attribute>`;
}

// Enveloped signature over the element `target` selects, placed right after that element's
// saml:Issuer (the schema's place for ds:Signature in both Assertion and Response).
function signElement(xml, target, signer) {
  return samlify.SamlLib.constructSAMLSignature({
    rawSamlMessage: xml,
    referenceTagXPath: target,
    privateKey: signer.key,
    signingCert: signer.certBody,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    signatureConfig: {
      prefix: 'ds',
      location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
    },
    isBase64Output: false,
  });
}

// The fields of POST /sign; all but `roles` are optional.
//   nameId ("alice"), nameIdFormat (persistent),
//   roles: ["ROLE_ARN,PROVIDER_ARN", ...] (an empty list leaves out the Role attribute),
//   sessionName (= nameId; null leaves out the attribute), sessionDuration (none by default),
//   attributes: { name: value | [values] },
//   audience ("urn:amazon:webservices"), recipient (SAML_ACS_URL; also the Destination),
//   notBefore / notOnOrAfter (ISO strings, used as given) or lifetimeSeconds (300): by default
//   NotBefore = now - 5s and NotOnOrAfter = now + lifetime, in Conditions and the bearer
//   SubjectConfirmationData alike,
//   signAssertion (true), signResponse (false), key ("default" | "other"),
//   assertionId (a fresh ID; a fixed one is for replay tests).
function sign(opts) {
  if (!Array.isArray(opts.roles)) throw new Error('roles: an array of "ROLE_ARN,PROVIDER_ARN"');
  const signer = keys[opts.key ?? 'default'];
  if (!signer) throw new Error('key: "default" or "other"');
  const now = Date.now();
  const nameId = opts.nameId ?? 'alice';
  const recipient = opts.recipient ?? acsUrl;
  const notBefore = opts.notBefore ?? instant(now - 5000);
  const notOnOrAfter = opts.notOnOrAfter ?? instant(now + 1000 * (opts.lifetimeSeconds ?? 300));
  const assertionId = opts.assertionId ?? newId();

  const attrs = [];
  if (opts.roles.length) attrs.push(attribute(`${AWS_ATTR}Role`, opts.roles));
  const sessionName = opts.sessionName === undefined ? nameId : opts.sessionName;
  if (sessionName !== null) attrs.push(attribute(`${AWS_ATTR}RoleSessionName`, sessionName));
  if (opts.sessionDuration != null) {
    attrs.push(attribute(`${AWS_ATTR}SessionDuration`, String(opts.sessionDuration)));
  }
  for (const [name, values] of Object.entries(opts.attributes ?? {})) attrs.push(attribute(name, values));

  // The assertion declares saml: itself, so it stands alone when an SP cuts it out.
  const assertion = `<saml:Assertion xmlns:saml="${NS.saml}" ID="${esc(assertionId)}" Version="2.0"`
    + ` IssueInstant="${instant(now)}">`
    + `<saml:Issuer>${esc(entityId)}</saml:Issuer>`
    + `<saml:Subject><saml:NameID Format="${esc(opts.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')}">`
    + `${esc(nameId)}</saml:NameID>`
    + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">`
    + `<saml:SubjectConfirmationData NotOnOrAfter="${esc(notOnOrAfter)}" Recipient="${esc(recipient)}"/>`
    + `</saml:SubjectConfirmation></saml:Subject>`
    + `<saml:Conditions NotBefore="${esc(notBefore)}" NotOnOrAfter="${esc(notOnOrAfter)}">`
    + `<saml:AudienceRestriction><saml:Audience>${esc(opts.audience ?? 'urn:amazon:webservices')}</saml:Audience>`
    + `</saml:AudienceRestriction></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${instant(now)}" SessionIndex="${esc(assertionId)}">`
    + `<saml:AuthnContext><saml:AuthnContextClassRef>`
    + `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport`
    + `</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
    // The schema wants at least one Attribute in a statement: none, no statement.
    + (attrs.length ? `<saml:AttributeStatement>${attrs.join('')}</saml:AttributeStatement>` : '')
    + `</saml:Assertion>`;
  // No InResponseTo: every response here is unsolicited (IdP-initiated), as AWS sign-in is.
  let xml = `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${newId()}"`
    + ` Version="2.0" IssueInstant="${instant(now)}" Destination="${esc(recipient)}">`
    + `<saml:Issuer>${esc(entityId)}</saml:Issuer>`
    + `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`
    + assertion
    + `</samlp:Response>`;
  // The assertion first: a response signature then covers the signed assertion.
  if (opts.signAssertion ?? true) {
    xml = signElement(xml, "/*[local-name(.)='Response']/*[local-name(.)='Assertion']", signer);
  }
  if (opts.signResponse ?? false) xml = signElement(xml, "/*[local-name(.)='Response']", signer);
  return Buffer.from(xml).toString('base64');
}

function ssoPage(user, roles) {
  const response = sign({ nameId: user, roles });
  return `<!doctype html><html><head><meta charset="utf-8"><title>Signing in</title></head><body>`
    + `<form method="post" action="${esc(acsUrl)}">`
    + `<input type="hidden" name="SAMLResponse" value="${response}">`
    + `<button type="submit">Continue</button></form>`
    + `<script>document.forms[0].submit();</script></body></html>`;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  const reply = (status, type, body) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  try {
    if (req.method === 'GET' && url.pathname === '/metadata') {
      const keyName = url.searchParams.get('key') === 'other' ? 'other' : 'default';
      return reply(200, 'application/samlmetadata+xml', metadata(keyName));
    }
    if (req.method === 'POST' && url.pathname === '/sign') {
      let body = '';
      for await (const chunk of req) body += chunk;
      try {
        return reply(200, 'text/plain', sign(JSON.parse(body || '{}')));
      } catch (e) {
        return reply(400, 'text/plain', `${e.message}\n`);
      }
    }
    if (req.method === 'GET' && url.pathname === '/sso') {
      const roles = (url.searchParams.get('roles') || '').split(';').filter(Boolean);
      return reply(200, 'text/html; charset=utf-8', ssoPage(url.searchParams.get('user') || 'alice', roles));
    }
    reply(404, 'text/plain', 'not found\n');
  } catch (e) {
    console.error(e);
    reply(500, 'text/plain', `${e.message}\n`);
  }
});
server.listen(port, '127.0.0.1', () => console.log(`saml idp ${entityId} at http://127.0.0.1:${port}`));
