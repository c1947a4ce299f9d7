#!/usr/bin/env python3
"""A scripted session with the official AWS SDK (boto3) and CLI against the running server:
the API works with this console's accounts and keys, is authorized by the same engine, and
fails the way AWS fails. Each check prints a line; any failure exits non-zero.

  session.py --base-url http://127.0.0.1:3000 --server-bin target/debug/server \
             --metadata-url http://127.0.0.1:9911/

The server binary's admin commands need the server's DATABASE_URL and IAM_MASTER_KEY_FILE.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import struct
import subprocess
import sys
import time
import zlib
from unittest import mock

import boto3
import botocore.auth
from botocore.config import Config
from botocore.exceptions import ClientError

from federation import federation_flow
from providers import providers_flow
from service_linked import service_linked_flow
from sts_flows import sts_flows, workload_flow
from saml import saml_flow
from web_identity import web_identity_flow

PASSED = []


def check(name, condition, detail=""):
    if not condition:
        sys.exit(f"FAILED: {name} {detail}")
    PASSED.append(name)
    print(f"ok - {name}")


def error_of(call):
    """Runs `call`, which must fail; returns (code, message)."""
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    sys.exit(f"FAILED: {call} succeeded but should have failed")


def client(base, service, key, secret):
    return boto3.client(
        service, endpoint_url=base, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def totp(seed_base32, step):
    """RFC 6238 (SHA-1, 6 digits) at a 30-second step, as an authenticator app computes it."""
    key = base64.b32decode(seed_base32 + "=" * (-len(seed_base32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def png_size(data):
    """(width, height) of a PNG after checking every chunk's CRC and the image data's size."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    at, chunks = 8, {}
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        body = data[at + 4:at + 8 + length]
        assert zlib.crc32(body) == struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0], body[:4]
        chunks[body[:4]] = body[4:]
        at += 12 + length
    width, height, depth = struct.unpack(">IIB", chunks[b"IHDR"][:9])
    pixels = zlib.decompress(chunks[b"IDAT"])
    assert len(pixels) == height * (1 + (width * depth + 7) // 8), len(pixels)
    return width, height


def admin(server_bin, *args, stdin=None):
    out = subprocess.run([server_bin, *args], input=stdin, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--server-bin", required=True)
    ap.add_argument("--metadata-url", required=True, help="the server's workload credential endpoint")
    ap.add_argument("--idp-ca", required=True, help="the CA of the test OpenID provider at https://localhost")
    ap.add_argument("--saml-idp", required=True, help="the test SAML identity provider's URL")
    args = ap.parse_args()
    base = args.base_url

    # An account and a root key, made by the admin commands as a script would.
    password = "Api-Lantern-" + secrets.token_hex(4)
    account = admin(args.server_bin, "account", "create", "--email", f"api-{secrets.token_hex(4)}@example.com",
                    "--password-stdin", stdin=password)
    check("server account create prints a 12-digit account ID", len(account) == 12 and account.isdigit(), account)
    root_key, root_secret = admin(args.server_bin, "access-key", "create", "--account", account, "--root").split("\t")
    iam = client(base, "iam", root_key, root_secret)
    sts = client(base, "sts", root_key, root_secret)

    who = sts.get_caller_identity()
    check("GetCallerIdentity names the root user", who["Arn"] == f"arn:aws:iam::{account}:root" and who["Account"] == account)

    # Users, a group, a policy that allows listing users only; alice joins the group.
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="listers")
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
    policy = iam.create_policy(PolicyName="ListOnly", PolicyDocument=json.dumps(doc))["Policy"]
    check("CreatePolicy returns the customer policy's ARN", policy["Arn"] == f"arn:aws:iam::{account}:policy/ListOnly")
    iam.attach_group_policy(GroupName="listers", PolicyArn=policy["Arn"])
    iam.add_user_to_group(GroupName="listers", UserName="alice")
    code, _ = error_of(lambda: iam.create_user(UserName="ALICE"))
    check("a duplicate name is EntityAlreadyExists", code == "EntityAlreadyExists", code)

    # Alice's key: one allowed call, one refused with AWS's words.
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    check("CreateAccessKey returns an AKIA ID and a 40-character secret",
          key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40)
    alice = client(base, "iam", key["AccessKeyId"], key["SecretAccessKey"])
    names = [u["UserName"] for u in alice.list_users()["Users"]]
    check("alice may list users", "alice" in names, names)
    code, message = error_of(lambda: alice.create_user(UserName="mallory"))
    check("alice is refused CreateUser as AWS refuses it",
          code == "AccessDenied" and message == (
              f"User: arn:aws:iam::{account}:user/alice is not authorized to perform: iam:CreateUser on resource: "
              f"arn:aws:iam::{account}:user/mallory because no identity-based policy allows the iam:CreateUser action"),
          message)
    keys = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    check("ListAccessKeys shows alice's key", [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]])
    iam.create_access_key(UserName="alice")
    code, message = error_of(lambda: iam.create_access_key(UserName="alice"))
    check("a third key is LimitExceeded", code == "LimitExceeded", message)

    # Pagination: Marker and MaxItems, followed by the SDK's paginator.
    for i in range(5):
        iam.create_user(UserName=f"page{i}")
    first = iam.list_users(MaxItems=2)
    check("a short page is truncated with a marker", first["IsTruncated"] and first.get("Marker"))
    seen = [u["UserName"] for p in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 2}) for u in p["Users"]]
    check("the paginator walks every page once", sorted(seen) == sorted(["alice"] + [f"page{i}" for i in range(5)]), seen)

    # Errors as AWS sends them.
    code, message = error_of(lambda: iam.create_policy(PolicyName="Broken", PolicyDocument='{"Version": "2012-10-17", "Statement": []'))
    check("a malformed policy is MalformedPolicyDocument", code == "MalformedPolicyDocument" and message == "Syntax errors in policy.", message)
    code, _ = error_of(lambda: iam.delete_user(UserName="alice"))
    check("deleting a user with keys and groups is DeleteConflict", code == "DeleteConflict", code)
    code, _ = error_of(lambda: iam.get_user(UserName="nobody"))
    check("an unknown user is NoSuchEntity", code == "NoSuchEntity", code)
    code, _ = error_of(lambda: client(base, "iam", root_key, "x" * 40).list_users())
    check("a wrong secret is SignatureDoesNotMatch", code == "SignatureDoesNotMatch", code)
    stale = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    with mock.patch.object(botocore.auth.datetime, "datetime", wraps=datetime.datetime) as clock:
        clock.utcnow.return_value = stale
        clock.now.return_value = stale
        code, _ = error_of(lambda: iam.list_users())
    check("a signature 20 minutes old is RequestExpired", code == "RequestExpired", code)

    # Policies: versions, inline policies, the simulator, as the SDK reads them.
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(doc), SetAsDefault=True)
    versions = iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]
    check("a new default version", [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", True), ("v1", False)], versions)
    got = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v2")["PolicyVersion"]["Document"]
    check("GetPolicyVersion returns the document", got == doc, got)
    iam.put_user_policy(UserName="alice", PolicyName="NoDeletes",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]}))
    check("ListUserPolicies names the inline policy", iam.list_user_policies(UserName="alice")["PolicyNames"] == ["NoDeletes"])
    results = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{account}:user/alice",
                                            ActionNames=["iam:ListUsers", "iam:CreateUser", "iam:DeleteUser"])["EvaluationResults"]
    decisions = [r["EvalDecision"] for r in results]
    check("SimulatePrincipalPolicy decides per action", decisions == ["allowed", "implicitDeny", "explicitDeny"], decisions)
    getter = [json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]})]
    actions, arns = [f"s3:GetObject{i}" for i in range(7)], [f"arn:aws:s3:::b{i}" for i in range(3)]
    pages = list(iam.get_paginator("simulate_custom_policy").paginate(
        PolicyInputList=getter, ActionNames=actions, ResourceArns=arns, PaginationConfig={"PageSize": 5}))
    sizes = [len(p["EvaluationResults"]) for p in pages]
    pairs = [(r["EvalActionName"], r["EvalResourceName"]) for p in pages for r in p["EvaluationResults"]]
    check("SimulateCustomPolicy pages by MaxItems and Marker, every pair once",
          sizes == [5, 5, 5, 5, 1] and pairs == [(a, r) for a in actions for r in arns], sizes)
    code, _ = error_of(lambda: iam.simulate_custom_policy(
        PolicyInputList=getter, ActionNames=[f"s3:GetObject{i}" for i in range(1001)]))
    check("SimulateCustomPolicy refuses over 1,000 action names", code == "ValidationError", code)
    code, _ = error_of(lambda: iam.simulate_custom_policy(PolicyInputList=getter, ActionNames=actions, Marker="nope"))
    check("SimulateCustomPolicy refuses a marker it did not give", code == "ValidationError", code)
    summary = iam.get_account_summary()["SummaryMap"]
    check("GetAccountSummary counts users and groups", summary["Users"] == 6 and summary["Groups"] == 1, summary)
    iam.create_login_profile(UserName="page0", Password="Quiet-Meadow-42-Lantern", PasswordResetRequired=True)
    iam.create_account_alias(AccountAlias=f"api-{account}")
    check("ListAccountAliases shows the alias", iam.list_account_aliases()["AccountAliases"] == [f"api-{account}"])

    details = iam.get_account_authorization_details()
    alice_details = next(u for u in details["UserDetailList"] if u["UserName"] == "alice")
    check("GetAccountAuthorizationDetails shows alice's group and inline policy",
          alice_details["GroupList"] == ["listers"] and alice_details["UserPolicyList"][0]["PolicyName"] == "NoDeletes"
          and details["Policies"][0]["PolicyVersionList"][0]["Document"] == doc, alice_details)
    entities = iam.list_entities_for_policy(PolicyArn=policy["Arn"])
    check("ListEntitiesForPolicy names the group", [g["GroupName"] for g in entities["PolicyGroups"]] == ["listers"], entities)
    check("ListMFADevices answers for a user without devices", iam.list_mfa_devices(UserName="alice")["MFADevices"] == [])
    check("GenerateCredentialReport completes", iam.generate_credential_report()["State"] == "COMPLETE")
    report = iam.get_credential_report()
    lines = report["Content"].decode().splitlines()
    header = lines[0].split(",")
    rows = {line.split(",")[0]: dict(zip(header, line.split(","))) for line in lines[1:]}
    check("the credential report has AWS's columns and a row per identity",
          header[:3] == ["user", "arn", "user_creation_time"] and len(header) == 22
          and rows["<root_account>"]["password_enabled"] == "not_supported"
          and rows["alice"]["access_key_1_active"] == "true" and rows["page0"]["password_enabled"] == "true",
          lines[:3])

    # A deactivated key stops working at once.
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    code, _ = error_of(lambda: alice.list_users())
    check("an inactive key is InvalidClientTokenId", code == "InvalidClientTokenId", code)

    # The AWS CLI itself, with the root key.
    env = dict(os.environ, AWS_ACCESS_KEY_ID=root_key, AWS_SECRET_ACCESS_KEY=root_secret, AWS_DEFAULT_REGION="us-east-1")
    aws = [os.path.join(os.path.dirname(sys.executable), "aws"), "--endpoint-url", base, "--output", "json"]
    out = json.loads(subprocess.run(aws + ["iam", "list-users"], env=env, capture_output=True, text=True, check=True).stdout)
    check("aws iam list-users lists the users", len(out["Users"]) == 6, out)
    out = json.loads(subprocess.run(aws + ["sts", "get-caller-identity"], env=env, capture_output=True, text=True, check=True).stdout)
    check("aws sts get-caller-identity answers", out["Account"] == account, out)

    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Active")
    read_actions(iam, alice, account)
    virtual_mfa(iam, account)
    roles(iam, alice, account)
    helpers = type("Helpers", (), dict(check=staticmethod(check), error_of=staticmethod(error_of),
                                       client=staticmethod(client), totp=staticmethod(totp), boto3=boto3,
                                       Config=Config, root_keys=(root_key, root_secret)))
    sts_flows(helpers, base, iam, account, aws, env)
    workload_flow(helpers, base, iam, account, args.metadata_url, args.server_bin)
    service_linked_flow(helpers, iam, account, aws, env)
    providers_flow(helpers, iam, account, aws, env)
    federation_flow(helpers, base, iam, account, aws)
    web_identity_flow(helpers, base, iam, account, aws, env, args.idp_ca)
    saml_flow(helpers, base, iam, account, aws, env, args.saml_idp)
    budgets_api(client(base, "budgets", root_key, root_secret), account, aws, env)
    cost_import(base, root_key, root_secret, account)

    print(f"{len(PASSED)} api checks passed")


def cost_import(base, key, secret, account):
    """Cost and Usage Report CSV through the API: SigV4 (service `billing`), JSON in and out."""
    import urllib.request
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    def call(report):
        body = json.dumps({"AccountId": account, "Report": report})
        request = AWSRequest(method="POST", url=base + "/", data=body, headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "IamConsoleBilling.ImportCostAndUsageReport"})
        SigV4Auth(Credentials(key, secret), "billing", "us-east-1").add_auth(request)
        try:
            with urllib.request.urlopen(urllib.request.Request(base + "/", data=body.encode(), headers=dict(request.headers), method="POST")) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    header = "lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost\n"
    status, out = call(header + f"{today}T00:00:00Z,AmazonEC2,12.50\n{today}T00:00:00Z,AmazonS3,oops\n")
    check("a bad cost report line is named and nothing is imported",
          status == 400 and out["__type"] == "InvalidParameterException"
          and out["Message"] == "line 3, column `lineItem/UnblendedCost`: `oops` is not an amount like 12.34", out)
    status, out = call(header + f"{today}T00:00:00Z,AmazonEC2,12.50\n{today}T00:00:00Z,AmazonS3,0.25\n")
    check("a cost report imports through the API", status == 200 and out["Lines"] == 2 and out["Total"]["Amount"] == "12.75", out)


def budgets_api(budgets, account, aws, env):
    """The AWS Budgets API (JSON protocol): budgets, notifications and subscribers."""
    alert = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80, "ThresholdType": "PERCENTAGE"}
    forecast = {"NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN", "Threshold": 100, "ThresholdType": "PERCENTAGE"}
    budget = {"BudgetName": "api-monthly", "BudgetLimit": {"Amount": "200", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"}
    budgets.create_budget(AccountId=account, Budget=budget, NotificationsWithSubscribers=[
        {"Notification": alert, "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "ops@example.com"}]}])
    got = budgets.describe_budget(AccountId=account, BudgetName="api-monthly")["Budget"]
    check("CreateBudget and DescribeBudget", got["BudgetLimit"] == {"Amount": "200.0", "Unit": "USD"}
          and got["TimeUnit"] == "MONTHLY" and got["CalculatedSpend"]["ActualSpend"]["Amount"] == "0.0", got)
    code, _ = error_of(lambda: budgets.create_budget(AccountId=account, Budget=budget))
    check("a second budget of that name is DuplicateRecordException", code == "DuplicateRecordException", code)
    code, message = error_of(lambda: budgets.create_budget(AccountId=account, Budget=dict(budget, BudgetName="a:b")))
    check("a name with a colon is InvalidParameterException", code == "InvalidParameterException" and "`a:b`" in message, message)
    code, _ = error_of(lambda: budgets.describe_budgets(AccountId="999999999999"))
    check("another account's budgets are AccessDeniedException", code == "AccessDeniedException", code)

    budgets.create_notification(AccountId=account, BudgetName="api-monthly", Notification=forecast,
                                Subscribers=[{"SubscriptionType": "EMAIL", "Address": "lead@example.com"}])
    budgets.create_subscriber(AccountId=account, BudgetName="api-monthly", Notification=alert,
                              Subscriber={"SubscriptionType": "EMAIL", "Address": "finance@example.com"})
    notifications = budgets.describe_notifications_for_budget(AccountId=account, BudgetName="api-monthly")["Notifications"]
    subscribers = budgets.describe_subscribers_for_notification(AccountId=account, BudgetName="api-monthly", Notification=alert)["Subscribers"]
    check("CreateNotification and CreateSubscriber",
          [n["NotificationType"] for n in notifications] == ["ACTUAL", "FORECASTED"]
          and [s["Address"] for s in subscribers] == ["ops@example.com", "finance@example.com"], (notifications, subscribers))
    budgets.update_budget(AccountId=account, NewBudget=dict(budget, BudgetLimit={"Amount": "300", "Unit": "USD"}))
    listed = json.loads(subprocess.run(aws + ["budgets", "describe-budgets", "--account-id", account],
                                       env=env, capture_output=True, text=True, check=True).stdout)["Budgets"]
    check("UpdateBudget, and aws budgets describe-budgets lists it",
          [(b["BudgetName"], b["BudgetLimit"]["Amount"]) for b in listed] == [("api-monthly", "300.0")], listed)
    budgets.delete_budget(AccountId=account, BudgetName="api-monthly")
    budgets.create_budget(AccountId=account, Budget={
        "BudgetName": "api-hours", "BudgetLimit": {"Amount": "100", "Unit": "Hrs"}, "TimeUnit": "MONTHLY",
        "BudgetType": "USAGE", "CostFilters": {"UsageType": ["BoxUsage:t3.micro"]}})
    hours = budgets.describe_budget(AccountId=account, BudgetName="api-hours")["Budget"]
    check("a USAGE budget names its usage type", hours["BudgetType"] == "USAGE"
          and hours["CostFilters"] == {"UsageType": ["BoxUsage:t3.micro"]}, hours)
    code, _ = error_of(lambda: budgets.describe_budget(AccountId=account, BudgetName="api-monthly"))
    check("a deleted budget is NotFoundException", code == "NotFoundException", code)


def read_actions(iam, alice, account):
    """Each read is authorized under its own action name; path and scope filters."""
    code, message = error_of(lambda: alice.list_attached_user_policies(UserName="alice"))
    check("ListAttachedUserPolicies is refused under its own name",
          code == "AccessDenied" and "perform: iam:ListAttachedUserPolicies on resource" in message, message)
    own = f"arn:aws:iam::{account}:user/alice"
    iam.put_user_policy(UserName="alice", PolicyName="ReadOwn", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:ListAttachedUserPolicies", "iam:ListGroupsForUser"], "Resource": own}]}))
    attached = alice.list_attached_user_policies(UserName="alice")["AttachedPolicies"]
    groups = [g["GroupName"] for g in alice.list_groups_for_user(UserName="alice")["Groups"]]
    code, _ = error_of(lambda: alice.get_user(UserName="alice"))
    check("those two reads are allowed while GetUser still is not",
          attached == [] and groups == ["listers"] and code == "AccessDenied", (attached, groups, code))

    iam.create_user(UserName="ops1", Path="/ops/")
    iam.create_group(GroupName="ops-team", Path="/ops/")
    users = [u["UserName"] for u in iam.list_users(PathPrefix="/ops/")["Users"]]
    groups = [g["GroupName"] for g in iam.list_groups(PathPrefix="/ops/")["Groups"]]
    check("PathPrefix selects users and groups by path", users == ["ops1"] and groups == ["ops-team"], (users, groups))
    code, _ = error_of(lambda: iam.list_users(PathPrefix="ops"))
    check("a PathPrefix without a leading slash is ValidationError", code == "ValidationError", code)
    local = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    aws_pages = [p for page in iam.get_paginator("list_policies").paginate(Scope="AWS", PaginationConfig={"PageSize": 5})
                 for p in page["Policies"]]
    check("Scope=Local lists the customer policy, Scope=AWS pages through AWS's alone",
          local == ["ListOnly"] and len(aws_pages) > 5
          and all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws_pages), (local, len(aws_pages)))
    iam.attach_user_policy(UserName="ops1", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    attached = [p["PolicyName"] for p in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]]
    check("OnlyAttached lists attached policies only", attached == ["IAMReadOnlyAccess"], attached)
    first = iam.list_users(MaxItems=2)
    iam.create_user(UserName="aaa-early")
    second = iam.list_users(MaxItems=2, Marker=first["Marker"])
    names = [u["UserName"] for u in first["Users"] + second["Users"]]
    check("a page boundary stays put when a user is created before it",
          len(set(names)) == 4 and names == sorted(names, key=str.lower), names)
    iam.update_user(UserName="page4", NewUserName="page-four", NewPath="/moved/")
    iam.update_group(GroupName="ops-team", NewGroupName="operations")
    moved = iam.list_users(PathPrefix="/moved/")["Users"]
    check("UpdateUser and UpdateGroup rename and move",
          [(u["UserName"], u["Arn"]) for u in moved] == [("page-four", f"arn:aws:iam::{account}:user/moved/page-four")]
          and iam.get_group(GroupName="operations")["Group"]["Path"] == "/ops/", moved)
    tags = [{"Key": f"k{i}", "Value": str(i)} for i in range(5)]
    iam.tag_user(UserName="ops1", Tags=tags)
    first = iam.list_user_tags(UserName="ops1", MaxItems=3)
    rest = iam.list_user_tags(UserName="ops1", Marker=first["Marker"])
    check("ListUserTags pages with Marker and MaxItems",
          first["IsTruncated"] and first["Tags"] + rest["Tags"] == tags and not rest["IsTruncated"], (first, rest))


def virtual_mfa(iam, account):
    """A virtual MFA device made through the API, assigned with two codes, unassigned, deleted."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ops1-phone")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    seed = device["Base32StringSeed"].decode()
    width, height = png_size(device["QRCodePNG"])
    check("CreateVirtualMFADevice returns the serial, a base32 seed and a QR code PNG",
          serial == f"arn:aws:iam::{account}:mfa/ops1-phone" and len(seed) == 32 and width == height >= 100,
          (serial, seed, width, height))
    code, _ = error_of(lambda: iam.create_virtual_mfa_device(VirtualMFADeviceName="ops1-phone"))
    check("a second device of that name is EntityAlreadyExists", code == "EntityAlreadyExists", code)
    unassigned = [d["SerialNumber"] for d in iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]]
    check("the new device is unassigned", unassigned == [serial], unassigned)

    step = int(time.time()) // 30
    code, message = error_of(lambda: iam.enable_mfa_device(
        UserName="ops1", SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1), AuthenticationCode2=totp(seed, step - 3)))
    check("codes that are not consecutive are InvalidAuthenticationCode", code == "InvalidAuthenticationCode", message)
    iam.enable_mfa_device(UserName="ops1", SerialNumber=serial,
                          AuthenticationCode1=totp(seed, step - 1), AuthenticationCode2=totp(seed, step))
    devices = iam.list_mfa_devices(UserName="ops1")["MFADevices"]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    check("EnableMFADevice assigns it to the user",
          [d["SerialNumber"] for d in devices] == [serial]
          and [(d["SerialNumber"], d["User"]["UserName"]) for d in assigned] == [(serial, "ops1")], (devices, assigned))
    code, _ = error_of(lambda: iam.enable_mfa_device(
        UserName="page1", SerialNumber=serial, AuthenticationCode1=totp(seed, step), AuthenticationCode2=totp(seed, step + 1)))
    check("an assigned device cannot be enabled for another user", code == "EntityAlreadyExists", code)
    code, _ = error_of(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial))
    check("an assigned device cannot be deleted", code == "DeleteConflict", code)
    iam.deactivate_mfa_device(UserName="ops1", SerialNumber=serial)
    check("DeactivateMFADevice unassigns it",
          iam.list_mfa_devices(UserName="ops1")["MFADevices"] == []
          and [d["SerialNumber"] for d in iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]] == [serial])
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    code, _ = error_of(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial))
    check("a deleted device is gone", code == "NoSuchEntity" and iam.list_virtual_mfa_devices()["VirtualMFADevices"] == [], code)


def roles(iam, alice, account):
    """Roles through boto3: created with a trust policy, read, listed, updated, given managed and
    inline policies, refused to a user without permission, deleted only when bare."""
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="app-server", Path="/service/", AssumeRolePolicyDocument=trust,
                           Description="reads the bucket", MaxSessionDuration=7200)["Role"]
    check("CreateRole answers the role with an AROA ID",
          role["Arn"] == f"arn:aws:iam::{account}:role/service/app-server" and role["RoleId"].startswith("AROA")
          and role["MaxSessionDuration"] == 7200, role)
    got = iam.get_role(RoleName="app-server")["Role"]
    check("GetRole returns the trust policy as a document",
          got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
          and got["Description"] == "reads the bucket" and "RoleLastUsed" in got, got)
    code, _ = error_of(lambda: iam.create_role(RoleName="APP-SERVER", AssumeRolePolicyDocument=trust))
    check("a role name is unique whatever its case", code == "EntityAlreadyExists", code)
    identity_doc = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
    code, _ = error_of(lambda: iam.create_role(RoleName="no-principal", AssumeRolePolicyDocument=identity_doc))
    check("a trust policy without a principal is MalformedPolicyDocument", code == "MalformedPolicyDocument", code)
    listed = iam.get_paginator("list_roles").paginate(PathPrefix="/service/").build_full_result()["Roles"]
    check("ListRoles lists under a path", [r["RoleName"] for r in listed] == ["app-server"], listed)
    iam.update_role(RoleName="app-server", Description="reads and lists", MaxSessionDuration=3600)
    iam.update_assume_role_policy(RoleName="app-server", PolicyDocument=trust.replace("ec2", "lambda"))
    got = iam.get_role(RoleName="app-server")["Role"]
    check("UpdateRole and UpdateAssumeRolePolicy change the role",
          got["Description"] == "reads and lists" and got["MaxSessionDuration"] == 3600
          and got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}, got)
    iam.tag_role(RoleName="app-server", Tags=[{"Key": "team", "Value": "platform"}, {"Key": "env", "Value": "prod"}])
    iam.untag_role(RoleName="app-server", TagKeys=["env"])
    tags = iam.list_role_tags(RoleName="app-server")["Tags"]
    check("TagRole, UntagRole and ListRoleTags, and GetRole shows the tags",
          tags == [{"Key": "team", "Value": "platform"}]
          and iam.get_role(RoleName="app-server")["Role"]["Tags"] == tags, tags)
    read_only = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    iam.attach_role_policy(RoleName="app-server", PolicyArn=read_only)
    inline = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]})
    iam.put_role_policy(RoleName="app-server", PolicyName="write", PolicyDocument=inline)
    attached = iam.list_attached_role_policies(RoleName="app-server")["AttachedPolicies"]
    check("AttachRolePolicy and PutRolePolicy give the role its permissions",
          [p["PolicyArn"] for p in attached] == [read_only]
          and iam.list_role_policies(RoleName="app-server")["PolicyNames"] == ["write"]
          and iam.get_role_policy(RoleName="app-server", PolicyName="write")["PolicyDocument"]["Statement"][0]["Action"] == "s3:PutObject",
          attached)
    entities = iam.list_entities_for_policy(PolicyArn=read_only)
    check("ListEntitiesForPolicy names the role", [r["RoleName"] for r in entities["PolicyRoles"]] == ["app-server"], entities)
    code, _ = error_of(lambda: alice.delete_role(RoleName="app-server"))
    check("a user without permission is refused DeleteRole", code == "AccessDenied", code)
    code, _ = error_of(lambda: iam.delete_role(RoleName="app-server"))
    check("a role with policies is DeleteConflict", code == "DeleteConflict", code)
    iam.detach_role_policy(RoleName="app-server", PolicyArn=read_only)
    iam.delete_role_policy(RoleName="app-server", PolicyName="write")
    iam.delete_role(RoleName="app-server")
    code, _ = error_of(lambda: iam.get_role(RoleName="app-server"))
    check("a deleted role is NoSuchEntity", code == "NoSuchEntity", code)


if __name__ == "__main__":
    main()
