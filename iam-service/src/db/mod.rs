//! Rows as Postgres returns them. Domain types are built from these with checks; nothing here
//! crosses the wire.

use iam_core::account::AccountId;
use sqlx::FromRow;
use time::OffsetDateTime;

#[derive(Debug, FromRow)]
pub struct AccountRow {
    pub account_id: String,
    pub name: String,
    pub email: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, FromRow)]
pub struct RootCredentialRow {
    pub account_id: String,
    pub password_hash: String,
}

/// An account as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub account_id: AccountId,
    pub name: String,
    pub root_email: String,
    pub created_at: OffsetDateTime,
}

impl TryFrom<AccountRow> for Account {
    type Error = crate::ServiceError;

    fn try_from(row: AccountRow) -> Result<Self, Self::Error> {
        Ok(Account {
            account_id: AccountId::parse(&row.account_id).map_err(crate::ServiceError::Internal)?,
            name: row.name,
            root_email: row.email,
            created_at: row.created_at,
        })
    }
}
