-- OpenID Connect providers an administrator opened for console sign-in: the console is the
-- provider's client, with its ID (one of the provider's audiences) and secret, sealed under
-- the master key and bound to this row.
CREATE TABLE oidc_console_signin (
    account_id    text NOT NULL,
    url           text NOT NULL,
    client_id     text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 255),
    client_secret bytea NOT NULL CHECK (length(client_secret) <= 2048),
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (account_id, url),
    FOREIGN KEY (account_id, url) REFERENCES oidc_providers (account_id, url) ON DELETE CASCADE
);
