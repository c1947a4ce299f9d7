"""AssumeRoleWithWebIdentity with ID tokens minted by a real OpenID provider (npm
`oidc-provider`, started by scripts/test.sh at https://localhost): the token from an
authorization code flow gets a role session; every fault AWS names is refused with AWS's
error; a trust policy's condition on `sub` is honoured. Called by session.py with its helpers."""
import base64
import hashlib
import http.cookiejar
import json
import os
import secrets
import ssl
import subprocess
import time
import urllib.parse
import urllib.request

ISSUER = "https://localhost"
HOST = "localhost"
REDIRECT = "https://client.example/cb"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener(ca):
    context = ssl.create_default_context(cafile=ca)
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context),
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        _NoRedirect)


def _go(opener, url, data=None, headers=None):
    """One request without following redirects: (status, Location, body)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request) as r:
            return r.status, r.headers.get("Location"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location"), e.read().decode()


def id_token(ca, login, client_id="console-app", client_secret="console-secret"):
    """Signs `login` in at the provider through the authorization code flow with PKCE, as a
    relying party does, and returns the ID token the provider issues."""
    opener = _opener(ca)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    query = urllib.parse.urlencode({
        "client_id": client_id, "response_type": "code", "scope": "openid email",
        "redirect_uri": REDIRECT, "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256"})
    url = f"{ISSUER}/auth?{query}"
    for _ in range(8):
        status, location, body = _go(opener, url)
        if location and location.startswith(REDIRECT):
            break
        if location is None and "name=\"login\"" in body:
            # The provider's login page: post the form to the page's own address.
            form = urllib.parse.urlencode({"prompt": "login", "login": login, "password": "x"}).encode()
            status, location, body = _go(opener, url, form, {"Content-Type": "application/x-www-form-urlencoded"})
        if not location:
            raise RuntimeError(f"the provider's flow stopped at {url}: {status} {body[:200]}")
        url = urllib.parse.urljoin(url, location)
    params = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
    assert params["state"] == [state], params
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    form = urllib.parse.urlencode({
        "grant_type": "authorization_code", "code": params["code"][0],
        "redirect_uri": REDIRECT, "code_verifier": verifier}).encode()
    status, _, body = _go(opener, f"{ISSUER}/token", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"})
    if status != 200:
        raise RuntimeError(f"token exchange failed: {status} {body[:200]}")
    return json.loads(body)["id_token"]


def signed(ca, claims):
    """A token with these claims signed by the provider's own key (tokens no flow mints)."""
    opener = _opener(ca)
    status, _, body = _go(opener, f"{ISSUER}/test/sign", json.dumps(claims).encode(),
                          {"Content-Type": "application/json"})
    assert status == 200, body
    return body


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _parts(token):
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)
    return json.loads(base64.urlsafe_b64decode(pad(header))), json.loads(base64.urlsafe_b64decode(pad(payload))), signature


def web_identity_flow(h, base, iam, account, aws, env, ca):
    check, error_of = h.check, h.error_of
    provider_arn = iam.create_open_id_connect_provider(
        Url=ISSUER, ClientIDList=["console-app"], ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{HOST}:aud": "console-app", f"{HOST}:sub": "alice-oidc"}}}]}
    iam.create_role(RoleName="oidc-readers", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="oidc-readers", PolicyName="list", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
            "Condition": {"StringEquals": {f"{HOST}:sub": "alice-oidc"}}}]}))
    role_arn = f"arn:aws:iam::{account}:role/oidc-readers"
    # No credentials: an unsigned client, as AWS's SDKs call this action.
    import botocore
    anonymous = h.boto3.client("sts", endpoint_url=base, region_name="us-east-1",
                               config=h.Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}))

    token = id_token(ca, "alice-oidc")
    got = anonymous.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="alice-web", WebIdentityToken=token)
    check("AssumeRoleWithWebIdentity with the provider's ID token answers a role session",
          got["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/oidc-readers/alice-web"
          and got["SubjectFromWebIdentityToken"] == "alice-oidc" and got["Audience"] == "console-app"
          and got["Provider"] == provider_arn and got["Credentials"]["AccessKeyId"].startswith("ASIA"), got)
    creds = got["Credentials"]
    session_iam = h.boto3.client("iam", endpoint_url=base, region_name="us-east-1",
                                 aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"], config=h.Config(retries={"max_attempts": 1}))
    roles = session_iam.list_roles()["Roles"]
    check("the session's requests carry the token's sub for the role's own policies",
          any(r["RoleName"] == "oidc-readers" for r in roles), roles)

    out = subprocess.run(aws + ["sts", "assume-role-with-web-identity", "--role-arn", role_arn,
                                "--role-session-name", "cli", "--web-identity-token", id_token(ca, "alice-oidc")],
                         env={k: v for k, v in env.items() if not k.startswith("AWS_ACCESS") and k != "AWS_SECRET_ACCESS_KEY"},
                         capture_output=True, text=True)
    check("aws sts assume-role-with-web-identity works without credentials",
          out.returncode == 0 and json.loads(out.stdout)["SubjectFromWebIdentityToken"] == "alice-oidc", out.stderr)

    def refused(token, name="web"):
        return error_of(lambda: anonymous.assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName=name, WebIdentityToken=token))

    code, message = refused(id_token(ca, "mallory"))
    check("a subject the trust policy does not name is refused",
          code == "AccessDenied" and message == "Not authorized to perform sts:AssumeRoleWithWebIdentity", (code, message))
    code, message = refused(id_token(ca, "alice-oidc", "other-app", "other-secret"))
    check("a token for another client is refused: Incorrect token audience",
          code == "InvalidIdentityToken" and message == "Incorrect token audience", (code, message))
    now = int(time.time())
    expired = signed(ca, {"iss": ISSUER, "sub": "alice-oidc", "aud": "console-app", "iat": now - 7200, "exp": now - 3600})
    code, message = refused(expired)
    check("an expired token is refused with ExpiredTokenException",
          code == "ExpiredTokenException" and message.startswith("Token expired: current date/time"), (code, message))
    header, payload, signature = _parts(token)
    payload["sub"] = "alice-oidc"
    payload["exp"] = now + 3600
    forged_payload = _b64(json.dumps({**payload, "email": "root@example.com"}).encode())
    tampered = ".".join([token.split(".")[0], forged_payload, signature])
    code, message = refused(tampered)
    check("a token whose claims were changed after signing is refused",
          code == "InvalidIdentityToken" and "signature" in message, (code, message))
    none_token = ".".join([_b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()), forged_payload, ""])
    code, message = refused(none_token)
    check("a token with alg none is refused", code == "InvalidIdentityToken", (code, message))
    unknown_kid = ".".join([_b64(json.dumps({**header, "kid": "not-published"}).encode()), token.split(".")[1], signature])
    code, message = refused(unknown_kid)
    check("a token signed with a key the provider does not publish is refused",
          code == "InvalidIdentityToken" and "key" in message, (code, message))
    code, message = refused("not-a-jwt")
    check("a value that is not a JWT is refused", code == "InvalidIdentityToken" and "not a valid JWT" in message, message)
    foreign = signed(ca, {"iss": "https://idp.invalid", "sub": "alice-oidc", "aud": "console-app", "exp": now + 600})
    code, message = refused(foreign)
    check("a token of an issuer the account has not registered is refused",
          code == "InvalidIdentityToken" and message == "No OpenIDConnect provider found in your account for https://idp.invalid",
          (code, message))
    code, message = error_of(lambda: anonymous.assume_role_with_web_identity(
        RoleArn=f"arn:aws:iam::{account}:role/no-such-role", RoleSessionName="web", WebIdentityToken=id_token(ca, "alice-oidc")))
    check("a role that does not exist is refused as one that does not trust",
          code == "AccessDenied" and message == "Not authorized to perform sts:AssumeRoleWithWebIdentity", (code, message))
    code, _ = error_of(lambda: anonymous.assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="web", WebIdentityToken=id_token(ca, "alice-oidc"), DurationSeconds=7200))
    check("a duration over the role's maximum is refused", code == "ValidationError", code)

    # A trust policy naming every AWS principal does not reach someone a provider vouches for.
    iam.create_role(RoleName="aws-star", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": account}}}]}))
    code, message = error_of(lambda: anonymous.assume_role_with_web_identity(
        RoleArn=f"arn:aws:iam::{account}:role/aws-star", RoleSessionName="web", WebIdentityToken=id_token(ca, "alice-oidc")))
    check("a trust policy for AWS principals does not admit a web identity",
          code == "AccessDenied", (code, message))

    # A session policy narrows the session, as for AssumeRole.
    narrowed = anonymous.assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="narrow", WebIdentityToken=id_token(ca, "alice-oidc"),
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}))
    c = narrowed["Credentials"]
    narrow_iam = h.boto3.client("iam", endpoint_url=base, region_name="us-east-1",
                                aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                aws_session_token=c["SessionToken"], config=h.Config(retries={"max_attempts": 1}))
    code, _ = error_of(lambda: narrow_iam.list_roles())
    check("a session policy narrows a web identity session", code == "AccessDenied" and "PackedPolicySize" in narrowed, code)
