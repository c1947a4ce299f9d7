//! The AWS-managed policies the product ships: faithful for IAM, STS and billing; compact
//! wildcards elsewhere. Their ARNs are AWS's (`arn:aws:iam::aws:policy/...`).

use super::ast::Policy;
use super::parse::{parse_policy, PolicyKind};

pub struct ManagedPolicy {
    pub name: &'static str,
    /// `/` or `/job-function/`.
    pub path: &'static str,
    pub description: &'static str,
    /// Listed under "AWS managed - job function" in the console.
    pub job_function: bool,
    pub document: &'static str,
}

impl ManagedPolicy {
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }

    /// The parsed document. The shipped documents are checked by tests, so this only fails
    /// if one was edited wrongly.
    /// A service-linked role's policy: attachable to no one else's role.
    pub fn for_service_role(&self) -> bool {
        self.path == crate::service_linked::PATH_PREFIX
    }

    pub fn policy(&self) -> Option<Policy> {
        parse_policy(self.document, PolicyKind::AwsManaged).policy
    }
}

macro_rules! managed {
    ($name:literal, $path:literal, $job:literal, $description:literal) => {
        ManagedPolicy {
            name: $name,
            path: $path,
            description: $description,
            job_function: $job,
            document: include_str!(concat!("managed/", $name, ".json")),
        }
    };
}

pub static MANAGED_POLICIES: [ManagedPolicy; 13] = [
    managed!("AdministratorAccess", "/", true, "Provides full access to AWS services and resources."),
    managed!("PowerUserAccess", "/", true, "Provides full access to AWS services and resources, but does not allow management of users and groups."),
    managed!("ReadOnlyAccess", "/", false, "Provides read-only access to AWS services and resources."),
    managed!("ViewOnlyAccess", "/job-function/", true, "This policy grants permissions to view resources and basic metadata across all AWS services."),
    managed!("IAMFullAccess", "/", false, "Provides full access to IAM via the AWS Management Console."),
    managed!("IAMReadOnlyAccess", "/", false, "Provides read only access to IAM via the AWS Management Console."),
    managed!("IAMUserChangePassword", "/", false, "Provides the ability for an IAM user to change their own password."),
    managed!("Billing", "/job-function/", true, "Grants permissions for billing and cost management."),
    managed!("SecurityAudit", "/", true, "The security audit template grants access to read security configuration metadata."),
    managed!("AmazonS3FullAccess", "/", false, "Provides full access to all buckets via the AWS Management Console."),
    managed!("AmazonS3ReadOnlyAccess", "/", false, "Provides read only access to all buckets via the AWS Management Console."),
    managed!("AmazonEC2FullAccess", "/", false, "Provides full access to Amazon EC2 via the AWS Management Console."),
    managed!("AmazonEC2ReadOnlyAccess", "/", false, "Provides read only access to Amazon EC2 via the AWS Management Console."),
];

/// Every AWS managed policy shipped: the general ones, then those of service-linked roles.
pub fn all() -> impl Iterator<Item = &'static ManagedPolicy> {
    MANAGED_POLICIES
        .iter()
        .chain(crate::service_linked::POLICIES.iter())
}

pub fn find(name_or_arn: &str) -> Option<&'static ManagedPolicy> {
    all().find(|p| p.name == name_or_arn || p.arn() == name_or_arn)
}
