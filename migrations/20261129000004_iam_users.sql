-- IAM users and their console passwords (login profiles). User names are unique within an
-- account regardless of case, as on AWS.
CREATE TABLE iam_users (
    account_id text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    user_name  text NOT NULL CHECK (user_name ~ '^[A-Za-z0-9+=,.@_-]{1,64}$'),
    user_id    text NOT NULL UNIQUE CHECK (user_id ~ '^AIDA[A-Z0-9]{16}$'),
    path       text NOT NULL DEFAULT '/',
    created_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, user_name)
);
CREATE UNIQUE INDEX iam_users_name_ci ON iam_users (account_id, lower(user_name));

CREATE TABLE login_profiles (
    account_id              text NOT NULL,
    user_name               text NOT NULL,
    password_hash           text NOT NULL,
    password_changed_at     timestamptz NOT NULL,
    password_reset_required boolean NOT NULL DEFAULT false,
    password_last_used_at   timestamptz,
    created_at              timestamptz NOT NULL,
    PRIMARY KEY (account_id, user_name),
    FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, user_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
