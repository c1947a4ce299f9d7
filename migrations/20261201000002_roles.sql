-- Roles: the third kind of principal. Who may assume one is its trust policy (the assume-role
-- policy document); what it may do are managed and inline policies, as for users and groups.

CREATE TABLE iam_roles (
    account_id           text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    role_name            text NOT NULL CHECK (role_name ~ '^[A-Za-z0-9+=,.@_-]{1,64}$'),
    role_id              text NOT NULL UNIQUE CHECK (role_id ~ '^AROA[A-Z0-9]{16}$'),
    path                 text NOT NULL DEFAULT '/',
    assume_role_policy   text NOT NULL,
    description          text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    max_session_duration integer NOT NULL DEFAULT 3600
                         CHECK (max_session_duration BETWEEN 3600 AND 43200),
    created_at           timestamptz NOT NULL,
    last_used_at         timestamptz,
    last_used_region     text,
    PRIMARY KEY (account_id, role_name)
);
CREATE UNIQUE INDEX iam_roles_name_ci ON iam_roles (account_id, lower(role_name));

CREATE TABLE role_policies (
    account_id  text NOT NULL,
    role_name   text NOT NULL,
    policy_arn  text NOT NULL,
    attached_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, role_name, policy_arn),
    FOREIGN KEY (account_id, role_name) REFERENCES iam_roles (account_id, role_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX role_policies_by_policy ON role_policies (policy_arn);

CREATE TABLE role_inline_policies (
    account_id  text NOT NULL,
    role_name   text NOT NULL,
    policy_name text NOT NULL CHECK (policy_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    document    text NOT NULL,
    PRIMARY KEY (account_id, role_name, policy_name),
    FOREIGN KEY (account_id, role_name) REFERENCES iam_roles (account_id, role_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE role_tags (
    account_id text NOT NULL,
    role_name  text NOT NULL,
    key        text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    value      text NOT NULL CHECK (length(value) <= 256),
    PRIMARY KEY (account_id, role_name, key),
    FOREIGN KEY (account_id, role_name) REFERENCES iam_roles (account_id, role_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
