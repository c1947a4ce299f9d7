-- SAML assertions that have opened a session: a bearer assertion is good once. Kept until
-- the assertion expires, after which its times refuse it anyway.
CREATE TABLE saml_assertions_used (
    account_id    text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    provider_name text NOT NULL,
    assertion_id  text NOT NULL CHECK (length(assertion_id) BETWEEN 1 AND 256),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (account_id, provider_name, assertion_id)
);
CREATE INDEX saml_assertions_used_expiry ON saml_assertions_used (expires_at);
