-- 0002: fix validations (append-only), their evidence, and the outbox of
-- server writes they cause. Times are INTEGER unix seconds (UTC).
-- Never edit this file once it has landed: add a new numbered migration.

-- One validation round of one ticket. Never updated, never deleted on its
-- own: a correction is a new row whose `supersedes` points at the corrected
-- one. Validations go only with their ticket, when the user removes the
-- whole source (or the demo is reloaded): the triggers let a cascade
-- through (the parent row is already gone) and refuse everything else.
CREATE TABLE validations (
    id                  INTEGER PRIMARY KEY,
    uuid                TEXT NOT NULL UNIQUE,   -- the marker posted to the server
    ticket_id           INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    round               INTEGER NOT NULL CHECK (round >= 1),
    outcome             TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'blocked')),
    steps               TEXT NOT NULL DEFAULT '',
    environment         TEXT NOT NULL DEFAULT '',
    test_data           TEXT NOT NULL DEFAULT '',
    notes               TEXT NOT NULL DEFAULT '',
    validator           TEXT NOT NULL,
    recorded_at         INTEGER NOT NULL,
    supersedes          INTEGER REFERENCES validations(id),
    -- the ticket as the validator saw it, for conflict detection at push time
    seen_remote_version TEXT NOT NULL,
    seen_updated_at     INTEGER NOT NULL,
    seen_status         TEXT NOT NULL
);
CREATE INDEX validations_ticket ON validations (ticket_id, recorded_at);
CREATE INDEX validations_recorded ON validations (recorded_at);

CREATE TRIGGER validations_no_update BEFORE UPDATE ON validations
BEGIN
    SELECT RAISE(ABORT, 'validations are append-only: record a new validation that supersedes this one');
END;
CREATE TRIGGER validations_no_delete BEFORE DELETE ON validations
WHEN EXISTS (SELECT 1 FROM tickets WHERE id = OLD.ticket_id)
BEGIN
    SELECT RAISE(ABORT, 'validations are append-only: they are never deleted');
END;

-- Evidence files of a validation. The bytes are kept in the store itself
-- (one file to back up or copy; evidence is screenshots and logs, capped
-- in size by the recorder), with their digest for the exactly-once check.
CREATE TABLE validation_evidence (
    id            INTEGER PRIMARY KEY,
    validation_id INTEGER NOT NULL REFERENCES validations(id) ON DELETE CASCADE,
    file_name     TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL
);
CREATE INDEX validation_evidence_validation ON validation_evidence (validation_id);

CREATE TRIGGER validation_evidence_no_update BEFORE UPDATE ON validation_evidence
BEGIN
    SELECT RAISE(ABORT, 'validation evidence is append-only');
END;
CREATE TRIGGER validation_evidence_no_delete BEFORE DELETE ON validation_evidence
WHEN EXISTS (SELECT 1 FROM validations WHERE id = OLD.validation_id)
BEGIN
    SELECT RAISE(ABORT, 'validation evidence is append-only');
END;

-- One row per server write a validation needs: its comment, each evidence
-- upload, its status transition. Push moves rows out of `pending`.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    validation_id   INTEGER NOT NULL REFERENCES validations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('comment', 'attachment', 'transition')),
    evidence_id     INTEGER REFERENCES validation_evidence(id),
    target_status   TEXT,                     -- transition: the server status name to reach
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'rejected', 'conflict', 'discarded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    upload_token    TEXT,                     -- attachment: token of an upload not yet attached
    remote_ref      TEXT,                     -- journal id, attachment id or status id once sent
    force           INTEGER NOT NULL DEFAULT 0, -- push despite a conflict (the user said so)
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK ((kind = 'attachment') = (evidence_id IS NOT NULL)),
    CHECK ((kind = 'transition') = (target_status IS NOT NULL))
);
CREATE INDEX outbox_state ON outbox (state, next_attempt_at);
CREATE INDEX outbox_validation ON outbox (validation_id);
