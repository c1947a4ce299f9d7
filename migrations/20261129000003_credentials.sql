-- Sign-in throttling, virtual MFA devices, recovery codes, password policies.

-- Failure counters for brute-force protection, shared by every server process. Keys are
-- `who:<typed identifier>` and `ip:<address>`: keyed by what was typed, not by who exists,
-- so a lock says nothing about whether a user exists.
CREATE TABLE signin_throttle (
    key             text PRIMARY KEY,
    failures        integer NOT NULL,
    last_failure_at bigint,
    locked_until    bigint
);

-- Virtual MFA devices. The seed is AES-256-GCM encrypted under the master key, bound to its
-- row; `enabled_at` is NULL while the device is being set up.
CREATE TABLE mfa_devices (
    account_id     text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    name           text NOT NULL,
    principal_arn  text NOT NULL,
    seed_sealed    bytea NOT NULL,
    created_at     timestamptz NOT NULL,
    enabled_at     timestamptz,
    -- The last TOTP step accepted: a code is never accepted twice.
    last_used_step bigint,
    PRIMARY KEY (account_id, name)
);
CREATE INDEX mfa_devices_principal ON mfa_devices (principal_arn);

-- One-time recovery codes, stored as SHA-256 (they are 50-bit random values, not passwords).
CREATE TABLE recovery_codes (
    principal_arn text NOT NULL,
    code_sha256   bytea NOT NULL,
    created_at    timestamptz NOT NULL,
    used_at       timestamptz,
    PRIMARY KEY (principal_arn, code_sha256)
);

CREATE TABLE password_policies (
    account_id                     text PRIMARY KEY REFERENCES accounts (account_id) ON DELETE CASCADE,
    minimum_length                 smallint NOT NULL CHECK (minimum_length BETWEEN 6 AND 128),
    require_uppercase              boolean NOT NULL,
    require_lowercase              boolean NOT NULL,
    require_numbers                boolean NOT NULL,
    require_symbols                boolean NOT NULL,
    allow_users_to_change_password boolean NOT NULL,
    max_password_age               smallint CHECK (max_password_age BETWEEN 1 AND 1095),
    password_reuse_prevention      smallint CHECK (password_reuse_prevention BETWEEN 1 AND 24),
    hard_expiry                    boolean NOT NULL,
    -- Ours, beyond AWS: refuse easily guessed passwords (zxcvbn score below 3).
    refuse_guessable               boolean NOT NULL DEFAULT true,
    updated_at                     timestamptz NOT NULL
);

-- Previous password hashes, for reuse prevention.
CREATE TABLE password_history (
    id            bigserial PRIMARY KEY,
    principal_arn text NOT NULL,
    password_hash text NOT NULL,
    set_at        timestamptz NOT NULL
);
CREATE INDEX password_history_principal ON password_history (principal_arn, id DESC);
