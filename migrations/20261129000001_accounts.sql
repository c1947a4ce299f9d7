-- Accounts and their root users.
CREATE TABLE accounts (
    account_id  text PRIMARY KEY CHECK (account_id ~ '^[0-9]{12}$'),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    created_at  timestamptz NOT NULL
);

CREATE TABLE root_users (
    account_id            text PRIMARY KEY REFERENCES accounts (account_id) ON DELETE CASCADE,
    -- Stored lower-cased; the unique index makes one address one account.
    email                 text NOT NULL CHECK (email = lower(email)),
    password_hash         text NOT NULL,
    password_changed_at   timestamptz NOT NULL,
    password_last_used_at timestamptz,
    created_at            timestamptz NOT NULL
);
CREATE UNIQUE INDEX root_users_email_key ON root_users (email);
