-- The audit log: every state change and every sign-in attempt, written in the same
-- transaction as the change it records. Append-only: updates, deletes and truncation are refused.
CREATE TABLE audit_events (
    id          bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    -- No foreign key: the record of an account outlives the account.
    account_id  text,
    actor_arn   text NOT NULL,
    action      text NOT NULL,
    resource    text,
    source_ip   text,
    user_agent  text,
    outcome     text NOT NULL CHECK (outcome IN ('success', 'failure')),
    -- Why a failure failed; for operators only, never shown to the person who failed.
    reason      text
);
CREATE INDEX audit_events_account_time ON audit_events (account_id, occurred_at DESC);

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
