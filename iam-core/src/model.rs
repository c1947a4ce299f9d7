//! What the console and the API show of users, groups and policies. Plain data (times in
//! seconds since the Unix epoch) so the same types cross to the browser.

use serde::{Deserialize, Serialize};

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortBy {
    #[default]
    Name,
    Created,
}

/// One page of a list: which rows, from where, in which order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageRequest {
    /// Case-insensitive substring of the name; empty for all.
    pub search: String,
    pub sort: SortBy,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
    /// Only rows whose path starts with this (AWS's PathPrefix); empty or `/` for all.
    #[serde(default)]
    pub path_prefix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows matching the search, over all pages.
    pub total: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub user_name: String,
    pub user_id: String,
    pub path: String,
    pub arn: String,
    pub created_at: i64,
    pub groups: i64,
    pub mfa_enabled: bool,
    pub password_enabled: bool,
    pub password_changed_at: Option<i64>,
    pub password_last_used: Option<i64>,
    /// The managed policy that caps the user's permissions, when one is set.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
}

/// A policy attached to a user, group or role, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    pub policy_name: String,
    pub policy_arn: String,
    /// `AWS managed`, `Customer managed`, `AWS managed - job function` or `Inline`.
    pub policy_type: String,
    /// `Directly` or `Group NAME`.
    pub attached_via: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub policy_name: String,
    pub document: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDeviceInfo {
    pub name: String,
    pub serial: String,
    pub enabled_at: Option<i64>,
}

/// The refusal of one part of a page: AWS's access-denied message, shown in the part's place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denied {
    pub message: String,
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One part of a detail page, authorized under AWS's own action for it (a user allowed
/// `iam:GetUser` but not `iam:ListUserTags` sees the user, and the refusal in place of tags).
pub type Part<T> = Result<T, Denied>;

/// An inline policy on a page: its name (`iam:ListUserPolicies` / `iam:ListGroupPolicies`)
/// and its document (`iam:GetUserPolicy` / `iam:GetGroupPolicy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicyEntry {
    pub policy_name: String,
    pub document: Part<String>,
}

/// The policies a user has through one of its groups, each list under the group's own action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPolicies {
    pub group_name: String,
    /// `iam:ListAttachedGroupPolicies` on the group.
    pub attached: Part<Vec<AttachedPolicy>>,
    /// The group's inline policy names (`iam:ListGroupPolicies`), as rows of type `Inline`.
    pub inline: Part<Vec<AttachedPolicy>>,
}

/// A user's page: the summary (`iam:GetUser`) and each part under its own action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub summary: UserSummary,
    /// `iam:GetLoginProfile`; `false` without a console password.
    pub password_reset_required: Part<bool>,
    /// `iam:ListGroupsForUser`.
    pub groups: Part<Vec<GroupSummary>>,
    /// Managed policies attached directly (`iam:ListAttachedUserPolicies`).
    pub policies: Part<Vec<AttachedPolicy>>,
    /// Policies through groups, group by group (listing the groups needs
    /// `iam:ListGroupsForUser`).
    pub group_policies: Part<Vec<GroupPolicies>>,
    pub inline_policies: Part<Vec<InlinePolicyEntry>>,
    /// `iam:ListUserTags`.
    pub tags: Part<Vec<Tag>>,
    /// `iam:ListMFADevices`.
    pub mfa_devices: Part<Vec<MfaDeviceInfo>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub group_name: String,
    pub group_id: String,
    pub path: String,
    pub arn: String,
    pub created_at: i64,
    pub users: i64,
    pub policies: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    /// The group and its users: what AWS's `iam:GetGroup` answers.
    pub summary: GroupSummary,
    pub users: Vec<String>,
    /// `iam:ListAttachedGroupPolicies`.
    pub policies: Part<Vec<AttachedPolicy>>,
    pub inline_policies: Part<Vec<InlinePolicyEntry>>,
}

/// The console's policy types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyType {
    AwsManaged,
    AwsManagedJobFunction,
    CustomerManaged,
}

impl PolicyType {
    pub fn label(self) -> &'static str {
        match self {
            PolicyType::AwsManaged => "AWS managed",
            PolicyType::AwsManagedJobFunction => "AWS managed - job function",
            PolicyType::CustomerManaged => "Customer managed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            PolicyType::AwsManaged,
            PolicyType::AwsManagedJobFunction,
            PolicyType::CustomerManaged,
        ]
        .into_iter()
        .find(|t| t.label() == text || format!("{t:?}") == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySummary {
    pub policy_name: String,
    pub arn: String,
    pub path: String,
    pub policy_type: PolicyType,
    pub description: String,
    /// Users, groups and roles it is attached to.
    pub attachments: i64,
    pub default_version: String,
    pub updated_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersionInfo {
    /// `v1`, `v2`, ...
    pub version_id: String,
    pub is_default: bool,
    pub created_at: Option<i64>,
    pub document: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEntity {
    /// `User`, `Group` or `Role`.
    pub kind: String,
    pub name: String,
}

/// A version as a policy's page lists it (`iam:ListPolicyVersions`), its document only with
/// `iam:GetPolicyVersion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersionEntry {
    pub version_id: String,
    pub is_default: bool,
    pub created_at: Option<i64>,
    pub document: Part<String>,
}

/// A policy's page: the summary (`iam:GetPolicy`) and each part under its own action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDetail {
    pub summary: PolicySummary,
    pub policy_id: Option<String>,
    /// The default version's document (`iam:GetPolicyVersion`).
    pub document: Part<String>,
    pub versions: Part<Vec<PolicyVersionEntry>>,
    /// `iam:ListEntitiesForPolicy`.
    pub entities: Part<Vec<PolicyEntity>>,
}

/// The dashboard's counts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountSummary {
    pub users: i64,
    pub groups: i64,
    pub roles: i64,
    pub customer_policies: i64,
    pub identity_providers: i64,
    pub root_mfa: bool,
    pub users_without_mfa: i64,
    /// Users with a console password never used, or unused for 90 days.
    pub unused_passwords: i64,
    /// Active access keys of the root user (AWS recommends none).
    pub root_access_keys: i64,
    /// Active access keys created more than 90 days ago.
    pub old_access_keys: i64,
}

/// One audit event, as the event history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub resource: Option<String>,
    pub outcome: String,
    pub source_ip: Option<String>,
    /// The source identity a role session carried (sts:SourceIdentity).
    pub source_identity: Option<String>,
    /// Who an identity provider vouched for, when the session came from federation.
    #[serde(default)]
    pub federated_user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKeyInfo {
    pub access_key_id: String,
    /// `None` for the root user's keys.
    pub user_name: Option<String>,
    /// `Active` or `Inactive`.
    pub status: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_service: Option<String>,
    pub last_used_region: Option<String>,
}

/// A new key: the only time its secret leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccessKey {
    pub info: AccessKeyInfo,
    pub secret_access_key: String,
}

/// An identity provider as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProviderSummary {
    pub arn: String,
    /// The issuer URL (OpenID Connect, with `https://`) or the provider's name (SAML).
    pub name: String,
    /// `OpenID Connect` or `SAML`.
    pub kind: String,
    pub created_at: i64,
}

/// An identity provider's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProviderDetail {
    pub summary: IdentityProviderSummary,
    /// OpenID Connect: the client IDs its tokens may be for.
    pub audiences: Vec<String>,
    pub thumbprints: Vec<String>,
    /// SAML: what its metadata says.
    pub entity_id: Option<String>,
    pub valid_until: Option<i64>,
    pub certificates_expire_at: Option<i64>,
    pub tags: Vec<Tag>,
}

/// A role as the console's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSummary {
    pub role_name: String,
    pub path: String,
    pub arn: String,
    pub description: String,
    pub created_at: i64,
    /// When a session of it was last begun.
    pub last_used_at: Option<i64>,
    /// Who its trust policy lets in, in the console's words.
    pub trusted: Vec<String>,
}

/// A role's page: GetRole's answer, and its policies where the caller may read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDetail {
    pub summary: RoleSummary,
    pub role_id: String,
    pub trust_policy: String,
    pub max_session_duration: i32,
    pub permissions_boundary: Option<String>,
    /// The AWS service owning a service-linked role: its trust and permissions are the
    /// service's, shown but not editable.
    pub linked_service: Option<String>,
    pub tags: Vec<Tag>,
    pub policies: Part<Vec<AttachedPolicy>>,
    pub inline_policies: Part<Vec<InlinePolicyEntry>>,
}
