-- Service-linked roles: a role an AWS service owns. `linked_service` names the service; such a
-- role's trust, policies and boundary are AWS's and cannot be changed, and it is deleted only
-- through DeleteServiceLinkedRole, which leaves a deletion task to ask about.

ALTER TABLE iam_roles ADD COLUMN linked_service text
    CHECK (linked_service IS NULL OR linked_service ~ '^[A-Za-z0-9+=,.@_-]{1,128}$');

CREATE TABLE service_linked_role_deletions (
    account_id text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    task_id    text NOT NULL CHECK (length(task_id) <= 1000),
    status     text NOT NULL CHECK (status IN ('SUCCEEDED', 'IN_PROGRESS', 'FAILED', 'NOT_STARTED')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, task_id)
);

-- Instance profiles carry tags as users and roles do.
CREATE TABLE instance_profile_tags (
    account_id   text NOT NULL,
    profile_name text NOT NULL,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    value        text NOT NULL CHECK (length(value) <= 256),
    PRIMARY KEY (account_id, profile_name, key),
    FOREIGN KEY (account_id, profile_name) REFERENCES instance_profiles (account_id, profile_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
