-- Calls, what was said on them, what was learnt, and the after-call work still owed to the CRM.
-- No audio is ever stored.

CREATE TABLE calls (
    call_sid      TEXT PRIMARY KEY,
    stream_sid    TEXT NOT NULL,
    from_number   TEXT NOT NULL,
    to_number     TEXT NOT NULL,
    persona_id    TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ,
    duration_ms   BIGINT,
    end_reason    TEXT,
    -- in_progress until the call ends; 'abandoned' when the server died mid-call and a later start found it
    status        TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'abandoned')),
    summary       TEXT
);
CREATE INDEX calls_newest ON calls (started_at DESC, call_sid DESC);
CREATE INDEX calls_by_caller ON calls (from_number, started_at DESC);

-- One row per spoken turn, written while the call runs. seq orders the turns of a call.
CREATE TABLE turns (
    call_sid      TEXT NOT NULL REFERENCES calls (call_sid) ON DELETE CASCADE,
    seq           INT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('caller', 'agent')),
    text          TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ NOT NULL,
    interrupted   BOOLEAN NOT NULL DEFAULT FALSE,
    -- per-stage timings of an agent turn in ms (eos, stt, llmFirstToken, ttsFirstByte, firstFrame, voiceToVoice)
    timings       JSONB,
    PRIMARY KEY (call_sid, seq)
);

-- Facts extracted after the call, under the persona's keys.
CREATE TABLE facts (
    call_sid      TEXT NOT NULL REFERENCES calls (call_sid) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    value         TEXT NOT NULL,
    PRIMARY KEY (call_sid, name)
);

-- The outbox: work owed after a call (extraction, GoHighLevel, webhook), retried until done or given up.
-- progress records the steps already done (contact id, note id, tags) so a retry never repeats one.
CREATE TABLE deliveries (
    id              BIGSERIAL PRIMARY KEY,
    call_sid        TEXT NOT NULL REFERENCES calls (call_sid) ON DELETE CASCADE,
    target          TEXT NOT NULL CHECK (target IN ('extraction', 'gohighlevel', 'webhook')),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    give_up_at      TIMESTAMPTZ NOT NULL,
    last_error      TEXT,
    progress        JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (call_sid, target)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
