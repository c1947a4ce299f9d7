//! AWS's IAM quotas, enforced with `LimitExceeded` and AWS's quota names.

pub const USERS_PER_ACCOUNT: i64 = 5000;
pub const GROUPS_PER_ACCOUNT: i64 = 300;
pub const GROUPS_PER_USER: i64 = 10;
pub const ROLES_PER_ACCOUNT: i64 = 1000;
pub const CUSTOMER_POLICIES_PER_ACCOUNT: i64 = 1500;
pub const ATTACHED_POLICIES_PER_ENTITY: i64 = 10;
pub const VERSIONS_PER_POLICY: i64 = 5;
pub const TAGS_PER_ENTITY: usize = 50;
/// Inline policies' total size (whitespace not counted), per user, group and role.
pub const INLINE_BYTES_USER: usize = 2048;
pub const INLINE_BYTES_GROUP: usize = 5120;
pub const INLINE_BYTES_ROLE: usize = 10240;

/// AWS's message for an exceeded quota, e.g. `Cannot exceed quota for UsersPerAccount: 5000`.
pub fn exceeded(quota: &str, limit: i64) -> String {
    format!("Cannot exceed quota for {quota}: {limit}")
}
