"""AssumeRoleWithSAML with responses signed by a real SAML identity provider (npm `samlify`,
started by scripts/test.sh, see end2end/idp/saml.mjs): a signed assertion gets a role session
with AWS's answer; a replayed one, a forged or wrapped one, one for another audience or
recipient, an expired one, and one whose subject the trust policy does not name are each
refused with AWS's error. Called by session.py with its helpers."""
import base64
import hashlib
import json
import re
import subprocess
import time
import urllib.request

ISSUER = "https://idp.test/saml"


def _idp_get(idp, path):
    with urllib.request.urlopen(f"{idp}{path}") as r:
        return r.read().decode()


def sign(idp, **fields):
    """A base64 SAMLResponse the identity provider signed with these fields (saml.mjs)."""
    request = urllib.request.Request(f"{idp}/sign", data=json.dumps(fields).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as r:
        return r.read().decode()


def _xml(encoded):
    return base64.b64decode(encoded).decode()


def _encoded(xml):
    return base64.b64encode(xml.encode()).decode()


def saml_flow(h, base, iam, account, aws, env, idp):
    check, error_of = h.check, h.error_of
    metadata = _idp_get(idp, "/metadata")
    provider_arn = iam.create_saml_provider(Name="TestIdp", SAMLMetadataDocument=metadata)["SAMLProviderArn"]
    endpoint = f"{base}/saml"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": endpoint, "SAML:sub": "alice"}}}]}
    iam.create_role(RoleName="saml-readers", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="saml-readers", PolicyName="list", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
            "Condition": {"StringEquals": {"SAML:sub": "alice", "SAML:edupersonaffiliation": "staff"}}}]}))
    role_arn = f"arn:aws:iam::{account}:role/saml-readers"
    pair = f"{role_arn},{provider_arn}"
    import botocore
    anonymous = h.boto3.client("sts", endpoint_url=base, region_name="us-east-1",
                               config=h.Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}))

    def assume(assertion, role=role_arn, principal=provider_arn, **extra):
        return anonymous.assume_role_with_saml(RoleArn=role, PrincipalArn=principal, SAMLAssertion=assertion, **extra)

    def refused(assertion, **extra):
        return error_of(lambda: assume(assertion, **extra))

    staff = {"urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["staff", "member"]}
    response = sign(idp, roles=[pair], sessionName="alice.example", attributes=staff)
    got = assume(response)
    qualifier = base64.b64encode(hashlib.sha1(f"{ISSUER}{account}/TestIdp".encode()).digest()).decode()
    check("AssumeRoleWithSAML with a signed response answers a role session and the assertion's facts",
          got["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/saml-readers/alice.example"
          and got["Subject"] == "alice" and got["SubjectType"] == "persistent" and got["Issuer"] == ISSUER
          and got["Audience"] == endpoint and got["NameQualifier"] == qualifier
          and got["Credentials"]["AccessKeyId"].startswith("ASIA"), got)
    c = got["Credentials"]
    session_iam = h.boto3.client("iam", endpoint_url=base, region_name="us-east-1",
                                 aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                 aws_session_token=c["SessionToken"], config=h.Config(retries={"max_attempts": 1}))
    roles = session_iam.list_roles()["Roles"]
    check("the session's requests carry the assertion's SAML: keys for the role's own policies",
          any(r["RoleName"] == "saml-readers" for r in roles), roles)

    code, message = refused(response)
    check("a response that already opened a session is refused (replay)",
          code == "InvalidIdentityToken" and "already been used" in message, (code, message))

    out = subprocess.run(aws + ["sts", "assume-role-with-saml", "--role-arn", role_arn, "--principal-arn", provider_arn,
                                "--saml-assertion", sign(idp, roles=[pair])],
                         env={k: v for k, v in env.items() if not k.startswith("AWS_ACCESS") and k != "AWS_SECRET_ACCESS_KEY"},
                         capture_output=True, text=True)
    check("aws sts assume-role-with-saml works without credentials",
          out.returncode == 0 and json.loads(out.stdout)["Subject"] == "alice", out.stderr)
    both = assume(sign(idp, roles=[pair], signAssertion=False, signResponse=True))
    check("a response signed as a whole (not its assertion) is accepted", both["Subject"] == "alice", both)

    code, message = refused(sign(idp, roles=[pair], key="other"))
    check("a response signed with a key the provider's metadata does not hold is refused",
          code == "InvalidIdentityToken" and message == "Response signature invalid", (code, message))
    code, message = refused(sign(idp, roles=[pair], signAssertion=False))
    check("an unsigned response is refused", code == "InvalidIdentityToken", (code, message))
    tampered = _xml(sign(idp, roles=[pair], nameId="alicf")).replace(">alicf<", ">alice<")
    code, message = refused(_encoded(tampered))
    check("an assertion changed after signing is refused",
          code == "InvalidIdentityToken" and message == "Response signature invalid", (code, message))
    # Canonicalization drops comments, so the signature still holds; the reader must not take
    # the text before the comment as the whole NameID.
    split = _xml(sign(idp, roles=[pair], nameId="alice.evil")).replace(">alice.evil<", ">alice<!---->.evil<")
    code, message = refused(_encoded(split))
    check("a NameID split by a comment is refused, not read as its first part",
          code == "InvalidIdentityToken" and "only text" in message, (code, message))

    # Signature wrapping: a forged assertion where the reader looks, the signed one elsewhere.
    signed_xml = _xml(sign(idp, roles=[pair], nameId="mallory"))
    signed_assertion = re.search(r"<saml:Assertion .*</saml:Assertion>", signed_xml).group(0)
    forged = signed_assertion.replace(">mallory<", ">alice<")
    forged = re.sub(r'ID="[^"]+"', 'ID="_forged"', forged, count=1)
    forged = re.sub(r"<ds:Signature .*</ds:Signature>", "", forged)
    wrapped = signed_xml.replace(signed_assertion, forged + signed_assertion)
    code, message = refused(_encoded(wrapped))
    check("a forged assertion beside the signed one is refused (wrapping)", code == "InvalidIdentityToken", (code, message))
    hidden = signed_xml.replace(signed_assertion, forged).replace(
        "<samlp:Status>", f"<samlp:Extensions>{signed_assertion}</samlp:Extensions><samlp:Status>")
    code, message = refused(_encoded(hidden))
    check("a signed assertion moved into Extensions does not vouch for a forged one", code == "InvalidIdentityToken",
          (code, message))
    # Markup the verifier would act on before checking the signature (an XPath transform it
    # finds by local name, a URI it reads in any namespace) is refused before it gets there.
    base_xml = _xml(sign(idp, roles=[pair]))
    xpath = base_xml.replace("<ds:Transforms>", '<ds:Transforms xmlns:x="urn:x"><x:Transform Algorithm='
                             '"http://www.w3.org/TR/1999/REC-xpath-19991116"><x:XPath>((1))</x:XPath></x:Transform>', 1)
    code, message = refused(_encoded(xpath))
    check("a foreign transform inside the signature is refused before verification",
          code == "InvalidIdentityToken" and "markup" in message, (code, message))
    file_uri = base_xml.replace("<ds:Reference ", '<ds:Reference xmlns:x="urn:x" x:URI="dev/zero" ', 1)
    code, message = refused(_encoded(file_uri))
    check("a namespace-qualified URI on a reference is refused", code == "InvalidIdentityToken" and "qualified" in message,
          (code, message))
    entity = _xml(sign(idp, roles=[pair]))
    entity = '<!DOCTYPE r [<!ENTITY x "alice">]>' + entity
    code, message = refused(_encoded(entity))
    check("a response with a DTD is refused", code == "InvalidIdentityToken" and "well-formed" in message, (code, message))

    now = time.time()
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    code, message = refused(sign(idp, roles=[pair], notBefore=iso(now - 3600), notOnOrAfter=iso(now - 1800)))
    check("an expired assertion is refused with ExpiredTokenException",
          code == "ExpiredTokenException" and message == "Response has expired", (code, message))
    code, message = refused(sign(idp, roles=[pair], audience="https://signin.example/other"))
    check("an assertion for another audience is refused",
          code == "InvalidIdentityToken" and message == "Response does not contain the required audience.", (code, message))
    code, message = refused(sign(idp, roles=[pair], recipient="https://signin.aws.amazon.com/saml"))
    check("an assertion addressed to another service's endpoint is refused",
          code == "InvalidIdentityToken" and "Recipient" in message, (code, message))
    code, message = refused(sign(idp, roles=[pair], sessionName=None))
    check("an assertion without RoleSessionName is refused in AWS's words",
          code == "InvalidIdentityToken" and message == "RoleSessionName is required in AuthnResponse", (code, message))
    code, message = refused(sign(idp, roles=[pair], nameId="mallory"))
    check("a subject the trust policy does not name is refused",
          code == "AccessDenied" and message == "Not authorized to perform sts:AssumeRoleWithSAML", (code, message))
    other_role = f"arn:aws:iam::{account}:role/oidc-readers"
    code, message = refused(sign(idp, roles=[pair]), role=other_role)
    check("a role the assertion does not offer is refused", code == "AccessDenied", (code, message))
    code, message = refused(sign(idp, roles=[pair]), principal=f"arn:aws:iam::{account}:saml-provider/Nobody")
    check("a provider that does not exist is refused",
          code == "InvalidIdentityToken" and message == "Specified provider doesn't exist.", (code, message))
    code, _ = refused(sign(idp, roles=[pair]), DurationSeconds=7200)
    check("a duration over the role's maximum is refused", code == "ValidationError", code)
    code, _ = error_of(lambda: assume("A" * 100_001))
    check("an assertion longer than AWS allows is refused", code == "ValidationError", code)
    code, message = error_of(lambda: assume("bm90IFhNTA=="))
    check("an assertion that is not XML is refused", code == "InvalidIdentityToken" and "well-formed" in message,
          (code, message))

    narrowed = assume(sign(idp, roles=[pair], attributes=staff), Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}))
    c = narrowed["Credentials"]
    narrow_iam = h.boto3.client("iam", endpoint_url=base, region_name="us-east-1",
                                aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                aws_session_token=c["SessionToken"], config=h.Config(retries={"max_attempts": 1}))
    code, _ = error_of(lambda: narrow_iam.list_roles())
    check("a session policy narrows a SAML session", code == "AccessDenied" and "PackedPolicySize" in narrowed, code)
