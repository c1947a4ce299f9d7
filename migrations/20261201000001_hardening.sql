-- Throttling that holds under concurrency, and bounded audit growth.

-- Locks so far in a streak: each lock waits longer; a new batch of attempts follows each lock.
ALTER TABLE signin_throttle ADD COLUMN locks integer NOT NULL DEFAULT 0;

-- Attempts refused while a key was locked: one counter per key and hour instead of one audit
-- row per request, so an unauthenticated flood cannot fill the audit log.
CREATE TABLE throttled_attempts (
    key          text NOT NULL,
    window_start timestamptz NOT NULL,
    attempts     bigint NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX throttled_attempts_window ON throttled_attempts (window_start);

-- The audit log stays append-only for the application; the operator's retention command
-- (`server audit prune`) alone may delete old events, by setting `iam.audit_prune` to the
-- cut-off inside its own transaction. Rows at or after the cut-off are still refused.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cutoff text := current_setting('iam.audit_prune', true);
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> ''
       AND OLD.occurred_at < cutoff::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$;

-- Where each identifier last signed in from: an address the owner used before is not held
-- back by a lock that attempts from elsewhere put on the identifier.
CREATE TABLE signin_known_addresses (
    identifier      text NOT NULL,
    address         text NOT NULL,
    last_success_at bigint NOT NULL,
    PRIMARY KEY (identifier, address)
);
