-- Several server instances on one database. Each instance registers itself and heartbeats every few seconds;
-- a call records the instance it runs on, and an outbox claim the instance that holds it. When an instance stops
-- heartbeating (kill -9, a lost machine), any other instance marks its calls abandoned, queues their after-call
-- work, and releases its outbox claims, instead of waiting for the longest allowed call to pass.

CREATE TABLE instances (
    id             TEXT PRIMARY KEY,
    host           TEXT,
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_heartbeat TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- set by a clean shutdown: the instance's calls need no waiting for its heartbeat to go stale
    stopped_at     TIMESTAMPTZ
);

-- Null for calls stored before this migration (or by an older server): those are recovered by their age.
ALTER TABLE calls ADD COLUMN owner_instance TEXT;
CREATE INDEX calls_in_progress_by_owner ON calls (owner_instance) WHERE status = 'in_progress';

-- The instance whose claim (lease) a pending row is under; kept after delivery as a record of who did it.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;

-- Stream tokens redeemed by any instance (a SHA-256 of each, kept until it expires): a token from our TwiML starts
-- one media stream, whichever instance the stream reaches.
CREATE TABLE stream_tokens (
    token_hash TEXT PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);
