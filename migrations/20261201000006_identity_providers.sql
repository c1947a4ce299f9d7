-- Identity providers an account trusts for federation. An OpenID Connect provider is known by
-- its issuer URL without the scheme (as its ARN shows it); a SAML provider by its name, with
-- the IdP's metadata as uploaded and what was read from it.

CREATE TABLE oidc_providers (
    account_id  text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (length(url) BETWEEN 1 AND 255),
    client_ids  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(client_ids) <= 100),
    thumbprints text[] NOT NULL DEFAULT '{}' CHECK (cardinality(thumbprints) <= 5),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (account_id, url)
);

CREATE TABLE oidc_provider_tags (
    account_id text NOT NULL,
    url        text NOT NULL,
    key        text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    value      text NOT NULL CHECK (length(value) <= 256),
    PRIMARY KEY (account_id, url, key),
    FOREIGN KEY (account_id, url) REFERENCES oidc_providers (account_id, url) ON DELETE CASCADE
);

CREATE TABLE saml_providers (
    account_id    text NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,128}$'),
    provider_uuid text NOT NULL UNIQUE,
    metadata      text NOT NULL CHECK (length(metadata) BETWEEN 1000 AND 10000000),
    entity_id     text NOT NULL,
    -- The earliest expiry of the signing certificates, shown in the console.
    certificates_expire_at timestamptz NOT NULL,
    valid_until   timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE saml_provider_tags (
    account_id text NOT NULL,
    name       text NOT NULL,
    key        text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    value      text NOT NULL CHECK (length(value) <= 256),
    PRIMARY KEY (account_id, name, key),
    FOREIGN KEY (account_id, name) REFERENCES saml_providers (account_id, name) ON DELETE CASCADE
);
