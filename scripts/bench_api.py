#!/usr/bin/env python3
"""Signed GetUser and ListUsers against this server and moto_server, side by side: requests
per second and latency percentiles from the same client. Requests are signed once with botocore
(a SigV4 signature stays valid for 15 minutes) and replayed by a native client
(server/src/bin/api_load.rs) over keep-alive connections, so the client's cost does not cap
the figures.

  bench_api.py --ours http://127.0.0.1:3000 --key AKIA... --secret ... --moto http://127.0.0.1:5000
               --load-client target/release/api_load [--seconds 10] [--workers 8]

Loopback only.
"""
import argparse
import json
import os
import subprocess
import tempfile
import urllib.parse

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed(base, key, secret, body, service="iam", token=None):
    request = AWSRequest(method="POST", url=base + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key, secret, token), service, "us-east-1").add_auth(request)
    return dict(request.headers.items()), body


def storm(load_client, base, headers, body, seconds, workers):
    """Runs the native load client (server/src/bin/api_load.rs) on one signed request."""
    with tempfile.NamedTemporaryFile("w", suffix=".http", delete=False) as f:
        f.write("".join(f"{k}: {v}\n" for k, v in headers.items()) + "\n" + body)
        path = f.name
    try:
        out = subprocess.run([load_client, "--url", base + "/", "--request", path, "--seconds", str(seconds),
                              "--connections", str(workers)], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    figures = dict(pair.split("=") for pair in out.split())
    return float(figures["rps"]), float(figures["p50_ms"]), float(figures["p99_ms"]), int(figures["failures"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--load-client", required=True, help="the api_load binary")
    ap.add_argument("--idp-ca", help="the CA of a test OpenID provider at https://localhost: adds AssumeRoleWithWebIdentity")
    args = ap.parse_args()
    for base in (args.ours, args.moto):
        if urllib.parse.urlparse(base).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("this load test only targets loopback addresses")

    # The same user in both.
    moto_key, moto_secret = "AKIAMOTOEXAMPLE00000", "moto-secret-" + "x" * 28
    for base, key, secret in ((args.ours, args.key, args.secret), (args.moto, moto_key, moto_secret)):
        iam = boto3.client("iam", endpoint_url=base, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
        iam.create_user(UserName="bench-user")
        for i in range(20):
            iam.create_user(UserName=f"bench-{i:02d}")

    print(f"{args.workers} connections from a native client, {args.seconds:.0f} s per run, "
          "requests signed once (botocore) and replayed")
    for action, body in (("GetUser", "Action=GetUser&Version=2010-05-08&UserName=bench-user"),
                         ("ListUsers", "Action=ListUsers&Version=2010-05-08")):
        rates = {}
        for name, base, key, secret in (("ours", args.ours, args.key, args.secret), ("moto", args.moto, moto_key, moto_secret)):
            headers, payload = signed(base, key, secret, body)
            storm(args.load_client, base, headers, payload, 1, args.workers)  # warm-up
            rate, p50, p99, failures = storm(args.load_client, base, headers, payload, args.seconds, args.workers)
            rates[name] = rate
            print(f"  {action} {name}: {rate:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, {failures} failed")
        print(f"  {action}: ours / moto = {rates['ours'] / rates['moto']:.1f}x")

    # Ours again as an IAM user, every request decided by the policy engine (the root user
    # above bypasses it; moto decides nothing).
    iam = boto3.client("iam", endpoint_url=args.ours, region_name="us-east-1",
                       aws_access_key_id=args.key, aws_secret_access_key=args.secret)
    iam.create_user(UserName="bench-reader")
    iam.attach_user_policy(UserName="bench-reader", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    reader = iam.create_access_key(UserName="bench-reader")["AccessKey"]
    for action, body in (("GetUser", "Action=GetUser&Version=2010-05-08&UserName=bench-user"),
                         ("ListUsers", "Action=ListUsers&Version=2010-05-08")):
        headers, payload = signed(args.ours, reader["AccessKeyId"], reader["SecretAccessKey"], body)
        storm(args.load_client, args.ours, headers, payload, 1, args.workers)
        rate, p50, p99, failures = storm(args.load_client, args.ours, headers, payload, args.seconds, args.workers)
        print(f"  {action} ours as an IAM user (IAMReadOnlyAccess): {rate:.0f} req/s, p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms, {failures} failed")
        if action == "GetUser":
            long_term = rate
    temporary_credentials(args, iam, reader, long_term)
    if args.idp_ca:
        web_identity(args, iam)


def temporary_credentials(args, iam, reader, long_term):
    """GetUser signed with a role session's temporary credentials against the long-term key's
    rate (target: at least 90 %), and AssumeRole itself (target: 1,000 per second)."""
    account = boto3.client("sts", endpoint_url=args.ours, region_name="us-east-1", aws_access_key_id=reader["AccessKeyId"],
                           aws_secret_access_key=reader["SecretAccessKey"]).get_caller_identity()["Account"]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": f"arn:aws:iam::{account}:user/bench-reader"}}]}
    role = iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.attach_role_policy(RoleName="bench-role", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    sts = boto3.client("sts", endpoint_url=args.ours, region_name="us-east-1",
                       aws_access_key_id=reader["AccessKeyId"], aws_secret_access_key=reader["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="bench")["Credentials"]
    body = "Action=GetUser&Version=2010-05-08&UserName=bench-user"
    headers, payload = signed(args.ours, creds["AccessKeyId"], creds["SecretAccessKey"], body, token=creds["SessionToken"])
    storm(args.load_client, args.ours, headers, payload, 1, args.workers)
    rate, p50, p99, failures = storm(args.load_client, args.ours, headers, payload, args.seconds, args.workers)
    print(f"  GetUser ours with a role session's temporary credentials: {rate:.0f} req/s, p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms, {failures} failed; {100 * rate / long_term:.0f} % of the long-term key's rate "
          "(target: at least 90 %)")
    body = f"Action=AssumeRole&Version=2011-06-15&RoleSessionName=bench&RoleArn={urllib.parse.quote(role['Arn'], safe='')}"
    headers, payload = signed(args.ours, reader["AccessKeyId"], reader["SecretAccessKey"], body, service="sts")
    storm(args.load_client, args.ours, headers, payload, 1, args.workers)
    rate, p50, p99, failures = storm(args.load_client, args.ours, headers, payload, args.seconds, args.workers)
    print(f"  AssumeRole ours (each issues credentials and records an event): {rate:.0f} req/s, p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms, {failures} failed (target: at least 1,000 per second)")


def web_identity(args, iam):
    """AssumeRoleWithWebIdentity with one ID token the test provider minted, replayed: each
    request verifies the token's signature against the cached keys, evaluates the trust
    policy, issues credentials and records an event."""
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "end2end", "api"))
    from web_identity import HOST, ISSUER, id_token
    provider = iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["console-app"])["OpenIDConnectProviderArn"]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
             "Principal": {"Federated": provider}, "Condition": {"StringEquals": {f"{HOST}:aud": "console-app"}}}]}
    role = iam.create_role(RoleName="bench-web", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    token = id_token(args.idp_ca, "bench-person")
    body = urllib.parse.urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                                   "RoleArn": role["Arn"], "RoleSessionName": "bench", "WebIdentityToken": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    storm(args.load_client, args.ours, headers, body, 1, args.workers)
    rate, p50, p99, failures = storm(args.load_client, args.ours, headers, body, args.seconds, args.workers)
    print(f"  AssumeRoleWithWebIdentity ours (RS256 verified, trust decided, credentials issued, event recorded): "
          f"{rate:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, {failures} failed")


if __name__ == "__main__":
    main()
