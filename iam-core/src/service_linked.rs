//! Service-linked roles: roles an AWS service owns in an account (CreateServiceLinkedRole).
//! Which services have one, the role's fixed name, whether a custom suffix may follow it and
//! the AWS managed policies it carries are AWS's data, generated into `data.rs` by
//! `scripts/gen_service_linked.py`. Nobody but the service changes such a role.

use crate::field::FieldError;
use crate::names::{constraint, name_char};

#[rustfmt::skip]
mod data;

pub use data::POLICIES;

/// A service that can have a role linked to it.
#[derive(Debug)]
pub struct LinkedService {
    /// The service principal, e.g. `autoscaling.amazonaws.com`.
    pub service: &'static str,
    pub role_name: &'static str,
    pub suffix_allowed: bool,
    /// Names of the AWS managed policies (path `/aws-service-role/`) the role carries.
    pub policies: &'static [&'static str],
}

/// Roles under this path are AWS's: CreateRole may not use it.
pub const PATH_PREFIX: &str = "/aws-service-role/";

/// The service a service-linked role can be made for, if any.
pub fn find(service: &str) -> Option<&'static LinkedService> {
    data::SERVICES.iter().find(|s| s.service == service)
}

/// AWSServiceName's rules: 1 to 128 of `[\w+=,.@-]`.
pub fn check_service_name(service: &str) -> Result<(), FieldError> {
    let rule = if service.is_empty() || service.len() > 128 {
        "Member must have length between 1 and 128"
    } else if !service.bytes().all(name_char) {
        r"Member must satisfy regular expression pattern: [\w+=,.@-]+"
    } else {
        return Ok(());
    };
    Err(FieldError::new(
        "aws_service_name",
        constraint(service, "aWSServiceName", rule),
    ))
}

impl LinkedService {
    /// `/aws-service-role/<service>/`, as AWS places them.
    pub fn path(&self) -> String {
        format!("{PATH_PREFIX}{}/", self.service)
    }

    /// The role's name: AWS's fixed name, then `_<suffix>` where the service allows one.
    pub fn role_name_with(&self, suffix: Option<&str>) -> Result<String, FieldError> {
        let Some(suffix) = suffix else {
            return Ok(self.role_name.to_owned());
        };
        let rule = if suffix.is_empty() || suffix.len() > 64 {
            Some("Member must have length between 1 and 64")
        } else if !suffix.bytes().all(name_char) {
            Some(r"Member must satisfy regular expression pattern: [\w+=,.@-]+")
        } else {
            None
        };
        if let Some(rule) = rule {
            return Err(FieldError::new(
                "custom_suffix",
                constraint(suffix, "customSuffix", rule),
            ));
        }
        if !self.suffix_allowed {
            return Err(FieldError::new(
                "custom_suffix",
                format!("Custom suffix is not allowed for {}", self.service),
            ));
        }
        let name = format!("{}_{suffix}", self.role_name);
        if name.len() > 64 {
            return Err(FieldError::new(
                "custom_suffix",
                format!("custom suffix `{suffix}` makes the role name longer than 64 characters"),
            ));
        }
        Ok(name)
    }

    /// The trust policy: only the service may assume the role.
    pub fn trust_policy(&self) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{}"}},"Action":"sts:AssumeRole"}}]}}"#,
            self.service
        )
    }

    /// The ARNs of the AWS managed policies the role carries.
    pub fn policy_arns(&self) -> Vec<String> {
        self.policies
            .iter()
            .filter_map(|name| POLICIES.iter().find(|p| p.name == *name))
            .map(|p| p.arn())
            .collect()
    }
}
