-- Tools the model called during a call (webhook tools and built-ins), with what came of each. seq orders the
-- tool calls of a call; after_turn is how many turns of the call were stored when the tool was called, so a
-- tool call can be placed between the turns.
CREATE TABLE tool_calls (
    call_sid      TEXT NOT NULL REFERENCES calls (call_sid) ON DELETE CASCADE,
    seq           INT NOT NULL,
    after_turn    INT NOT NULL,
    tool          TEXT NOT NULL,
    arguments     JSONB NOT NULL,
    -- result | failed | end_call | transfer
    outcome       TEXT NOT NULL,
    -- the failure's reason (bad_arguments, timed_out, vendor_error, unavailable, unknown_tool), else null
    failure       TEXT,
    -- the result the model was given, as JSON text (bounded)
    result        TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    duration_ms   BIGINT NOT NULL,
    PRIMARY KEY (call_sid, seq)
);
