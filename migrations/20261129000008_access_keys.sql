-- Access keys of IAM users and root users (user_name NULL). Secrets are sealed with the
-- master key (AES-256-GCM, bound to the key ID); they are shown once and never stored plain.
CREATE TABLE access_keys (
    access_key_id     text PRIMARY KEY CHECK (access_key_id ~ '^AKIA[A-Z0-9]{16}$'),
    account_id        text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    user_name         text,
    secret_sealed     bytea NOT NULL,
    status            text NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created_at        timestamptz NOT NULL,
    last_used_at      timestamptz,
    last_used_service text,
    last_used_region  text,
    FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, user_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX access_keys_owner ON access_keys (account_id, user_name);
