-- Instance profiles: how a workload gets a role (AWS's EC2 use case). A profile holds at most
-- one role; a workload registered by its address to a profile receives that role's
-- credentials from the metadata endpoint.

CREATE TABLE instance_profiles (
    account_id   text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    profile_name text NOT NULL CHECK (profile_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    profile_id   text NOT NULL UNIQUE CHECK (profile_id ~ '^AIPA[A-Z0-9]{16}$'),
    path         text NOT NULL DEFAULT '/',
    role_name    text,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (account_id, profile_name),
    -- A role in a profile cannot be deleted (AWS: DeleteConflict) and renames follow.
    FOREIGN KEY (account_id, role_name) REFERENCES iam_roles (account_id, role_name) ON UPDATE CASCADE
);
CREATE UNIQUE INDEX instance_profiles_name_ci ON instance_profiles (account_id, lower(profile_name));
CREATE INDEX instance_profiles_by_role ON instance_profiles (account_id, role_name) WHERE role_name IS NOT NULL;

-- A workload known by its address, bound to a profile by an operator.
CREATE TABLE workload_registrations (
    address      inet PRIMARY KEY,
    account_id   text NOT NULL,
    profile_name text NOT NULL,
    instance_id  text NOT NULL UNIQUE CHECK (instance_id ~ '^i-[0-9a-f]{17}$'),
    created_at   timestamptz NOT NULL,
    FOREIGN KEY (account_id, profile_name) REFERENCES instance_profiles (account_id, profile_name)
        ON DELETE CASCADE ON UPDATE CASCADE
);
