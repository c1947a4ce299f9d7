"""GetFederationToken through boto3 and the AWS CLI: a broker's federated user acts with the
broker's permissions narrowed by the session policy; its credentials reach no IAM action and
no STS action but GetCallerIdentity. Called by session.py with its helpers."""
import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
import os
import subprocess


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def federation_flow(h, base, iam, account, aws):
    check, error_of = h.check, h.error_of
    iam.create_user(UserName="broker")
    iam.put_user_policy(UserName="broker", PolicyName="broker", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": f"arn:aws:sts::{account}:federated-user/app-*"},
        {"Effect": "Allow", "Action": ["budgets:ViewBudget", "iam:ListUsers"], "Resource": "*"}))
    key = iam.create_access_key(UserName="broker")["AccessKey"]
    broker = h.client(base, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    budgets_only = doc({"Effect": "Allow", "Action": "budgets:*", "Resource": "*"})
    got = broker.get_federation_token(Name="app-bob", Policy=budgets_only, DurationSeconds=900)
    user = got["FederatedUser"]
    check("GetFederationToken answers the federated user and ASIA credentials",
          user["Arn"] == f"arn:aws:sts::{account}:federated-user/app-bob"
          and user["FederatedUserId"] == f"{account}:app-bob"
          and got["Credentials"]["AccessKeyId"].startswith("ASIA") and "PackedPolicySize" in got, got)
    creds = got["Credentials"]

    def as_bob(service):
        return h.boto3.client(service, endpoint_url=base, region_name="us-east-1",
                              aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                              aws_session_token=creds["SessionToken"], config=h.Config(retries={"max_attempts": 1}))
    who = as_bob("sts").get_caller_identity()
    check("GetCallerIdentity names the federated user", who["Arn"] == user["Arn"] and who["UserId"] == user["FederatedUserId"], who)
    # Billing stays closed to IAM identities, federated users included, until the root user
    # opens it (as on AWS); the refusal names the federated user.
    code, message = error_of(lambda: as_bob("budgets").describe_budgets(AccountId=account))
    check("budgets are decided for the federated user", code == "AccessDeniedException"
          and user["Arn"] in message, message)
    code, _ = error_of(lambda: as_bob("iam").list_users())
    check("its credentials reach no IAM action", code == "InvalidClientTokenId", code)
    code, _ = error_of(lambda: as_bob("sts").get_session_token())
    check("nor an STS action but GetCallerIdentity", code == "AccessDenied", code)
    code, _ = error_of(lambda: broker.get_federation_token(Name="ops-mallory", Policy=budgets_only))
    check("a name the broker's policy does not allow is refused", code == "AccessDenied", code)
    code, _ = error_of(lambda: broker.get_federation_token(Name="app bob", Policy=budgets_only))
    check("a name with a space is a ValidationError", code == "ValidationError", code)

    env = dict(os.environ, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"],
               AWS_DEFAULT_REGION="us-east-1")
    out = subprocess.run(aws + ["sts", "get-federation-token", "--name", "app-cli", "--policy", budgets_only],
                         env=env, capture_output=True, text=True)
    check("aws sts get-federation-token answers", out.returncode == 0
          and json.loads(out.stdout)["FederatedUser"]["Arn"].endswith(":federated-user/app-cli"), out.stderr[-1000:])
    console_federation(h, base, creds, key)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(opener, url):
    try:
        with opener.open(url) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def console_federation(h, base, creds, long_term):
    """The console federation endpoint of custom brokers (AWS's /federation): temporary
    credentials become a sign-in token, which opens a console session once."""
    check = h.check
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def signin_token(session, **extra):
        query = urllib.parse.urlencode({"Action": "getSigninToken", "Session": json.dumps(session), **extra})
        return _get(opener, f"{base}/federation?{query}")

    session = {"sessionId": creds["AccessKeyId"], "sessionKey": creds["SecretAccessKey"], "sessionToken": creds["SessionToken"]}
    status, _, body = signin_token(session)
    check("getSigninToken answers a sign-in token for temporary credentials", status == 200 and "SigninToken" in json.loads(body), body)
    token = json.loads(body)["SigninToken"]
    status, _, body = signin_token({**session, "sessionKey": "x" * 40})
    check("getSigninToken refuses credentials whose secret does not match", status == 400, (status, body))
    status, _, body = signin_token({"sessionId": long_term["AccessKeyId"], "sessionKey": long_term["SecretAccessKey"],
                                    "sessionToken": "none"})
    check("getSigninToken refuses long-term access keys", status == 400, (status, body))
    status, _, body = signin_token(session, SessionDuration="3600")
    check("SessionDuration is refused with GetFederationToken credentials", status == 400, (status, body))

    login = urllib.parse.urlencode({"Action": "login", "SigninToken": token, "Destination": "https://evil.example/",
                                    "Issuer": "https://broker.example"})
    status, headers, _ = _get(opener, f"{base}/federation?{login}")
    check("login with the token opens the console, never redirecting off-site",
          status in (302, 303) and headers.get("Location") == "/", (status, headers.get("Location")))
    request = urllib.request.Request(f"{base}/api/session_info", data=b"", method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": base})
    with opener.open(request) as r:
        info = json.loads(r.read().decode())
    check("the console session is the federated user's", info["principal"] == "app-bob" and
          info["arn"].endswith(":federated-user/app-bob"), info)
    fresh = urllib.request.build_opener(_NoRedirect)
    status, _, body = _get(fresh, f"{base}/federation?{login}")
    check("a sign-in token opens one session only", status == 403 and "already used" in body, status)
    # Browsers drop a tab from a URL: `/<TAB>/host` would become `//host`, another site.
    token = json.loads(signin_token(session)[2])["SigninToken"]
    tabbed = urllib.parse.urlencode({"Action": "login", "SigninToken": token, "Destination": "/\t/evil.example"})
    status, headers, _ = _get(urllib.request.build_opener(_NoRedirect), f"{base}/federation?{tabbed}")
    check("a destination with a tab in it is not followed", headers.get("Location") == "/", (status, headers.get("Location")))
