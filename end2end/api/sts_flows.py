"""STS through boto3 and the AWS CLI: role sessions (plain, with an external ID, with MFA, with a
session policy that narrows, chained), session tokens that carry MFA, permissions boundaries,
revocation and deletion ending sessions. Called by session.py with its helpers."""
import datetime
import json
import os
import subprocess
import sys
import time


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", condition=None):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
    if condition:
        statement["Condition"] = condition
    return doc(statement)


def as_session(h, base, service, creds):
    return h.boto3.client(
        service, endpoint_url=base, region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"], config=h.Config(retries={"max_attempts": 1}))


def sts_flows(h, base, iam, account, aws, env):
    check, error_of = h.check, h.error_of
    root_arn = f"arn:aws:iam::{account}:root"
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="assume", PolicyDocument=doc(
        allow(["sts:AssumeRole", "sts:TagSession"]),
        allow(["iam:CreateVirtualMFADevice", "iam:EnableMFADevice"]),
        allow("iam:ListGroups", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    bob_sts = h.client(base, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    bob_iam = h.client(base, "iam", key["AccessKeyId"], key["SecretAccessKey"])

    # A role that trusts the account: bob's own policy lets him assume it.
    reader = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust(root_arn), MaxSessionDuration=7200)["Role"]
    iam.put_role_policy(RoleName="reader", PolicyName="list", PolicyDocument=doc(
        allow(["iam:ListUsers", "iam:GetUser", "sts:AssumeRole"])))
    got = bob_sts.assume_role(RoleArn=reader["Arn"], RoleSessionName="ci-run", DurationSeconds=900)
    creds = got["Credentials"]
    check("AssumeRole returns ASIA credentials for 15 minutes and the session's ARN",
          creds["AccessKeyId"].startswith("ASIA") and len(creds["SecretAccessKey"]) == 40
          and got["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/reader/ci-run"
          and got["AssumedRoleUser"]["AssumedRoleId"] == f"{reader['RoleId']}:ci-run"
          and 890 <= (creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds() <= 910, got)
    role_iam = as_session(h, base, "iam", creds)
    who = as_session(h, base, "sts", creds).get_caller_identity()
    check("GetCallerIdentity with the session names the assumed role",
          who["Arn"] == got["AssumedRoleUser"]["Arn"] and who["UserId"] == got["AssumedRoleUser"]["AssumedRoleId"], who)
    check("the session may do what the role allows", "bob" in [u["UserName"] for u in role_iam.list_users()["Users"]])
    code, message = error_of(lambda: role_iam.create_user(UserName="mallory"))
    check("and is refused the rest, the denial naming the assumed-role ARN",
          code == "AccessDenied" and f"arn:aws:sts::{account}:assumed-role/reader/ci-run" in message, message)
    code, _ = error_of(lambda: role_iam.get_user())
    check("GetUser without a name from a role session is ValidationError", code == "ValidationError", code)
    info = h.client(base, "sts", *h.root_keys).get_access_key_info(AccessKeyId=creds["AccessKeyId"])
    check("GetAccessKeyInfo reads the account from a temporary key ID", info["Account"] == account, info)

    tampered = dict(creds, SessionToken=creds["SessionToken"][:-8] + "AAAAAAA=")
    code, _ = error_of(lambda: as_session(h, base, "iam", tampered).list_users())
    check("an altered session token is InvalidClientTokenId", code == "InvalidClientTokenId", code)
    other = bob_sts.assume_role(RoleArn=reader["Arn"], RoleSessionName="other")["Credentials"]
    swapped = dict(creds, SessionToken=other["SessionToken"])
    code, _ = error_of(lambda: as_session(h, base, "iam", swapped).list_users())
    check("another session's token does not go with this key", code == "InvalidClientTokenId", code)
    code, _ = error_of(lambda: h.client(base, "iam", creds["AccessKeyId"], creds["SecretAccessKey"]).list_users())
    check("a temporary key without its token is InvalidClientTokenId", code == "InvalidClientTokenId", code)

    # A session policy only narrows.
    narrowed = bob_sts.assume_role(RoleArn=reader["Arn"], RoleSessionName="narrow",
                                   Policy=doc(allow("iam:GetUser")))
    check("PackedPolicySize is reported with a session policy", 0 < narrowed["PackedPolicySize"] <= 100, narrowed)
    code, message = error_of(lambda: as_session(h, base, "iam", narrowed["Credentials"]).list_users())
    check("a session policy narrows what the role allows", code == "AccessDenied" and "session policy" in message, message)
    code, _ = error_of(lambda: bob_sts.assume_role(RoleArn=reader["Arn"], RoleSessionName="has space"))
    check("a session name with a space is ValidationError", code == "ValidationError", code)
    code, _ = error_of(lambda: bob_sts.assume_role(RoleArn=reader["Arn"], RoleSessionName="long", DurationSeconds=7201))
    check("more than the role's maximum is ValidationError", code == "ValidationError", code)

    # Chained: the reader session assumes a role that trusts the reader role, for an hour at most.
    iam.create_role(RoleName="next", AssumeRolePolicyDocument=trust(reader["Arn"]), MaxSessionDuration=7200)
    session_sts = as_session(h, base, "sts", creds)
    code, message = error_of(lambda: session_sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/next", RoleSessionName="chain", DurationSeconds=7200))
    check("a chained session longer than an hour is refused", code == "ValidationError" and "chaining" in message, message)
    chained = session_sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/next", RoleSessionName="chain")
    check("a role session may assume a role that trusts its role",
          chained["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/next/chain", chained)

    # An external ID.
    vendor = iam.create_role(RoleName="vendor", AssumeRolePolicyDocument=trust(
        root_arn, {"StringEquals": {"sts:ExternalId": "tenant-7"}}))["Role"]
    code, message = error_of(lambda: bob_sts.assume_role(RoleArn=vendor["Arn"], RoleSessionName="vendor-run"))
    check("without the external ID AssumeRole is refused in AWS's words",
          code == "AccessDenied" and message == f"User: arn:aws:iam::{account}:user/bob is not authorized to perform: "
          f"sts:AssumeRole on resource: {vendor['Arn']}", message)
    got = bob_sts.assume_role(RoleArn=vendor["Arn"], RoleSessionName="vendor-run", ExternalId="tenant-7")
    check("with the external ID it is allowed",
          got["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/vendor/vendor-run", got)

    # MFA: bob enrols a device, then proves it to AssumeRole and GetSessionToken.
    guarded = iam.create_role(RoleName="guarded", AssumeRolePolicyDocument=trust(
        root_arn, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))["Role"]
    device = bob_iam.create_virtual_mfa_device(VirtualMFADeviceName="bob-phone")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"].decode(), device["SerialNumber"]
    step = int(time.time()) // 30
    bob_iam.enable_mfa_device(UserName="bob", SerialNumber=serial,
                              AuthenticationCode1=h.totp(seed, step - 2), AuthenticationCode2=h.totp(seed, step - 1))
    code, _ = error_of(lambda: bob_sts.assume_role(RoleArn=guarded["Arn"], RoleSessionName="mfa-run"))
    check("a role that demands MFA refuses a session without it", code == "AccessDenied", code)
    code, message = error_of(lambda: bob_sts.assume_role(RoleArn=guarded["Arn"], RoleSessionName="mfa-run",
                                                         SerialNumber=serial, TokenCode="000000"))
    check("a wrong MFA code is refused", code == "AccessDenied" and message.startswith("MultiFactorAuthentication failed"), message)
    got = bob_sts.assume_role(RoleArn=guarded["Arn"], RoleSessionName="mfa-run", SerialNumber=serial,
                              TokenCode=h.totp(seed, step))
    check("with a good MFA code the role is assumed",
          got["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account}:assumed-role/guarded/mfa-run", got)
    code, _ = error_of(lambda: bob_iam.list_groups())
    check("a policy that demands MFA refuses a long-term key", code == "AccessDenied", code)
    plain = bob_sts.get_session_token(DurationSeconds=900)["Credentials"]
    code, _ = error_of(lambda: as_session(h, base, "iam", plain).list_groups())
    check("GetSessionToken credentials without MFA cannot call IAM", code == "InvalidClientTokenId", code)
    with_mfa = bob_sts.get_session_token(SerialNumber=serial, TokenCode=h.totp(seed, step + 1))["Credentials"]
    check("GetSessionToken with MFA satisfies a policy that demands MFA",
          with_mfa["AccessKeyId"].startswith("ASIA")
          and isinstance(as_session(h, base, "iam", with_mfa).list_groups()["Groups"], list))
    code, _ = error_of(lambda: as_session(h, base, "sts", with_mfa).get_session_token())
    check("GetSessionToken is refused to session credentials", code == "AccessDenied", code)

    # The AWS CLI assumes the role too.
    cli_env = dict(env, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
    out = json.loads(subprocess.run(aws + ["sts", "assume-role", "--role-arn", reader["Arn"], "--role-session-name", "cli"],
                                    env=cli_env, capture_output=True, text=True, check=True).stdout)
    check("aws sts assume-role answers credentials", out["Credentials"]["AccessKeyId"].startswith("ASIA"), out)

    # A permissions boundary caps the role.
    boundary = iam.create_policy(PolicyName="NoUserReads", PolicyDocument=doc(allow("iam:GetUser")))["Policy"]
    iam.put_role_permissions_boundary(RoleName="reader", PermissionsBoundary=boundary["Arn"])
    check("GetRole shows the permissions boundary",
          iam.get_role(RoleName="reader")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary["Arn"])
    code, message = error_of(lambda: role_iam.list_users())
    check("a boundary caps the role's session", code == "AccessDenied" and "permissions boundary" in message, message)
    code, _ = error_of(lambda: iam.delete_policy(PolicyArn=boundary["Arn"]))
    check("a policy in use as a boundary cannot be deleted", code == "DeleteConflict", code)
    iam.delete_role_permissions_boundary(RoleName="reader")
    role_iam.list_users()
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=boundary["Arn"])
    check("GetUser shows a user's boundary",
          iam.get_user(UserName="bob")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary["Arn"])
    code, _ = error_of(lambda: bob_sts.assume_role(RoleArn=reader["Arn"], RoleSessionName="capped"))
    check("a user's boundary caps what the user may assume", code == "AccessDenied", code)
    iam.delete_user_permissions_boundary(UserName="bob")

    # Revoking the role's sessions ends the ones issued before; deleting the role ends them all.
    cutoff = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    iam.put_role_policy(RoleName="reader", PolicyName="AWSRevokeOlderSessions", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                                                "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}}]}))
    code, _ = error_of(lambda: role_iam.list_users())
    check("revoking sessions refuses the sessions issued before", code == "AccessDenied", code)
    iam.delete_role_policy(RoleName="reader", PolicyName="AWSRevokeOlderSessions")
    role_iam.list_users()
    iam.delete_role_policy(RoleName="reader", PolicyName="list")
    iam.delete_role(RoleName="reader")
    code, _ = error_of(lambda: role_iam.list_users())
    check("deleting the role ends its sessions", code == "InvalidClientTokenId", code)


def workload_flow(h, base, iam, account, metadata_url, server_bin):
    """The EC2 use case, self-hosted: a role trusting ec2.amazonaws.com in an instance profile,
    this machine's address registered to it, and an unmodified SDK pointed at the metadata
    endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT) acting as the role."""
    check, error_of = h.check, h.error_of
    ec2_trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="app-server", AssumeRolePolicyDocument=ec2_trust)
    iam.put_role_policy(RoleName="app-server", PolicyName="list", PolicyDocument=doc(allow("iam:ListUsers")))
    profile = iam.create_instance_profile(InstanceProfileName="app-server")["InstanceProfile"]
    check("CreateInstanceProfile answers an AIPA ID and the profile's ARN",
          profile["InstanceProfileId"].startswith("AIPA")
          and profile["Arn"] == f"arn:aws:iam::{account}:instance-profile/app-server", profile)
    iam.add_role_to_instance_profile(InstanceProfileName="app-server", RoleName="app-server")
    code, _ = error_of(lambda: iam.add_role_to_instance_profile(InstanceProfileName="app-server", RoleName="app-server"))
    check("a profile holds one role", code == "LimitExceeded", code)
    listed = iam.list_instance_profiles_for_role(RoleName="app-server")["InstanceProfiles"]
    check("ListInstanceProfilesForRole names the profile and GetInstanceProfile its role",
          [p["InstanceProfileName"] for p in listed] == ["app-server"]
          and iam.get_instance_profile(InstanceProfileName="app-server")["InstanceProfile"]["Roles"][0]["RoleName"] == "app-server",
          listed)
    code, _ = error_of(lambda: iam.delete_role(RoleName="app-server"))
    check("a role in an instance profile cannot be deleted", code == "DeleteConflict", code)
    details = iam.get_account_authorization_details()["RoleDetailList"]
    role = next(r for r in details if r["RoleName"] == "app-server")
    check("GetAccountAuthorizationDetails lists the role with its profile, policies and trust policy",
          [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["app-server"]
          and [p["PolicyName"] for p in role["RolePolicyList"]] == ["list"]
          and role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}, role)

    instance = subprocess.run([server_bin, "workload", "register", "--account", account, "--instance-profile", "app-server",
                               "--address", "127.0.0.1"], capture_output=True, text=True, check=True).stdout.strip()
    check("server workload register prints the workload's instance ID", instance.startswith("i-") and len(instance) == 19, instance)
    # A separate process with no credentials but the metadata endpoint, as on an instance.
    script = ("import boto3, json; sts = boto3.client('sts', endpoint_url=%r, region_name='us-east-1'); "
              "iam = boto3.client('iam', endpoint_url=%r, region_name='us-east-1'); "
              "print(json.dumps([sts.get_caller_identity()['Arn'], len(iam.list_users()['Users'])]))") % (base, base)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_EC2_METADATA_SERVICE_ENDPOINT=metadata_url, AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", HOME="/nonexistent")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    check("an SDK with only the metadata endpoint acts as the role", out.returncode == 0, out.stderr[-2000:])
    arn, users = json.loads(out.stdout)
    check("its identity is the role session named for the workload",
          arn == f"arn:aws:sts::{account}:assumed-role/app-server/{instance}" and users > 0, arn)
    # Without the IMDSv2 token the endpoint answers 401; the token works only from its address.
    import urllib.request
    import urllib.error
    try:
        urllib.request.urlopen(metadata_url.rstrip("/") + "/latest/meta-data/iam/security-credentials/")
        check("the endpoint refuses a request without a token", False)
    except urllib.error.HTTPError as e:
        check("the endpoint refuses a request without a token", e.code == 401, e.code)
