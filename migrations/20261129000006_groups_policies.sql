-- User groups, customer-managed policies with versions, attachments, inline policies, tags.
-- Attachments name a policy by ARN: AWS-managed policies live in the binary, not here.

CREATE TABLE iam_groups (
    account_id text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    group_name text NOT NULL CHECK (group_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    group_id   text NOT NULL UNIQUE CHECK (group_id ~ '^AGPA[A-Z0-9]{16}$'),
    path       text NOT NULL DEFAULT '/',
    created_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, group_name)
);
CREATE UNIQUE INDEX iam_groups_name_ci ON iam_groups (account_id, lower(group_name));

CREATE TABLE group_members (
    account_id text NOT NULL,
    group_name text NOT NULL,
    user_name  text NOT NULL,
    added_at   timestamptz NOT NULL,
    PRIMARY KEY (account_id, group_name, user_name),
    FOREIGN KEY (account_id, group_name) REFERENCES iam_groups (account_id, group_name)
        ON DELETE CASCADE ON UPDATE CASCADE,
    FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, user_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX group_members_by_user ON group_members (account_id, user_name);

CREATE TABLE managed_policies (
    account_id      text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    policy_name     text NOT NULL CHECK (policy_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    policy_id       text NOT NULL UNIQUE CHECK (policy_id ~ '^ANPA[A-Z0-9]{16}$'),
    path            text NOT NULL DEFAULT '/',
    arn             text NOT NULL UNIQUE,
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    default_version integer NOT NULL,
    next_version    integer NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (account_id, policy_name)
);
CREATE UNIQUE INDEX managed_policies_name_ci ON managed_policies (account_id, lower(policy_name));

CREATE TABLE policy_versions (
    account_id  text NOT NULL,
    policy_name text NOT NULL,
    version     integer NOT NULL CHECK (version > 0),
    document    text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (account_id, policy_name, version),
    FOREIGN KEY (account_id, policy_name) REFERENCES managed_policies (account_id, policy_name)
        ON DELETE CASCADE
);

CREATE TABLE user_policies (
    account_id  text NOT NULL,
    user_name   text NOT NULL,
    policy_arn  text NOT NULL,
    attached_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, user_name, policy_arn),
    FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, user_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX user_policies_by_policy ON user_policies (policy_arn);

CREATE TABLE group_policies (
    account_id  text NOT NULL,
    group_name  text NOT NULL,
    policy_arn  text NOT NULL,
    attached_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, group_name, policy_arn),
    FOREIGN KEY (account_id, group_name) REFERENCES iam_groups (account_id, group_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX group_policies_by_policy ON group_policies (policy_arn);

CREATE TABLE user_inline_policies (
    account_id  text NOT NULL,
    user_name   text NOT NULL,
    policy_name text NOT NULL CHECK (policy_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    document    text NOT NULL,
    PRIMARY KEY (account_id, user_name, policy_name),
    FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, user_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE group_inline_policies (
    account_id  text NOT NULL,
    group_name  text NOT NULL,
    policy_name text NOT NULL CHECK (policy_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    document    text NOT NULL,
    PRIMARY KEY (account_id, group_name, policy_name),
    FOREIGN KEY (account_id, group_name) REFERENCES iam_groups (account_id, group_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE user_tags (
    account_id text NOT NULL,
    user_name  text NOT NULL,
    key        text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    value      text NOT NULL CHECK (length(value) <= 256),
    PRIMARY KEY (account_id, user_name, key),
    FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, user_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);

-- The users list sorts by creation time too.
CREATE INDEX iam_users_created ON iam_users (account_id, created_at, user_name);
