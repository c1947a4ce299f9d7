"""Service-linked roles and instance-profile tags through boto3 and the AWS CLI: AWS's name,
path, trust and policy for the service; nobody changes the role; deletion leaves a task to
ask about. Called by session.py with its helpers."""
import json
import subprocess

SERVICE = "autoscaling.amazonaws.com"
ROLE = "AWSServiceRoleForAutoScaling"
POLICY = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"


def service_linked_flow(h, iam, account, aws, env):
    check, error_of = h.check, h.error_of
    out = subprocess.run(aws + ["iam", "create-service-linked-role", "--aws-service-name", SERVICE,
                                "--description", "scales the fleet"], env=env, capture_output=True, text=True)
    check("aws iam create-service-linked-role answers", out.returncode == 0, out.stderr[-1000:])
    role = json.loads(out.stdout)["Role"]
    check("the role has AWS's name and path for the service",
          role["RoleName"] == ROLE and role["Path"] == f"/aws-service-role/{SERVICE}/"
          and role["Arn"] == f"arn:aws:iam::{account}:role/aws-service-role/{SERVICE}/{ROLE}"
          and role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": SERVICE}, role)
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    check("the service's own policy is attached", [p["PolicyArn"] for p in attached] == [POLICY], attached)
    policy = iam.get_policy(PolicyArn=POLICY)["Policy"]
    version = iam.get_policy_version(PolicyArn=POLICY, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    check("the AWS managed policy of the service reads with its document",
          policy["Path"] == "/aws-service-role/" and version["Document"]["Statement"], policy)

    code, message = error_of(lambda: iam.create_service_linked_role(AWSServiceName=SERVICE))
    check("a second one is InvalidInput in AWS's words", code == "InvalidInput" and message ==
          f"Service role name {ROLE} has been taken in this account, please try a different suffix.", message)
    code, message = error_of(lambda: iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com", CustomSuffix="x"))
    check("a suffix where the service allows none is InvalidInput", code == "InvalidInput"
          and message == "Custom suffix is not allowed for ecs.amazonaws.com", message)
    suffixed = iam.create_service_linked_role(AWSServiceName=SERVICE, CustomSuffix="batch")["Role"]
    check("a custom suffix follows the name where allowed", suffixed["RoleName"] == f"{ROLE}_batch", suffixed)

    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]})
    protected = f"Cannot perform the operation on the protected role '{ROLE}' - this role is only modifiable by AWS"
    for name, call in [
        ("UpdateAssumeRolePolicy", lambda: iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust)),
        ("DetachRolePolicy", lambda: iam.detach_role_policy(RoleName=ROLE, PolicyArn=POLICY)),
        ("AttachRolePolicy", lambda: iam.attach_role_policy(
            RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")),
        ("DeleteRole", lambda: iam.delete_role(RoleName=ROLE)),
    ]:
        code, message = error_of(call)
        check(f"{name} on a service-linked role is UnmodifiableEntity",
              code == "UnmodifiableEntity" and message == protected, (code, message))
    iam.update_role_description(RoleName=ROLE, Description="scales everything")
    check("its description can still be edited",
          iam.get_role(RoleName=ROLE)["Role"]["Description"] == "scales everything")
    iam.create_role(RoleName="customer", AssumeRolePolicyDocument=trust)
    code, message = error_of(lambda: iam.attach_role_policy(RoleName="customer", PolicyArn=POLICY))
    check("a service role's policy is not attachable to a customer role",
          code == "PolicyNotAttachable" and message == "Cannot attach a Service Role Policy to a Customer Role.", message)
    code, _ = error_of(lambda: iam.delete_service_linked_role(RoleName="customer"))
    check("DeleteServiceLinkedRole refuses a customer role", code == "InvalidInput", code)
    iam.delete_role(RoleName="customer")

    task = iam.delete_service_linked_role(RoleName=ROLE)["DeletionTaskId"]
    check("DeleteServiceLinkedRole answers a deletion task ID",
          task.startswith(f"task/aws-service-role/{SERVICE}/{ROLE}/"), task)
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    check("the task has succeeded and the role is gone", status["Status"] == "SUCCEEDED"
          and error_of(lambda: iam.get_role(RoleName=ROLE))[0] == "NoSuchEntity", status)
    iam.delete_service_linked_role(RoleName=f"{ROLE}_batch")

    # Instance profiles carry tags.
    made = iam.create_instance_profile(InstanceProfileName="tagged", Tags=[{"Key": "env", "Value": "prod"}])
    check("CreateInstanceProfile answers with its tags",
          made["InstanceProfile"]["Tags"] == [{"Key": "env", "Value": "prod"}], made)
    iam.tag_instance_profile(InstanceProfileName="tagged", Tags=[{"Key": "team", "Value": "web"}])
    iam.untag_instance_profile(InstanceProfileName="tagged", TagKeys=["env"])
    tags = iam.list_instance_profile_tags(InstanceProfileName="tagged")["Tags"]
    got = iam.get_instance_profile(InstanceProfileName="tagged")["InstanceProfile"].get("Tags")
    check("Tag/Untag/ListInstanceProfileTags and GetInstanceProfile agree",
          tags == [{"Key": "team", "Value": "web"}] and got == tags, (tags, got))
    code, _ = error_of(lambda: iam.list_instance_profile_tags(InstanceProfileName="missing"))
    check("tags of an unknown profile are NoSuchEntity", code == "NoSuchEntity", code)
    iam.delete_instance_profile(InstanceProfileName="tagged")
