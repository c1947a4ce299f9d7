-- Console sign-in tokens of the federation endpoint that have opened a session: each is
-- good once. Kept until the token's 15 minutes are over.
CREATE TABLE signin_tokens_used (
    token_id   text PRIMARY KEY CHECK (length(token_id) BETWEEN 1 AND 64),
    expires_at timestamptz NOT NULL
);
CREATE INDEX signin_tokens_used_expiry ON signin_tokens_used (expires_at);
